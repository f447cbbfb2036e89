package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.core.storage.SessionDetail;
import dev.traceflow.core.storage.SessionPage;
import dev.traceflow.core.storage.SessionPosition;
import dev.traceflow.core.storage.StoredEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every backend forms sessions (API.md "Meaning of the numbers"), on a small dataset whose
 * answers are worked out by hand here.
 */
public abstract class SessionQueriesContract extends AnswerContract {

    protected static final String APP = "shop";
    /** A Tuesday. */
    protected static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-11-24T" + hhmmss + "Z");
    }

    private List<SessionSummary> sessionsOfDay() {
        return storage.sessions().summaries(EventQuery.of(APP, DAY, DAY.plusSeconds(86_400)));
    }

    @Test
    void clientSession_spansItsEventsWithEntryAndExitPage() {
        store(pageview(APP, at("10:00:00"), "/a").session("s1").user("u1"),
                event(APP, EventType.CLICK, at("10:00:05")).session("s1").path("/a"),
                pageview(APP, at("10:00:20"), "/b").session("s1"));

        List<SessionSummary> sessions = sessionsOfDay();

        assertThat(sessions).hasSize(1);
        SessionSummary s = sessions.getFirst();
        assertThat(s.id()).isEqualTo("s1");
        assertThat(s.user()).isEqualTo("u1");
        assertThat(s.pageViews()).isEqualTo(2);
        assertThat(s.events()).isEqualTo(3);
        assertThat(s.durationSeconds()).isEqualTo(20.0);
        assertThat(s.entryPage()).isEqualTo("/a");
        assertThat(s.exitPage()).isEqualTo("/b");
        assertThat(s.bounced()).isFalse();
        assertThat(s.engaged()).isTrue();
    }

    @Test
    void eventsWithoutSessionId_areSessionisedPerUserWithAThirtyMinuteGap() {
        store(pageview(APP, at("10:00:00"), "/x").anonymous("a1"),
                pageview(APP, at("10:30:00"), "/y").anonymous("a1"),   // exactly 30 min: same session
                pageview(APP, at("11:00:01"), "/z").anonymous("a1"));  // 30 min 1 s: a new one

        List<SessionSummary> sessions = sessionsOfDay();

        assertThat(sessions).hasSize(2);
        assertThat(sessions.get(0).pageViews()).isEqualTo(2);
        assertThat(sessions.get(0).user()).isEqualTo("a1");
        assertThat(sessions.get(0).id()).isEqualTo(Sessionizer.computedId("a1", at("10:00:00").toEpochMilli()));
        assertThat(sessions.get(1).pageViews()).isEqualTo(1);
        assertThat(sessions.get(1).bounced()).isTrue();
        assertThat(sessions.get(1).engaged()).isFalse();
    }

    @Test
    void singlePageSessionThatConverts_isNotABounce() {
        store(pageview(APP, at("09:00:00"), "/checkout").session("s2"),
                event(APP, EventType.PURCHASE, at("09:00:03")).session("s2").properties(Map.of("revenue", 12.5)));

        SessionSummary s = sessionsOfDay().getFirst();

        assertThat(s.bounced()).isFalse();
        assertThat(s.engaged()).isTrue();
        assertThat(s.conversions()).isEqualTo(1);
        assertThat(s.revenue()).isEqualTo(12.5);
    }

    @Test
    void sessionSpanningMidnight_belongsToTheDayItStarted() {
        store(pageview(APP, DAY.minusSeconds(600), "/late").session("night"),
                pageview(APP, DAY.plusSeconds(600), "/later").session("night"));

        List<SessionSummary> today = sessionsOfDay();
        List<SessionSummary> yesterday = storage.sessions().summaries(EventQuery.of(APP, DAY.minusSeconds(86_400), DAY));

        assertThat(today).isEmpty();
        assertThat(yesterday).extracting(SessionSummary::id).containsExactly("night");
        assertThat(yesterday.getFirst().durationSeconds()).isEqualTo(1200.0);
        assertThat(yesterday.getFirst().exitPage()).isEqualTo("/later");
    }

    @Test
    void eventsWithNoIdentity_belongToNoSession() {
        store(pageview(APP, at("08:00:00"), "/nobody"));

        assertThat(sessionsOfDay()).isEmpty();
    }

    @Test
    void sessionDimensions_comeFromTheFirstEvent_andFiltersUseThem() {
        store(event(APP, EventType.SESSION_START, at("12:00:00")).session("s3").client("Firefox", "Linux", "desktop")
                        .release("2.0").country("DE"),
                pageview(APP, at("12:00:01"), "/home").session("s3").client("Safari", "iOS", "mobile"),
                pageview(APP, at("12:05:00"), "/home").session("s4").client("Safari", "iOS", "mobile"));

        List<SessionSummary> all = sessionsOfDay();
        List<SessionSummary> firefox = storage.sessions().summaries(EventQuery.of(APP, DAY, DAY.plusSeconds(86_400))
                .withFilters(new Filters(null, null, null, "Firefox", null, null, null)));
        List<SessionSummary> enteredHome = storage.sessions().summaries(EventQuery.of(APP, DAY, DAY.plusSeconds(86_400))
                .withFilters(new Filters(null, null, "/home", null, null, "mobile", null)));

        assertThat(all).extracting(SessionSummary::browser).containsExactly("Firefox", "Safari");
        assertThat(all.getFirst().release()).isEqualTo("2.0");
        assertThat(all.getFirst().country()).isEqualTo("DE");
        assertThat(all.getFirst().entryPage()).isEqualTo("/home");
        assertThat(firefox).extracting(SessionSummary::id).containsExactly("s3");
        assertThat(enteredHome).extracting(SessionSummary::id).containsExactly("s4");
    }

    @Test
    void sessionUser_isTheFirstUserId_elseAnonymousId_elseTheSession() {
        store(pageview(APP, at("13:00:00"), "/").session("s5").anonymous("anon"),
                pageview(APP, at("13:00:01"), "/").session("s5").user("later-user"),
                pageview(APP, at("13:10:00"), "/").session("s6").anonymous("anon6"),
                pageview(APP, at("13:20:00"), "/").session("s7"));

        assertThat(sessionsOfDay()).extracting(SessionSummary::user).containsExactly("later-user", "anon6", "s7");
    }

    @Test
    void equalTimes_keepTheOrderStored() {
        Event first = pageview(APP, at("14:00:00"), "/first").session("s8").build();
        Event second = pageview(APP, at("14:00:00"), "/second").session("s8").build();
        storage.consumer().accept(List.of(first, second));

        SessionSummary s = sessionsOfDay().getFirst();

        assertThat(s.entryPage()).isEqualTo("/first");
        assertThat(s.exitPage()).isEqualTo("/second");
    }

    @Test
    void equalTimesOfDifferentTypes_areTakenInTypeNameOrder_thenInTheOrderStored() {
        // stored pageview first, but "click" < "pageview": a backend may store a closed range one
        // type after the other (DuckDB's compaction), so the rule must not depend on storage order
        Event view = pageview(APP, at("14:30:00"), "/landing").session("s10").eventId("view").client("Firefox", "Linux", "desktop").build();
        Event click = event(APP, EventType.CLICK, at("14:30:00")).session("s10").path("/landing")
                .eventId("click").client("Chrome", "Windows", "mobile").details(new EventDetails.ClickDetails(1, 2, 800, 600, "#a")).build();
        Event laterClick = event(APP, EventType.CLICK, at("14:30:00")).session("s10").path("/landing")
                .eventId("later-click").client("Safari", "macOS", "desktop").details(new EventDetails.ClickDetails(3, 4, 800, 600, "#b")).build();
        storage.consumer().accept(List.of(view, click, laterClick));

        SessionSummary s = sessionsOfDay().getFirst();
        assertThat(s.browser()).isEqualTo("Chrome");
        assertThat(s.deviceType()).isEqualTo("mobile");
        assertThat(storage.sessions().session(day(), "s10").orElseThrow().events())
                .extracting(StoredEvent::eventId).containsExactly("click", "later-click", "view");
    }

    private EventQuery day() {
        return EventQuery.of(APP, DAY, DAY.plusSeconds(86_400));
    }

    /** Five sessions: s-d (11:00), s-a, s-b, s-c (all 10:00), s-e (09:00); s-b entered on Firefox. */
    private void storeFiveSessions() {
        store(pageview(APP, at("10:00:00"), "/").session("s-c"),
                pageview(APP, at("10:00:00"), "/").session("s-a"),
                pageview(APP, at("10:00:00"), "/").session("s-b").client("Firefox", "Linux", "desktop"),
                pageview(APP, at("11:00:00"), "/").session("s-d"),
                pageview(APP, at("09:00:00"), "/").session("s-e"),
                pageview(APP, DAY.minusSeconds(60), "/").session("yesterday"));
    }

    @Test
    void newestFirst_ordersByStartDescendingThenIdDescending() {
        storeFiveSessions();

        SessionPage all = storage.sessions().newestFirst(day(), null, 100);

        assertThat(all.items()).extracting(SessionSummary::id).containsExactly("s-d", "s-c", "s-b", "s-a", "s-e");
        assertThat(all.total()).isEqualTo(5);
        assertThat(all.more()).isFalse();
        assertThat(all.next()).isNull();
    }

    @Test
    void newestFirst_pagesFromAPosition_withoutRepeatsOrGaps_evenWithinEqualStarts() {
        storeFiveSessions();

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        List<Long> totals = new ArrayList<>();
        SessionPosition after = null;
        for (int page = 0; page < 10; page++) {
            SessionPage p = storage.sessions().newestFirst(day(), after, 2);
            pageSizes.add(p.items().size());
            totals.add(p.total());
            p.items().forEach(s -> seen.add(s.id()));
            after = p.next();
            if (after == null) {
                break;
            }
        }
        SessionSummary last = storage.sessions().newestFirst(day(), null, 5).items().getLast();
        SessionPage pastTheEnd = storage.sessions().newestFirst(day(), new SessionPosition(last.start(), last.id()), 2);

        assertThat(seen).containsExactly("s-d", "s-c", "s-b", "s-a", "s-e");
        assertThat(pageSizes).containsExactly(2, 2, 1);
        assertThat(totals).containsOnly(5L);
        assertThat(pastTheEnd.items()).isEmpty();
        assertThat(pastTheEnd.total()).isEqualTo(5);
        assertThat(pastTheEnd.more()).isFalse();
    }

    @Test
    void newestFirst_afterAPosition_startsStrictlyBehindIt() {
        storeFiveSessions();

        List<SessionSummary> behindB = storage.sessions().newestFirst(day(),
                new SessionPosition(at("10:00:00").toEpochMilli(), "s-b"), 10).items();
        // a position need not be a session that exists: "s-bb" sorts between s-b and s-c
        List<SessionSummary> behindMadeUp = storage.sessions().newestFirst(day(),
                new SessionPosition(at("10:00:00").toEpochMilli(), "s-bb"), 10).items();

        assertThat(behindB).extracting(SessionSummary::id).containsExactly("s-a", "s-e");
        assertThat(behindMadeUp).extracting(SessionSummary::id).containsExactly("s-b", "s-a", "s-e");
    }

    @Test
    void count_countsTheSessionsOfTheQuery_withFilters() {
        storeFiveSessions();

        long all = storage.sessions().count(day());
        long firefox = storage.sessions().count(day().withFilters(new Filters(null, null, null, "Firefox", null, null, null)));
        long none = storage.sessions().count(EventQuery.of(APP, DAY.plusSeconds(86_400), DAY.plusSeconds(2 * 86_400)));

        assertThat(all).isEqualTo(5);
        assertThat(firefox).isEqualTo(1);
        assertThat(none).isZero();
        assertThat(storage.sessions().newestFirst(day().withFilters(new Filters(null, null, null, "Firefox", null, null, null)),
                null, 10).items()).extracting(SessionSummary::id).containsExactly("s-b");
        assertThat(storage.sessions().newestFirst(EventQuery.of(APP, DAY.plusSeconds(86_400), DAY.plusSeconds(2 * 86_400)),
                null, 10)).isEqualTo(new SessionPage(List.of(), 0, false));
    }

    /** One event of every kind, in a session "s9" from 15:00:00 to 15:00:13. */
    private List<Event> timeline() {
        Map<String, Object> nested = new LinkedHashMap<>();
        List<Object> list = new ArrayList<>(Arrays.asList(1, 2.5, true, null, "x"));
        nested.put("a", list);
        Map<String, Object> custom = new LinkedHashMap<>();
        custom.put("plan", "pro");
        custom.put("nested", nested);
        EventDetails.ResourceTiming script = new EventDetails.ResourceTiming("https://cdn.test/app.js", "script", 12.0, 80.5, 2048.0);
        return List.of(
                pageview(APP, at("15:00:00"), "/a").session("s9").user("u9").eventId("e1").title("Shop A")
                        .referrer("https://search.test/?q=a").properties(Map.of("seats", 3)).build(),
                event(APP, EventType.CLICK, at("15:00:05")).session("s9").path("/a")
                        .details(new EventDetails.ClickDetails(120.5, 300, 1280, 720, "#buy")).build(),
                event(APP, EventType.WEB_VITAL, at("15:00:06")).session("s9").path("/a")
                        .details(new EventDetails.WebVitalDetails("LCP", 2100.5, "good", 2100.5, "v1-123", "navigate")).build(),
                event(APP, EventType.ERROR, at("15:00:07")).session("s9").path("/a")
                        .details(new EventDetails.ErrorDetails("boom", "TypeError: boom\n    at f (https://shop.test/app.js:1:2)",
                                "TypeError", "https://shop.test/app.js", 1, 2, List.of("checkout", "boom"))).build(),
                event(APP, EventType.EVENT, at("15:00:08")).session("s9").path("/a")
                        .details(new EventDetails.CustomEventDetails("signup")).properties(custom).build(),
                event(APP, EventType.RESOURCE, at("15:00:09")).session("s9").path("/a")
                        .details(new EventDetails.ResourceDetails(script)).build(),
                event(APP, EventType.API, at("15:00:10")).session("s9").path("/a")
                        .details(new EventDetails.ApiCallDetails("GET", "https://shop.test/api/cart", 200, 45.0))
                        .properties(Map.of("method", "GET", "url", "https://shop.test/api/cart", "status", 200, "duration", 45.0)).build(),
                event(APP, EventType.PERFORMANCE, at("15:00:11")).session("s9").path("/a")
                        .details(new EventDetails.PerformanceDetails(Map.of("fcp", 900.0, "cls", 0.05), List.of(script))).build(),
                event(APP, EventType.PURCHASE, at("15:00:12")).session("s9").path("/a")
                        .properties(Map.of("revenue", 12.5, "conversionType", "order")).build(),
                pageview(APP, at("15:00:13"), "/b").session("s9").build(),
                pageview(APP, at("15:00:13"), "/c").session("s9").build());
    }

    @Test
    void session_answersTheSummaryAndEveryEventInTimeOrder_tiesInStorageOrder() {
        List<Event> events = new ArrayList<>(timeline());
        // stored out of time order: the timeline sorts by time, and keeps /b before /c (stored first)
        Event purchase = events.remove(8);
        events.add(purchase);
        storage.consumer().accept(events);

        SessionDetail detail = storage.sessions().session(day(), "s9").orElseThrow();

        assertThat(detail.summary().id()).isEqualTo("s9");
        assertThat(detail.summary().userId()).isEqualTo("u9");
        assertThat(detail.summary().events()).isEqualTo(11);
        assertThat(detail.summary().pageViews()).isEqualTo(3);
        assertThat(detail.summary().durationSeconds()).isEqualTo(13.0);
        assertThat(detail.summary().exitPage()).isEqualTo("/c");
        assertThat(detail.events()).extracting(StoredEvent::type).containsExactly(EventType.PAGEVIEW, EventType.CLICK,
                EventType.WEB_VITAL, EventType.ERROR, EventType.EVENT, EventType.RESOURCE, EventType.API,
                EventType.PERFORMANCE, EventType.PURCHASE, EventType.PAGEVIEW, EventType.PAGEVIEW);
        assertThat(detail.events()).extracting(StoredEvent::path).containsExactly("/a", "/a", "/a", "/a", "/a", "/a", "/a",
                "/a", "/a", "/b", "/c");
        assertThat(detail.events()).extracting(StoredEvent::timestamp)
                .isSorted().startsWith(at("15:00:00").toEpochMilli()).endsWith(at("15:00:13").toEpochMilli());
        // and each event reads back as it was sent
        assertThat(detail.events()).containsExactlyElementsOf(timeline().stream().map(StoredEvent::of).toList());
    }

    @Test
    void session_eventsCarryTheirCommonFieldsTypedFieldsAndProperties() {
        storage.consumer().accept(timeline());

        List<StoredEvent> events = storage.sessions().session(day(), "s9").orElseThrow().events();

        StoredEvent page = events.get(0);
        assertThat(page.eventId()).isEqualTo("e1");
        assertThat(page.url()).isEqualTo("https://shop.test/a");
        assertThat(page.title()).isEqualTo("Shop A");
        assertThat(page.referrer()).isEqualTo("https://search.test/?q=a");
        assertThat(page.fields()).isEmpty();
        assertThat(page.properties()).isEqualTo(Map.of("seats", 3L));
        assertThat(events.get(1).fields()).isEqualTo(Map.of("x", 120.5, "y", 300.0, "viewportWidth", 1280L,
                "viewportHeight", 720L, "selector", "#buy"));
        assertThat(events.get(2).fields()).isEqualTo(Map.of("name", "LCP", "value", 2100.5, "rating", "good",
                "delta", 2100.5, "id", "v1-123", "navigationType", "navigate"));
        assertThat(events.get(3).fields()).isEqualTo(Map.of("message", "boom",
                "stack", "TypeError: boom\n    at f (https://shop.test/app.js:1:2)", "errorType", "TypeError",
                "filename", "https://shop.test/app.js", "lineno", 1L, "colno", 2L, "fingerprint", List.of("checkout", "boom")));
        Map<String, Object> nested = new HashMap<>();
        nested.put("a", Arrays.asList(1L, 2.5, true, null, "x"));
        assertThat(events.get(4).fields()).isEqualTo(Map.of("name", "signup"));
        assertThat(events.get(4).properties()).isEqualTo(Map.of("plan", "pro", "nested", nested));
        Map<String, Object> script = Map.of("name", "https://cdn.test/app.js", "initiatorType", "script",
                "startTime", 12.0, "duration", 80.5, "transferSize", 2048.0);
        assertThat(events.get(5).fields()).isEqualTo(script);
        assertThat(events.get(6).fields()).isEqualTo(Map.of("name", "https://shop.test/api/cart", "method", "GET",
                "status", 200L, "duration", 45.0));
        assertThat(events.get(7).fields()).isEqualTo(Map.of("metrics", Map.of("fcp", 900.0, "cls", 0.05),
                "resources", List.of(script)));
        assertThat(events.get(8).fields()).isEmpty();
        assertThat(events.get(8).properties()).isEqualTo(Map.of("revenue", 12.5, "conversionType", "order"));
    }

    @Test
    void session_ofAComputedId_isFoundByReformingTheRangesSessions() {
        store(pageview(APP, at("16:00:00"), "/p").anonymous("a16"),
                event(APP, EventType.CLICK, at("16:10:00")).anonymous("a16").path("/p")
                        .details(new EventDetails.ClickDetails(1, 2, 10, 10, null)),
                pageview(APP, at("17:00:00"), "/q").anonymous("a16"));
        String first = Sessionizer.computedId("a16", at("16:00:00").toEpochMilli());
        String second = Sessionizer.computedId("a16", at("17:00:00").toEpochMilli());

        Optional<SessionDetail> one = storage.sessions().session(day(), first);
        Optional<SessionDetail> two = storage.sessions().session(day(), second);

        assertThat(one).hasValueSatisfying(d -> {
            assertThat(d.summary().user()).isEqualTo("a16");
            assertThat(d.events()).extracting(StoredEvent::type).containsExactly(EventType.PAGEVIEW, EventType.CLICK);
        });
        assertThat(two).hasValueSatisfying(d -> assertThat(d.events()).extracting(StoredEvent::path).containsExactly("/q"));
    }

    @Test
    void session_isEmpty_outsideTheRange_forOtherFiltersApps_orUnknownIds() {
        store(pageview(APP, DAY.minusSeconds(600), "/late").session("night"),
                pageview(APP, DAY.plusSeconds(600), "/later").session("night"),
                pageview(APP, at("18:00:00"), "/x").session("s18").client("Safari", "iOS", "mobile"),
                pageview("other-app", at("18:00:00"), "/x").session("theirs"));

        assertThat(storage.sessions().session(day(), "night")).isEmpty();
        assertThat(storage.sessions().session(EventQuery.of(APP, DAY.minusSeconds(86_400), DAY), "night"))
                .hasValueSatisfying(d -> assertThat(d.events()).hasSize(2));
        assertThat(storage.sessions().session(day().withFilters(new Filters(null, null, null, "Chrome", null, null, null)),
                "s18")).isEmpty();
        assertThat(storage.sessions().session(day().withFilters(new Filters(null, null, "/x", "Safari", null, "mobile", null)),
                "s18")).isPresent();
        assertThat(storage.sessions().session(day(), "theirs")).isEmpty();
        assertThat(storage.sessions().session(day(), "no-such-session")).isEmpty();
        assertThat(storage.sessions().session(day(), "~0123456789abcdef")).isEmpty();
    }

    @Test
    void session_ofAClientIdThatLooksComputed_isStillFound() {
        store(pageview(APP, at("19:00:00"), "/t").session("~client-made"),
                pageview(APP, at("19:00:00"), "/u").anonymous("a19"));

        assertThat(storage.sessions().session(day(), "~client-made"))
                .hasValueSatisfying(d -> assertThat(d.events()).extracting(StoredEvent::path).containsExactly("/t"));
        assertThat(storage.sessions().session(day(), Sessionizer.computedId("a19", at("19:00:00").toEpochMilli())))
                .hasValueSatisfying(d -> assertThat(d.events()).extracting(StoredEvent::path).containsExactly("/u"));
    }
}
