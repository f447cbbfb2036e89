package dev.traceflow.alerts;

/**
 * Where a scheduled rule stands: {@code ok → pending → firing → ok}; {@code error} when its last
 * query failed (it keeps its incident, if any, until a query succeeds again).
 */
enum RuleState {
    OK("ok"), PENDING("pending"), FIRING("firing"), ERROR("error");

    private final String wireName;

    RuleState(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

    static RuleState fromWireName(String name) {
        for (RuleState s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown rule state " + name);
    }
}
