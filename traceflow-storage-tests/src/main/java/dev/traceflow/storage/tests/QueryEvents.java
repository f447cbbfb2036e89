package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.time.Instant;
import java.util.Map;

/**
 * Terse events for the answer contracts' golden datasets: only what a test sets is there, the
 * enrichments (path, client, country, traffic source) as the pipeline would have set them.
 */
public final class QueryEvents {

    private final Event.Builder builder;
    private String path;
    private String browser = "Chrome";
    private String os = "Mac OS X";
    private String deviceType = "desktop";
    private String country;
    private String trafficSource = "direct";
    private String fingerprint;

    private QueryEvents(String appId, EventType type, Instant at) {
        this.builder = Event.builder(appId, type, at.toEpochMilli()).receivedAt(at.toEpochMilli());
    }

    public static QueryEvents event(String appId, EventType type, Instant at) {
        return new QueryEvents(appId, type, at);
    }

    public static QueryEvents pageview(String appId, Instant at, String path) {
        return event(appId, EventType.PAGEVIEW, at).path(path);
    }

    public QueryEvents session(String sessionId) {
        builder.sessionId(sessionId);
        return this;
    }

    public QueryEvents user(String userId) {
        builder.userId(userId);
        return this;
    }

    public QueryEvents anonymous(String anonymousId) {
        builder.anonymousId(anonymousId);
        return this;
    }

    public QueryEvents path(String p) {
        this.path = p;
        builder.url(p == null ? null : "https://shop.test" + p);
        return this;
    }

    public QueryEvents title(String t) {
        builder.title(t);
        return this;
    }

    public QueryEvents referrer(String r) {
        builder.referrer(r);
        return this;
    }

    public QueryEvents release(String r) {
        builder.release(r);
        return this;
    }

    public QueryEvents environment(String env) {
        builder.environment(env);
        return this;
    }

    public QueryEvents client(String browserName, String osName, String device) {
        this.browser = browserName;
        this.os = osName;
        this.deviceType = device;
        return this;
    }

    public QueryEvents country(String c) {
        this.country = c;
        return this;
    }

    public QueryEvents trafficSource(String source) {
        this.trafficSource = source;
        return this;
    }

    public QueryEvents properties(Map<String, Object> props) {
        builder.properties(props);
        return this;
    }

    public QueryEvents metadata(Map<String, Object> metadata) {
        builder.metadata(metadata);
        return this;
    }

    public QueryEvents details(EventDetails details) {
        builder.details(details);
        return this;
    }

    public QueryEvents fingerprint(String f) {
        this.fingerprint = f;
        return this;
    }

    public QueryEvents eventId(String id) {
        builder.eventId(id);
        return this;
    }

    public Event build() {
        Event e = builder.build();
        e.path(path);
        e.client(browser, null, os, null, deviceType);
        e.country(country);
        e.trafficSource(trafficSource);
        e.fingerprint(fingerprint);
        return e;
    }
}
