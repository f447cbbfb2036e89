package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.traceflow.ingest.SentryValues.cut;
import static dev.traceflow.ingest.SentryValues.stringKeys;

/**
 * Release health: Sentry's {@code session} and {@code sessions} items as TraceFlow
 * {@code session_update} events, what {@code ReleaseHealthQueries} counts (develop.sentry.dev
 * "Sessions").
 */
final class SentrySessions {

    private static final int MAX_AGGREGATES = 1000;

    private final String appId;
    private final String headerUserAgent;
    private final long receivedAt;

    /**
     * @param headerUserAgent the request's User-Agent, for sessions whose attributes name none
     * @param receivedAt      when the request arrived, epoch ms (the time of sessions that give none)
     */
    SentrySessions(String appId, String headerUserAgent, long receivedAt) {
        this.appId = appId;
        this.headerUserAgent = headerUserAgent;
        this.receivedAt = receivedAt;
    }

    /**
     * A {@code session} item (one run of the app: develop.sentry.dev "Sessions") as a
     * {@code session_update} event: its release and environment from {@code attrs}, its distinct id
     * as the user, and {@code sid}, {@code status}, {@code errors} and {@code init} as properties,
     * what {@code ReleaseHealthQueries} counts. Without a release it is refused: release health is
     * counted per release, and Sentry refuses such sessions too.
     */
    Event session(FieldReader f, int index, int size) {
        String sid = f.requiredString("sid");
        FieldReader attrs = attrs(f);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("sid", cut(sid));
        String status = f.string("status");
        properties.put("status", status == null ? "ok" : cut(status));
        Integer errors = f.integer("errors");
        properties.put("errors", errors == null ? 0 : Math.max(0, errors));
        if (Boolean.TRUE.equals(f.raw().get("init"))) {
            properties.put("init", true);
        }
        if (f.raw().get("duration") instanceof Number duration && Double.isFinite(duration.doubleValue())) {
            properties.put("duration", duration.doubleValue());
        }
        long timestamp = f.has("timestamp") ? time(f, "timestamp") : f.has("started") ? time(f, "started") : receivedAt;
        // a retried envelope repeats the update: the same id makes the copy a duplicate
        Object seq = f.raw().get("seq") instanceof Number n ? n : f.raw().get("timestamp");
        return sessionUpdate(f, attrs, timestamp, index, size, seq == null ? null : cut(sid) + "/" + seq, properties,
                distinctId(f.string("did")));
    }

    /**
     * A {@code sessions} item (sessions counted by the SDK, as server SDKs send them) as one
     * {@code session_update} event per aggregate, with its counts as properties.
     */
    List<Event> sessionAggregates(FieldReader f, int index, int size) {
        FieldReader attrs = attrs(f);
        List<?> aggregates = f.array("aggregates");
        if (aggregates == null) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field 'aggregates' is required");
        }
        if (aggregates.size() > MAX_AGGREGATES) {
            throw new FieldReader.FieldError("INVALID_FIELD", "at most " + MAX_AGGREGATES + " aggregates in one item");
        }
        List<Event> events = new ArrayList<>(aggregates.size());
        for (Object o : aggregates) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new FieldReader.FieldError("INVALID_FIELD", "field 'aggregates' must be an array of objects");
            }
            FieldReader aggregate = new FieldReader(stringKeys(m));
            Map<String, Object> counts = new LinkedHashMap<>();
            for (String outcome : List.of("exited", "errored", "abnormal", "crashed")) {
                counts.put(outcome, count(aggregate, outcome));
            }
            // SDKs since version 11 count errors nobody caught, which did not end the app, as unhandled:
            // errored sessions, not crashes, as Sentry counts them
            counts.put("errored", (int) counts.get("errored") + count(aggregate, "unhandled"));
            events.add(sessionUpdate(f, attrs, time(aggregate, "started"), index, size, null, counts,
                    distinctId(aggregate.string("did"))));
        }
        return events;
    }

    private static int count(FieldReader aggregate, String outcome) {
        Integer n = aggregate.integer(outcome);
        return n == null ? 0 : Math.max(0, n);
    }

    private Event sessionUpdate(FieldReader f, FieldReader attrs, long timestamp, int index, int size, String eventId,
                                Map<String, Object> properties, String user) {
        String userAgent = attrs.string("user_agent");
        return Event.builder(appId, EventType.SESSION_UPDATE, timestamp)
                .index(index)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .eventId(eventId)
                .userId(user)
                .userAgent(userAgent != null ? userAgent : headerUserAgent)
                .release(attrs.requiredString("release"))
                .environment(attrs.string("environment"))
                .properties(properties)
                .build();
    }

    private static FieldReader attrs(FieldReader f) {
        Map<String, Object> attrs = f.object("attrs");
        if (attrs == null) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field 'attrs' (with the release) is required");
        }
        return new FieldReader(attrs);
    }

    /**
     * Sentry's distinct id is the user's id, else their email or username: an email address is not
     * kept (TraceFlow keeps no contact details), so such a session counts for no user.
     */
    private static String distinctId(String did) {
        return did == null || did.contains("@") ? null : cut(did);
    }

    private long time(FieldReader f, String field) {
        return SentryValues.time(f, field, receivedAt);
    }
}
