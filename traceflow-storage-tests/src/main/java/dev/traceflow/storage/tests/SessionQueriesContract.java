package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.core.storage.EventStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every backend forms sessions (API.md "Meaning of the numbers"), on a small dataset whose
 * answers are worked out by hand here.
 */
public abstract class SessionQueriesContract {

    protected static final String APP = "shop";
    /** A Tuesday. */
    protected static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");

    protected EventStorage storage;

    protected abstract EventStorage openStorage();

    @BeforeEach
    void open() {
        storage = openStorage();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-11-24T" + hhmmss + "Z");
    }

    private void store(QueryEvents... events) {
        storage.consumer().accept(java.util.Arrays.stream(events).map(QueryEvents::build).toList());
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
}
