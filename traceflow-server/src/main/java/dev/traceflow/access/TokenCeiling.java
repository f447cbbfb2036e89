package dev.traceflow.access;

import java.util.Map;
import java.util.Optional;

/**
 * The most a request authenticated by an API token may do (issue 18 item 12): the token's roles,
 * which only ever lower the user's own. On an app the caller gets the lower of the token's role and
 * the user's current role (none when either has none), so a user who is demoted or removed from an
 * app takes their tokens down with them.
 *
 * @param tokenId   the API token's id (for the audit trail and {@code /api/users/me/tokens})
 * @param tokenName the name its owner gave it ({@code ci}), for records that must say who acted after the
 *                  token is revoked (a build's {@code triggeredBy})
 * @param userAdmin whether the user is an admin now (their own role on every app is then owner)
 * @param apps      the token's role per app id; apps not named here are out of reach
 */
public record TokenCeiling(String tokenId, String tokenName, boolean userAdmin, Map<String, AppRole> apps) {

    public TokenCeiling {
        apps = Map.copyOf(apps);
    }

    /** The caller's role given the user's own role on the app: the lower of the two, empty if either is. */
    public Optional<AppRole> cap(String appId, Optional<AppRole> userRole) {
        AppRole ceiling = apps.get(appId);
        if (ceiling == null) {
            return Optional.empty();
        }
        return userRole.map(own -> own.compareTo(ceiling) <= 0 ? own : ceiling);
    }
}
