package dev.traceflow.access;

import java.util.Locale;
import java.util.Optional;

/** A member's role on one app; each role includes the ones before it. */
public enum AppRole {
    /** reads the app's data */
    VIEWER,
    /** also writes: error status, alert rules, builds */
    EDITOR,
    /** also manages the app: settings, members, ingest keys, audit trail, deletion */
    OWNER;

    public boolean permits(AppPermission permission) {
        return compareTo(permission.minimumRole()) >= 0;
    }

    /** The JSON / database name: {@code owner}, {@code editor}, {@code viewer}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AppRole> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (AppRole role : values()) {
            if (role.wireName().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
