package dev.traceflow.errors;

import java.util.Locale;

/** Where people put an error group. */
enum ErrorStatus {
    UNRESOLVED, RESOLVED,
    /** New events do not reopen an ignored group. */
    IGNORED;

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the status named (case-sensitive wire name), or null */
    static ErrorStatus fromWireName(String name) {
        for (ErrorStatus s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
