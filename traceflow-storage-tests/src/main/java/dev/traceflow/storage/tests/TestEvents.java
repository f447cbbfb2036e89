package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Events with every field filled, for backends' contract tests. */
public final class TestEvents {

    private TestEvents() {
    }

    public static Event pageview(String appId, Instant at) {
        return base(appId, EventType.PAGEVIEW, at).build();
    }

    public static Event withId(String appId, EventType type, Instant at, String eventId) {
        return base(appId, type, at).eventId(eventId).build();
    }

    public static Event error(String appId, Instant at) {
        Event e = base(appId, EventType.ERROR, at)
                .details(new EventDetails.ErrorDetails("x is undefined", "TypeError: x is undefined\n    at f (https://a.test/app.js:1:2)",
                        "TypeError", "https://a.test/app.js", 1, 2, List.of("custom")))
                .build();
        e.fingerprint("0123456789abcdef");
        return e;
    }

    /** One event of each type, each with its type-specific details. */
    public static List<Event> oneOfEachType(String appId, Instant at) {
        return List.of(
                pageview(appId, at),
                error(appId, at),
                base(appId, EventType.PERFORMANCE, at).details(new EventDetails.PerformanceDetails(
                        Map.of("fcp", 800.0, "lcp", 1200.0, "cls", 0.02),
                        List.of(new EventDetails.ResourceTiming("https://a.test/app.js", "script", 10.0, 120.5, 2048.0)))).build(),
                base(appId, EventType.WEB_VITAL, at).details(new EventDetails.WebVitalDetails("LCP", 2100, "good", 2100.0, "v1-1", "navigate")).build(),
                base(appId, EventType.RESOURCE, at).details(new EventDetails.ResourceDetails(
                        new EventDetails.ResourceTiming("https://a.test/a.css", "link", 5.0, 30.0, null))).build(),
                base(appId, EventType.CLICK, at).details(new EventDetails.ClickDetails(120, 340, 1280, 800, "#buy")).build(),
                base(appId, EventType.EVENT, at).details(new EventDetails.CustomEventDetails("signup")).build(),
                base(appId, EventType.SESSION_START, at).build(),
                base(appId, EventType.SESSION_END, at).build(),
                base(appId, EventType.CONVERSION, at).properties(Map.of("conversionType", "trial")).build(),
                base(appId, EventType.PURCHASE, at).properties(Map.of("revenue", 19.99)).build(),
                base(appId, EventType.API, at).details(new EventDetails.ApiCallDetails("GET", "https://api.test/x", 200, 85.0)).build(),
                base(appId, EventType.SESSION_UPDATE, at).properties(Map.of("sid", "r-1", "status", "crashed", "errors", 1, "init", true))
                        .build());
    }

    public static Event.Builder base(String appId, EventType type, Instant at) {
        return Event.builder(appId, type, at.toEpochMilli())
                .receivedAt(at.toEpochMilli())
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
}
