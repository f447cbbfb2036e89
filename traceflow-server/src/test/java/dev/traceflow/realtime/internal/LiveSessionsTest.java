package dev.traceflow.realtime.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.storage.EventsStored.SessionDimensions;
import dev.traceflow.storage.EventsStored.SessionEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sessions followed as their events are stored, on a hand-moved clock: what each load changes in the
 * counts, corrections of late events, expiry, bounds, and agreement with {@link Sessionizer} (the
 * reference the stored answers are tested against).
 */
class LiveSessionsTest {

    private static final long T = Instant.parse("2026-12-05T10:00:00Z").toEpochMilli();
    private static final long GAP = Sessionizer.INACTIVITY_GAP.toMillis();
    private static final SessionDimensions DE_MOBILE = new SessionDimensions("mobile", "google", "Chrome", "Android", "DE");
    private static final SessionDimensions FR_DESKTOP = new SessionDimensions("desktop", "direct", "Firefox", "Linux", "FR");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LiveSessions sessions = new LiveSessions(100, meters);
    private Instant now = Instant.ofEpochMilli(T);

    private static SessionEvent byId(String sessionId, long at, EventType type, SessionDimensions dimensions) {
        return new SessionEvent(sessionId, "u", at, type == EventType.PAGEVIEW,
                type == EventType.CONVERSION || type == EventType.PURCHASE, dimensions);
    }

    private static SessionEvent byUser(String user, long at, SessionDimensions dimensions) {
        return new SessionEvent(null, user, at, false, false, dimensions);
    }

    /** One load, stored now; the clock moves a second. */
    private SessionCounts load(SessionEvent... events) {
        SessionCounts counts = new SessionCounts();
        sessions.add("shop", List.of(events), now, counts);
        now = now.plusSeconds(1);
        return counts;
    }

    private static Map<String, Long> by(SessionCounts counts, MetricDimension d) {
        return counts.sessionsBy.get(d).top(1000);
    }

