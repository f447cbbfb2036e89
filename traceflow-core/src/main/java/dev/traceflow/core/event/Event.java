package dev.traceflow.core.event;

import java.util.Map;
import java.util.Objects;

/**
 * One telemetry event on its way through the pipeline to storage.
 *
 * <p>What the client sent is fixed at construction; what the pipeline derives (path, UTM,
 * traffic source, user agent parts, bot flag, error fingerprint) is set afterwards through the
 * mutable enrichment fields. Not thread-safe: an event belongs to one request's batch.
 *
 * <p>Times are epoch milliseconds UTC. Strings are null when absent, never empty by convention
 * of the parsers.
 */
public final class Event {

    private final int index;
    private final String appId;
    private final EventType type;
    private final long timestamp;
    private final String eventId;
    private final String sessionId;
    private final String userId;
    private final String anonymousId;
    private final String url;
    private final String referrer;
    private final String title;
    private final String userAgent;
    private final String release;
    private final String environment;
    private final Map<String, Object> properties;
    private final Map<String, Object> metadata;
    private final EventDetails details;
    private final int sizeBytes;

    private long receivedAt;
    private String path;
    private String utmSource;
    private String utmMedium;
    private String utmCampaign;
    private String trafficSource;
    private String browser;
    private String browserVersion;
    private String os;
    private String osVersion;
    private String deviceType;
    private String country;
    private boolean bot;
    private String fingerprint;

    private Event(Builder b) {
        this.index = b.index;
        this.appId = Objects.requireNonNull(b.appId, "appId");
        this.type = Objects.requireNonNull(b.type, "type");
        this.timestamp = b.timestamp;
        this.eventId = b.eventId;
        this.sessionId = b.sessionId;
        this.userId = b.userId;
        this.anonymousId = b.anonymousId;
        this.url = b.url;
        this.referrer = b.referrer;
        this.title = b.title;
        this.userAgent = b.userAgent;
        this.release = b.release;
        this.environment = b.environment;
        this.properties = b.properties == null ? Map.of() : b.properties;
        this.metadata = b.metadata == null ? Map.of() : b.metadata;
        this.details = b.details == null ? EventDetails.None.INSTANCE : b.details;
        this.sizeBytes = b.sizeBytes;
        this.receivedAt = b.receivedAt;
        this.country = b.country;
    }

    public static Builder builder(String appId, EventType type, long timestamp) {
        return new Builder(appId, type, timestamp);
    }

    /** Position of the event in its request (for per-index errors), or -1. */
    public int index() { return index; }
    public String appId() { return appId; }
    public EventType type() { return type; }
    /** When the event happened on the client, epoch ms. */
    public long timestamp() { return timestamp; }
    public String eventId() { return eventId; }
    public String sessionId() { return sessionId; }
    public String userId() { return userId; }
    public String anonymousId() { return anonymousId; }
    public String url() { return url; }
    public String referrer() { return referrer; }
    public String title() { return title; }
    public String userAgent() { return userAgent; }
    public String release() { return release; }
    public String environment() { return environment; }
    /** Custom key/values; never null, maybe empty. Values are JSON-like (String, Number, Boolean, Map, List, null). */
    public Map<String, Object> properties() { return properties; }
    /** Free-form metadata; never null. */
    public Map<String, Object> metadata() { return metadata; }
    public EventDetails details() { return details; }
    /** Size of the event as received (bytes of its JSON or protobuf form), 0 when unknown. */
    public int sizeBytes() { return sizeBytes; }

    /** When the server received the event, epoch ms. */
    public long receivedAt() { return receivedAt; }
    public void receivedAt(long receivedAt) { this.receivedAt = receivedAt; }
    /** The URL's path without query or fragment. */
    public String path() { return path; }
    public void path(String path) { this.path = path; }
    public String utmSource() { return utmSource; }
    public String utmMedium() { return utmMedium; }
    public String utmCampaign() { return utmCampaign; }
    public void utm(String source, String medium, String campaign) {
        this.utmSource = source;
        this.utmMedium = medium;
        this.utmCampaign = campaign;
    }
    /** {@code properties.trafficSource}, else utm_source, else the referrer's host, else {@code direct}. */
    public String trafficSource() { return trafficSource; }
    public void trafficSource(String trafficSource) { this.trafficSource = trafficSource; }
    public String browser() { return browser; }
    public String browserVersion() { return browserVersion; }
    public String os() { return os; }
    public String osVersion() { return osVersion; }
    /** desktop, mobile, tablet or bot. */
    public String deviceType() { return deviceType; }
    public void client(String browser, String browserVersion, String os, String osVersion, String deviceType) {
        this.browser = browser;
        this.browserVersion = browserVersion;
        this.os = os;
        this.osVersion = osVersion;
        this.deviceType = deviceType;
    }
    public String country() { return country; }
    public void country(String country) { this.country = country; }
    public boolean bot() { return bot; }
    public void bot(boolean bot) { this.bot = bot; }
    /** The error group key (hex), set by the grouping processor for errors; null otherwise. */
    public String fingerprint() { return fingerprint; }
    public void fingerprint(String fingerprint) { this.fingerprint = fingerprint; }

    /** The user as API.md defines it: userId, else anonymousId, else the session. May be null. */
    public String distinctUser() {
        if (userId != null) return userId;
        if (anonymousId != null) return anonymousId;
        return sessionId;
    }

    @Override
    public String toString() {
        return "Event{" + appId + "/" + type + "@" + timestamp + (eventId == null ? "" : " id=" + eventId) + "}";
    }

    /** Builds the client-sent part of an event. */
    public static final class Builder {
        private int index = -1;
        private final String appId;
        private final EventType type;
        private final long timestamp;
        private String eventId;
        private String sessionId;
        private String userId;
        private String anonymousId;
        private String url;
        private String referrer;
        private String title;
        private String userAgent;
        private String release;
        private String environment;
        private Map<String, Object> properties;
        private Map<String, Object> metadata;
        private EventDetails details;
        private int sizeBytes;
        private long receivedAt;
        private String country;

        private Builder(String appId, EventType type, long timestamp) {
            this.appId = appId;
            this.type = type;
            this.timestamp = timestamp;
        }

        public Builder index(int index) { this.index = index; return this; }
        public Builder eventId(String v) { this.eventId = v; return this; }
        public Builder sessionId(String v) { this.sessionId = v; return this; }
        public Builder userId(String v) { this.userId = v; return this; }
        public Builder anonymousId(String v) { this.anonymousId = v; return this; }
        public Builder url(String v) { this.url = v; return this; }
        public Builder referrer(String v) { this.referrer = v; return this; }
        public Builder title(String v) { this.title = v; return this; }
        public Builder userAgent(String v) { this.userAgent = v; return this; }
        public Builder release(String v) { this.release = v; return this; }
        public Builder environment(String v) { this.environment = v; return this; }
        public Builder properties(Map<String, Object> v) { this.properties = v; return this; }
        public Builder metadata(Map<String, Object> v) { this.metadata = v; return this; }
        public Builder details(EventDetails v) { this.details = v; return this; }
        public Builder sizeBytes(int v) { this.sizeBytes = v; return this; }
        public Builder receivedAt(long v) { this.receivedAt = v; return this; }
        public Builder country(String v) { this.country = v; return this; }

        public Event build() {
            return new Event(this);
        }
    }
}
