package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.EventsStored;
import dev.traceflow.storage.EventsStored.ErrorGroupSeen;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a load tells about each error group: the type and message come from its latest event. */
class EventsStoredTallyTest {

    private static final long T = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    private static Event error(long at, String fingerprint, String type, String message) {
        Event e = Event.builder("app", EventType.ERROR, at)
                .details(new EventDetails.ErrorDetails(message, null, type, null, null, null, null)).build();
        e.fingerprint(fingerprint);
        return e;
    }

    private static List<ErrorGroupSeen> groups(EventsStored stored) {
        return stored.apps().getFirst().errorGroups();
    }

    @Test
    void typeAndMessage_areThoseOfTheLatestEvent_acrossRequests() {
        EventsStoredTally tally = new EventsStoredTally();
        StoredFacts first = StoredFacts.of(List.of(error(T + 500, "fp", "TypeError", "late"), error(T, "fp", "Error", "early")));
        StoredFacts second = StoredFacts.of(List.of(error(T + 100, "fp", "RangeError", "middle")));
        tally.add("app", first, new BitSet(), 0);
        tally.add("app", second, new BitSet(), 2);

        assertThat(groups(tally.build(Instant.now()))).containsExactly(new ErrorGroupSeen("fp",
                Instant.ofEpochMilli(T), Instant.ofEpochMilli(T + 500), 3, "TypeError", "late"));
    }

    @Test
    void ofEventsAtTheSameTime_theLaterInTheLoadWins_evenEventByEventWithDuplicates() {
        EventsStoredTally tally = new EventsStoredTally();
        StoredFacts request = StoredFacts.of(List.of(error(T, "fp", "A", "one"), error(T, "fp", "B", "two"),
                error(T, "fp", "C", "three (a duplicate)")));
        BitSet duplicates = new BitSet();
        duplicates.set(2);
        tally.add("app", request, duplicates, 0);
        tally.add("app", StoredFacts.of(List.of(error(T, "fp", null, null))).slice(0, 1), new BitSet(), 3);

        ErrorGroupSeen seen = groups(tally.build(Instant.now())).getFirst();

        assertThat(seen.count()).isEqualTo(3);
        assertThat(seen.errorType()).isNull();
        assertThat(seen.message()).isNull();
    }

    @Test
    void aRequestSplitAcrossLoads_tellsEachLoadItsOwnLatest() {
        StoredFacts request = StoredFacts.of(List.of(error(T + 9, "fp", "TypeError", "first half"),
                error(T + 1, "fp", "TypeError", "second half")));
        EventsStoredTally load1 = new EventsStoredTally();
        load1.add("app", request.slice(0, 1), new BitSet(), 0);
        EventsStoredTally load2 = new EventsStoredTally();
        load2.add("app", request.slice(1, 2), new BitSet(), 0);

        assertThat(groups(load1.build(Instant.now())).getFirst().message()).isEqualTo("first half");
        assertThat(groups(load2.build(Instant.now())).getFirst().message()).isEqualTo("second half");
    }

    private static Event pageView(String path) {
        Event e = Event.builder("app", EventType.PAGEVIEW, T).build();
        e.path(path);
        return e;
    }

    private static Event conversion(EventType type, Map<String, Object> properties) {
        return Event.builder("app", type, T).properties(properties).build();
    }

    @Test
    void theBreakdown_countsPageViewsByPath_conversionsByType_andRevenue_withoutDuplicates() {
        Map<String, Object> nanRevenue = new HashMap<>();
        nanRevenue.put("revenue", Double.NaN);
        StoredFacts request = StoredFacts.of(List.of(pageView("/"), pageView("/cart"), pageView("/"), pageView(null),
                conversion(EventType.PURCHASE, Map.of("revenue", 19.5, "conversionType", "order")),
                conversion(EventType.CONVERSION, Map.of("conversionType", "signup")),
                conversion(EventType.PURCHASE, Map.of("revenue", "12", "conversionType", "order")),
                conversion(EventType.PURCHASE, nanRevenue),
                conversion(EventType.PURCHASE, Map.of("revenue", 100, "conversionType", "order")),
                pageView("/cart")));
        BitSet duplicates = new BitSet();
        duplicates.set(8); // the 100 purchase was stored before
        duplicates.set(9); // and so was the last page view
        EventsStoredTally tally = new EventsStoredTally();
        tally.add("app", request, duplicates, 0);

        EventsStored.Breakdown breakdown = tally.build(Instant.now()).apps().getFirst().breakdown();

        assertThat(breakdown.pageViewsByPath()).isEqualTo(Map.of("/", 2L, "/cart", 1L));
        assertThat(breakdown.conversionsByType()).isEqualTo(Map.of("order", 2L, "signup", 1L));
        assertThat(breakdown.revenue()).as("a string or NaN revenue is no revenue").isEqualTo(19.5);
    }

    @Test
    void theBreakdown_ofWholeRequests_addsUpAcrossRequests() {
        EventsStoredTally tally = new EventsStoredTally();
        tally.add("app", StoredFacts.of(List.of(pageView("/"), conversion(EventType.PURCHASE, Map.of("revenue", 2.25)))),
                new BitSet(), 0);
        tally.add("app", StoredFacts.of(List.of(pageView("/"), conversion(EventType.PURCHASE, Map.of("revenue", 1)))),
                new BitSet(), 2);

        EventsStored.Breakdown breakdown = tally.build(Instant.now()).apps().getFirst().breakdown();

        assertThat(breakdown.pageViewsByPath()).isEqualTo(Map.of("/", 2L));
        assertThat(breakdown.revenue()).isEqualTo(3.25);
    }

    private static Event inSession(String sessionId, String userId, String anonymousId, EventType type, long at) {
        Event e = Event.builder("app", type, at).sessionId(sessionId).userId(userId).anonymousId(anonymousId).build();
        e.client("Chrome", "124", "Android", "14", "mobile");
        e.country("DE");
        e.trafficSource("google");
        return e;
    }

    @Test
    void sessionEvents_areTheStoredEventsWithASessionOrUser_inTheOrderStored_withoutDuplicates() {
        StoredFacts request = StoredFacts.of(List.of(inSession("s1", null, null, EventType.PAGEVIEW, T + 2),
                inSession(null, null, null, EventType.PAGEVIEW, T), // in no session
                inSession(null, "u1", "a1", EventType.PURCHASE, T + 1),
                inSession(null, null, "a2", EventType.CLICK, T),
                inSession("s1", null, null, EventType.PAGEVIEW, T + 3))); // stored before
        BitSet duplicates = new BitSet();
        duplicates.set(4);
        EventsStoredTally tally = new EventsStoredTally();
        tally.add("app", request, duplicates, 0);
        tally.add("app", StoredFacts.of(List.of(inSession("s2", null, null, EventType.CLICK, T))), new BitSet(), 5);

        List<EventsStored.SessionEvent> events = tally.build(Instant.now()).apps().getFirst().sessionEvents();

        EventsStored.SessionDimensions dimensions = new EventsStored.SessionDimensions("mobile", "google", "Chrome", "Android", "DE");
        assertThat(events).containsExactly(new EventsStored.SessionEvent("s1", null, T + 2, true, false, dimensions),
                new EventsStored.SessionEvent(null, "u1", T + 1, false, true, dimensions),
                new EventsStored.SessionEvent(null, "a2", T, false, false, dimensions),
                new EventsStored.SessionEvent("s2", null, T, false, false, dimensions));
        assertThat(events.get(0).dimensions()).as("a request's events share equal dimensions").isSameAs(events.get(1).dimensions());
    }
}