    @Test
    void aBoundBelowOne_isRefused_namingTheSetting() {
        assertThatThrownBy(() -> new LiveSessions(0, new SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TRACEFLOW_REALTIME_LIVE_SESSIONS_PER_APP");
    }

    @Test
    void aSessionIsCountedOnce_acrossLoads_withItsFirstEventsDimensions() {
        SessionCounts first = load(byId("s1", T, EventType.PAGEVIEW, DE_MOBILE), byId("s2", T, EventType.CLICK, FR_DESKTOP));
        SessionCounts second = load(byId("s1", T + 1000, EventType.CLICK, FR_DESKTOP));

        assertThat(first.sessions).isEqualTo(2);
        assertThat(by(first, MetricDimension.COUNTRY)).containsOnly(Map.entry("DE", 1L), Map.entry("FR", 1L));
        assertThat(by(first, MetricDimension.DEVICE_TYPE)).containsOnly(Map.entry("mobile", 1L), Map.entry("desktop", 1L));
        assertThat(second.sessions).isZero();
        assertThat(by(second, MetricDimension.COUNTRY)).as("a later event does not move the session").isEmpty();
        assertThat(sessions.held()).isEqualTo(2);
    }

    @Test
    void aLateEarlierEvent_movesTheSessionToItsFirstEventsDimensions_andOfEqualTimesTheFirstStoredStays() {
        load(byId("s1", T + 5000, EventType.PAGEVIEW, DE_MOBILE));
        SessionCounts sameTime = load(byId("s1", T + 5000, EventType.CLICK, FR_DESKTOP));
        SessionCounts earlier = load(byId("s1", T, EventType.CLICK, FR_DESKTOP));

        assertThat(by(sameTime, MetricDimension.COUNTRY)).isEmpty();
        assertThat(earlier.sessions).as("still one session").isZero();
        assertThat(by(earlier, MetricDimension.COUNTRY)).containsOnly(Map.entry("DE", -1L), Map.entry("FR", 1L));
        assertThat(by(earlier, MetricDimension.BROWSER)).containsOnly(Map.entry("Chrome", -1L), Map.entry("Firefox", 1L));
    }

    @Test
    void withoutASessionId_aUsersEventsSplitAtTheInactivityGap_andAnEventInTheGapJoinsTwoSessions() {
        SessionCounts first = load(byUser("u1", T, DE_MOBILE), byUser("u1", T + GAP, DE_MOBILE));
        SessionCounts apart = load(byUser("u1", T + 2 * GAP + 1, FR_DESKTOP), byUser("u2", T, FR_DESKTOP));
        SessionCounts bridge = load(byUser("u1", T + GAP + GAP / 2, DE_MOBILE));

        assertThat(first.sessions).as("exactly the gap apart: one session").isEqualTo(1);
        assertThat(apart.sessions).as("more than the gap apart: a new one; another user: another").isEqualTo(2);
        assertThat(bridge.sessions).as("two sessions became one").isEqualTo(-1);
        assertThat(by(bridge, MetricDimension.COUNTRY)).containsOnly(Map.entry("FR", -1L));
    }

    @Test
    void aSessionBecomesEngagedOnce_byItsSecondPageView_itsTenthSecond_orAConversion() {
        SessionCounts start = load(byId("pages", T, EventType.PAGEVIEW, DE_MOBILE), byId("long", T, EventType.CLICK, DE_MOBILE),
                byId("buys", T, EventType.PAGEVIEW, FR_DESKTOP));
        SessionCounts engage = load(byId("pages", T + 1, EventType.PAGEVIEW, DE_MOBILE), byId("long", T + 9_999, EventType.CLICK, DE_MOBILE),
                byId("buys", T + 1, EventType.PURCHASE, FR_DESKTOP));
        SessionCounts tenth = load(byId("long", T + 10_000, EventType.CLICK, DE_MOBILE), byId("pages", T + 20_000, EventType.PAGEVIEW, DE_MOBILE));

        assertThat(start.engaged).isZero();
        assertThat(engage.engaged).isEqualTo(2);
        assertThat(engage.engagedBy.get(MetricDimension.COUNTRY).top(10)).containsOnly(Map.entry("DE", 1L), Map.entry("FR", 1L));
        assertThat(engage.sessions).isZero();
        assertThat(tenth.engaged).as("the long one, not the one engaged already").isEqualTo(1);
        assertThat(tenth.sessions).isZero();
    }

    @Test
    void aMissingDimension_countsAsNone_asTheMetricsEndpointAnswersIt() {
        SessionCounts counts = load(byId("s1", T, EventType.PAGEVIEW, new SessionDimensions(null, "direct", null, null, null)));

        assertThat(by(counts, MetricDimension.COUNTRY)).containsOnly(Map.entry(MetricDimension.NONE, 1L));
        assertThat(by(counts, MetricDimension.TRAFFIC_SOURCE)).containsOnly(Map.entry("direct", 1L));
    }

    @Test
    void aSessionIsHeldForTheInactivityGap_ofStorageTime_thenForgotten_andCounted() {
        load(byId("s1", T, EventType.PAGEVIEW, DE_MOBILE));
        now = now.plus(Sessionizer.INACTIVITY_GAP).minusSeconds(2); // a second short of the gap since the load
        sessions.expire(now);
        SessionCounts stillHeld = load(byId("s1", T + 60_000, EventType.PAGEVIEW, DE_MOBILE));
        now = now.plus(Sessionizer.INACTIVITY_GAP);
        sessions.expire(now);

        assertThat(stillHeld.sessions).isZero();
        assertThat(sessions.held()).isZero();
        assertThat(meters.counter("traceflow.realtime.live.sessions.expired").count()).isEqualTo(1);
        assertThat(meters.get("traceflow.realtime.live.sessions.held").gauge().value()).isZero();
        SessionCounts afterwards = load(byId("s1", T + 120_000, EventType.PAGEVIEW, DE_MOBILE));
        assertThat(afterwards.sessions).as("no longer held: counts as a new session").isEqualTo(1);
    }

    @Test
    void anAppHoldsAtMostItsMaximum_droppingTheSessionTouchedLongestAgo_andCountsTheDrop() {
        LiveSessions two = new LiveSessions(2, meters);
        SessionCounts counts = new SessionCounts();
        two.add("shop", List.of(byId("a", T, EventType.PAGEVIEW, DE_MOBILE), byId("b", T, EventType.PAGEVIEW, DE_MOBILE),
                byId("a", T + 1, EventType.CLICK, DE_MOBILE), byId("c", T, EventType.PAGEVIEW, DE_MOBILE)), now, counts);
        two.add("kiosk", List.of(byId("a", T, EventType.PAGEVIEW, DE_MOBILE)), now, counts);
        two.add("shop", List.of(byId("a", T + 2, EventType.CLICK, DE_MOBILE)), now, counts);

        assertThat(counts.sessions).as("b was dropped, a kept (touched later); kiosk's a is its own").isEqualTo(4);
        assertThat(two.held()).isEqualTo(3);
        assertThat(meters.counter("traceflow.realtime.live.sessions.dropped", "reason", "app_full").count()).isEqualTo(1);
    }

    @Test
    void aUserWithoutSessionIds_holdsABoundedNumberOfSessions() {
        List<SessionEvent> replay = new ArrayList<>();
        for (int i = 0; i <= LiveSessions.MAX_PARTS_PER_USER; i++) {
            replay.add(byUser("u1", T + i * 2 * GAP, DE_MOBILE));
        }
        SessionCounts counts = load(replay.toArray(SessionEvent[]::new));

        assertThat(counts.sessions).isEqualTo(LiveSessions.MAX_PARTS_PER_USER + 1);
        assertThat(meters.counter("traceflow.realtime.live.sessions.dropped", "reason", "user_full").count()).isEqualTo(1);
    }

    /**
     * Events of sessions with and without ids, stored in a random order over random loads: the
     * increments add up to what {@link Sessionizer} forms from all of them.
     */
    @Test
    void theIncrementsAddUpToTheSessionsFormedFromAllEvents_inWhateverOrderTheyAreStored() {
        Random random = new Random(19);
        SessionDimensions[] dimensions = {DE_MOBILE, FR_DESKTOP, new SessionDimensions("tablet", null, "Safari", "iOS", "US")};
        EventType[] types = {EventType.PAGEVIEW, EventType.PAGEVIEW, EventType.CLICK, EventType.ERROR, EventType.PURCHASE};
        for (int round = 0; round < 20; round++) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Event.Builder b = Event.builder("shop", types[random.nextInt(types.length)], T + random.nextLong(3 * 3_600_000L));
                int who = random.nextInt(10);
                if (who < 5) {
                    b.sessionId("s" + random.nextInt(30));
                } else if (who < 8) {
                    b.userId("u" + random.nextInt(8));
                } else if (who < 9) {
                    b.anonymousId("a" + random.nextInt(3));
                }
                Event e = b.build();
                SessionDimensions d = dimensions[random.nextInt(dimensions.length)];
                e.client(d.browser(), null, d.os(), null, d.deviceType());
                e.country(d.country());
                e.trafficSource(d.trafficSource());
                events.add(e);
            }
            Collections.shuffle(events, random);
            LiveSessions live = new LiveSessions(10_000, new SimpleMeterRegistry());
            SessionCounts sum = new SessionCounts();
            for (int from = 0; from < events.size(); ) {
                int to = Math.min(events.size(), from + 1 + random.nextInt(40));
                List<SessionEvent> load = new ArrayList<>();
                for (Event e : events.subList(from, to)) {
                    SessionEvent s = SessionEvent.of(e, SessionDimensions.of(e));
                    if (s != null) {
                        load.add(s);
                    }
                }
                live.add("shop", load, Instant.ofEpochMilli(T), sum);
                from = to;
            }

            List<SessionSummary> reference = Sessionizer.sessions(events).stream().map(Sessionizer.Session::summary).toList();
            assertThat(sum.sessions).isEqualTo(reference.size());
            assertThat(sum.engaged).isEqualTo(reference.stream().filter(SessionSummary::engaged).count());
            assertThat(sum.sessionsBy.get(MetricDimension.COUNTRY).top(1000)).isEqualTo(countBy(reference, false));
            assertThat(sum.engagedBy.get(MetricDimension.COUNTRY).top(1000)).isEqualTo(countBy(reference, true));
        }
    }

    private static Map<String, Long> countBy(List<SessionSummary> sessions, boolean engagedOnly) {
        Map<String, Long> counts = new HashMap<>();
        for (SessionSummary s : sessions) {
            if (!engagedOnly || s.engaged()) {
                counts.merge(s.country() == null ? MetricDimension.NONE : s.country(), 1L, Long::sum);
            }
        }
        return counts;
    }

    @Test
    void clear_forgetsEverySession() {
        load(byId("s1", T, EventType.PAGEVIEW, DE_MOBILE));
        sessions.clear();

        assertThat(sessions.held()).isZero();
        assertThat(load(byId("s1", T + 1, EventType.PAGEVIEW, DE_MOBILE)).sessions).isEqualTo(1);
    }
}
