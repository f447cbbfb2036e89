package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The events in the committed journal fixtures (src/test/resources/journal-fixtures): format 1 was
 * written by build a37ae83 (2026-11-28) from exactly these events, format 2 by this build's
 * {@code JournalFixtureTest.writeFormat2Fixture}. Two requests: the first 7 events, then the rest.
 * Like the fixtures, these events never change, so they are written out here rather than taken
 * from the storage module's {@code TestEvents}, which may.
 */
final class JournalFixtureEvents {

    static final Instant AT = Instant.parse("2026-11-27T10:15:30.123Z");
    static final int FIRST_REQUEST = 7;

    private JournalFixtureEvents() {
    }

    static List<Event> all() {
        List<Event> events = new ArrayList<>(List.of(
                base(EventType.PAGEVIEW, AT).eventId("fixture-pv").build(),
                error(),
                base(EventType.PERFORMANCE, AT).details(new EventDetails.PerformanceDetails(
                        Map.of("fcp", 800.0, "lcp", 1200.0, "cls", 0.02),
                        List.of(new EventDetails.ResourceTiming("https://a.test/app.js", "script", 10.0, 120.5, 2048.0)))).build(),
                base(EventType.WEB_VITAL, AT).details(new EventDetails.WebVitalDetails("LCP", 2100, "good", 2100.0, "v1-1", "navigate")).build(),
                base(EventType.RESOURCE, AT).details(new EventDetails.ResourceDetails(
                        new EventDetails.ResourceTiming("https://a.test/a.css", "link", 5.0, 30.0, null))).build(),
                base(EventType.CLICK, AT).details(new EventDetails.ClickDetails(120, 340, 1280, 800, "#buy")).build(),
                base(EventType.EVENT, AT).details(new EventDetails.CustomEventDetails("signup")).build(),
                base(EventType.SESSION_START, AT).build(),
                base(EventType.SESSION_END, AT).build(),
                base(EventType.CONVERSION, AT).properties(Map.of("conversionType", "trial")).build(),
                base(EventType.PURCHASE, AT).properties(Map.of("revenue", 19.99)).build(),
                base(EventType.API, AT).details(new EventDetails.ApiCallDetails("GET", "https://api.test/x", 200, 85.0)).build()));
        Event rich = base(EventType.PAGEVIEW, AT.plusSeconds(1)).eventId("fixture-rich")
                .title("Ünïcödé \"quoted\" \\ tab\t ✓ 😀").properties(Map.of("revenue", 12.5, "list", List.of("a", true, 3)))
                .build();
        rich.path("/pricing");
        rich.utm("news", "email", "launch");
        rich.trafficSource("news");
        rich.client("Chrome", "131.0", "Mac OS X", "10.15", "desktop");
        rich.country("DE");
        events.add(rich);
        events.add(Event.builder("demo", EventType.SESSION_START, AT.plusSeconds(2).toEpochMilli()).build());
        return events;
    }

    private static Event error() {
        Event e = base(EventType.ERROR, AT)
                .details(new EventDetails.ErrorDetails("x is undefined", "TypeError: x is undefined\n    at f (https://a.test/app.js:1:2)",
                        "TypeError", "https://a.test/app.js", 1, 2, List.of("custom")))
                .build();
        e.fingerprint("0123456789abcdef");
        return e;
    }

    private static Event.Builder base(EventType type, Instant at) {
        return Event.builder("demo", type, at.toEpochMilli())
                .receivedAt(at.toEpochMilli() + 7)
                .sessionId("s-1")
                .userId("u-1")
                .anonymousId("anon-1")
                .url("https://a.test/pricing?utm_source=news")
                .referrer("https://news.test/")
                .title("Pricing")
                .userAgent("Mozilla/5.0")
                .release("1.0.0")
                .environment("production")
                .properties(Map.of("plan", "pro", "nested", Map.of("a", List.of(1, 2))))
                .metadata(Map.of("sdk", "test"));
    }

    /** Every field of the event, maps in key order, so two events compare by what they hold. */
    static String describe(Event e) {
        return String.join("|", List.of(
                e.appId(), e.type().wireName(), Long.toString(e.timestamp()), Long.toString(e.receivedAt()),
                Integer.toString(e.sizeBytes()), s(e.eventId()), s(e.sessionId()), s(e.userId()), s(e.anonymousId()),
                s(e.url()), s(e.referrer()), s(e.title()), s(e.userAgent()), s(e.release()), s(e.environment()),
                sorted(e.properties()).toString(), sorted(e.metadata()).toString(), sorted(e.details()).toString(),
                s(e.path()), s(e.utmSource()), s(e.utmMedium()), s(e.utmCampaign()), s(e.trafficSource()),
                s(e.browser()), s(e.browserVersion()), s(e.os()), s(e.osVersion()), s(e.deviceType()), s(e.country()),
                Boolean.toString(e.bot()), s(e.fingerprint())));
    }

    private static String s(String v) {
        return v == null ? "<null>" : v;
    }

    /** Maps as TreeMaps, recursively, and records with their maps sorted: insertion order is not content. */
    private static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), sorted(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(JournalFixtureEvents::sorted).toList();
        }
        if (v instanceof EventDetails.PerformanceDetails p) {
            return "Performance" + sorted(p.metrics()) + p.resources();
        }
        return v;
    }
}
