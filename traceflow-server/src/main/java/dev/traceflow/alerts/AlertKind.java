package dev.traceflow.alerts;

/** What makes a rule fire. */
enum AlertKind {
    /** An error group in the rule's scope got its first event. Event-driven. */
    NEW_ERROR_GROUP("new_error_group", false),
    /** A resolved error group in the rule's scope got a new event. Event-driven. */
    REGRESSION("regression", false),
    /** A metric over a window compared with a fixed number. Scheduled. */
    THRESHOLD("threshold", true),
    /** A metric over a window outside the band of its own values at the same time of week. Scheduled. */
    ANOMALY("anomaly", true);

    private final String wireName;
    private final boolean scheduled;

    AlertKind(String wireName, boolean scheduled) {
        this.wireName = wireName;
        this.scheduled = scheduled;
    }

    String wireName() {
        return wireName;
    }

    /** Whether the scheduler evaluates the rule (otherwise stored error-group changes drive it). */
    boolean scheduled() {
        return scheduled;
    }

    static AlertKind fromWireName(String name) {
        for (AlertKind k : values()) {
            if (k.wireName.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
