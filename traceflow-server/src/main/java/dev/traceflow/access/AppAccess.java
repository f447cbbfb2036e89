package dev.traceflow.access;

import dev.traceflow.http.ApiException;

import java.util.List;
import java.util.Optional;

/**
 * The access facade every feature calls before touching an app's resources. Methods that take
 * no {@link Caller} use the current request's authenticated caller.
 */
public interface AppAccess {

    /** The current request's caller. @throws dev.traceflow.http.ApiException 401 when not authenticated */
    Caller caller();

    /** The current caller if the request is authenticated. */
    Optional<Caller> currentCaller();

    /**
     * Checks that the current caller may act on the app.
     *
     * @return the caller's effective role ({@link AppRole#OWNER} for admins, whether or not the
     *         app exists: the feature answers 404 for a missing app itself)
     * @throws dev.traceflow.http.ApiException 404 {@code NOT_FOUND} when the caller has no role on
     *                                         the app (the same answer as for an app that does not
     *                                         exist), 403 {@code FORBIDDEN} when the role is too low
     */
    AppRole require(String appId, AppPermission permission);

    /** @throws dev.traceflow.http.ApiException 403 unless the current caller is a global admin */
    Caller requireAdmin();

    /** The caller's role on the app, if any (admins: {@link AppRole#OWNER}). */
    Optional<AppRole> roleOf(Caller caller, String appId);

    /** The apps on which the current caller has the permission. */
    AppScope scope(AppPermission permission);

    /** Members of an app, by user id. */
    List<Membership> members(String appId);

    /**
     * Sets (adds or changes) a user's role on an app. Call inside a transaction: an app's owners
     * are locked until it ends, so concurrent changes cannot together take its last owner away.
     *
     * @throws ApiException 409 {@code LAST_OWNER} when this would demote the app's only owner
     */
    void setMember(String appId, String userId, AppRole role);

    /**
     * Removes a user from an app; false when they were not a member. Call inside a transaction
     * (see {@link #setMember}).
     *
     * @throws ApiException 409 {@code LAST_OWNER} when they are the app's only owner
     */
    boolean removeMember(String appId, String userId);

    /** The memberships of one user. */
    List<Membership> membershipsOf(String userId);

    /**
     * The apps a caller can read with their effective role on each, by app id: for an admin every
     * app as owner (as {@code GET /api/apps} lists them), otherwise their memberships.
     */
    List<Membership> effectiveRoles(Caller caller);
}
