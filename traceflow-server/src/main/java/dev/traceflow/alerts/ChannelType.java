package dev.traceflow.alerts;

/** Where a channel delivers. */
enum ChannelType {
    WEBHOOK("webhook"), EMAIL("email"), REALTIME("realtime");

    private final String wireName;

    ChannelType(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

    static ChannelType fromWireName(String name) {
        for (ChannelType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
