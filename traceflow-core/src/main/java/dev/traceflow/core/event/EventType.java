package dev.traceflow.core.event;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The event types of API.md, with their wire names. */
public enum EventType {
    PAGEVIEW("pageview"),
    ERROR("error"),
    PERFORMANCE("performance"),
    WEB_VITAL("web-vital"),
    RESOURCE("resource"),
    CLICK("click"),
    EVENT("event"),
    SESSION_START("session_start"),
    SESSION_END("session_end"),
    CONVERSION("conversion"),
    PURCHASE("purchase"),
    API("api"),
    /**
     * A release-health session update (Sentry's {@code session} and {@code sessions} items): how one
     * run of the app on a release is going, in its properties. Last, so the journal's ordinals of the
     * other types stay as they were.
     */
    SESSION_UPDATE("session_update");

    private static final Map<String, EventType> BY_WIRE_NAME = new HashMap<>();

    static {
        for (EventType type : values()) {
            BY_WIRE_NAME.put(type.wireName, type);
        }
    }

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The name clients send and storage keeps, e.g. {@code web-vital}. */
    public String wireName() {
        return wireName;
    }

    /** @return the type for a wire name (exact, case-sensitive), or {@code null} when unknown */
    public static EventType fromWireName(String name) {
        return name == null ? null : BY_WIRE_NAME.get(name);
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
