package dev.traceflow.storage.tests;

import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.ProductQueries.ActiveUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Product analytics on every backend (seed 002's questions: daily active users, message statistics
 * by type per day, error trend by type), on a small golden dataset worked out by hand:
 *
 * <pre>
 * Tue 24 Nov  09:00 message_sent u1 {type text, size 100}     Wed 25 Nov  09:00 message_sent u2 {type 7}
 *             10:00 message_sent u1 {type image, size 2000}               10:00 error_occurred u2 {errorType NetworkError}
 *             11:00 message_sent a2 {type text, size 50}                  10:05 error_occurred u2 {errorType NetworkError}
 *             12:00 message_sent session s9 {type text, size "big"}       11:00 error_occurred u4 {errorType Timeout}
 *             13:00 pageview u3;  14:00 pageview with no identity
 * </pre>
 */
public abstract class ProductQueriesContract extends AnswerContract {

    protected static final String APP = "product-chat";
    private static final Instant D24 = Instant.parse("2026-11-24T00:00:00Z");
    private static final Instant D27 = Instant.parse("2026-11-27T00:00:00Z");

    @BeforeEach
    void storeGoldenDataset() {
        store(custom("message_sent", "2026-11-24T09:00:00", props("type", "text", "size", 100)).user("u1"),
                custom("message_sent", "2026-11-24T10:00:00", props("type", "image", "size", 2000)).user("u1"),
                custom("message_sent", "2026-11-24T11:00:00", props("type", "text", "size", 50)).anonymous("a2"),
                custom("message_sent", "2026-11-24T12:00:00", props("type", "text", "size", "big")).session("s9"),
                pageview(APP, t("2026-11-24T13:00:00"), "/chat").user("u3"),
                pageview(APP, t("2026-11-24T14:00:00"), "/chat"),
                custom("message_sent", "2026-11-25T09:00:00", props("type", 7)).user("u2"),
                custom("error_occurred", "2026-11-25T10:00:00", props("errorType", "NetworkError")).user("u2"),
                custom("error_occurred", "2026-11-25T10:05:00", props("errorType", "NetworkError")).user("u2"),
                custom("error_occurred", "2026-11-25T11:00:00", props("errorType", "Timeout")).user("u4")
                        .client("Firefox", "Linux", "desktop"));
    }

    private static Instant t(String isoWithoutZone) {
        return Instant.parse(isoWithoutZone + "Z");
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static QueryEvents custom(String name, String at, Map<String, Object> properties) {
        return event(APP, EventType.EVENT, t(at)).details(new CustomEventDetails(name)).properties(properties);
    }

    private static EventQuery days() {
        return EventQuery.of(APP, D24, D27).withSeries(Granularity.DAY, ZoneOffset.UTC);
    }

    private List<Double> values(EventQuery q, String name, String aggregate) {
        List<SeriesPoint> points = storage.product().events(q, EventAggregate.parse(name, aggregate, null, 10));
        assertThat(points).allSatisfy(p -> assertThat(p.dimensionValue()).isNull());
        return points.stream().map(SeriesPoint::value).toList();
    }

    private List<String> broken(String name, String aggregate, String breakdown, int limit) {
        return storage.product().events(days(), EventAggregate.parse(name, aggregate, breakdown, limit)).stream()
                .map(p -> p.ts().toString().substring(5, 10) + " " + p.dimensionValue() + " " + p.value())
                .toList();
    }

    @Test
    void dailyActiveUsers_countDistinctUsersOfAnyEvent_emptyDaysAsZeros() {
        // the 24th: u1, a2, s9 (a session is the user of last resort), u3; the event with no identity is nobody
        List<ActiveUsers> dau = storage.product().activeUsers(days());

        assertThat(dau).extracting(ActiveUsers::ts).containsExactly(D24, D24.plusSeconds(86_400), D24.plusSeconds(2 * 86_400));
        assertThat(dau).extracting(ActiveUsers::users).containsExactly(4L, 2L, 0L);
    }

    @Test
    void weeklyAndMonthlyActiveUsers_areCalendarBucketsInTheZone() {
        EventQuery weeks = EventQuery.of(APP, D24, D27).withSeries(Granularity.WEEK, ZoneId.of("America/New_York"));
        EventQuery months = EventQuery.of(APP, D24, D27).withSeries(Granularity.MONTH, ZoneOffset.UTC);

        // Monday 23 Nov 00:00 in New York is 05:00 UTC
        assertThat(storage.product().activeUsers(weeks)).containsExactly(new ActiveUsers(t("2026-11-23T05:00:00"), 6));
        assertThat(storage.product().activeUsers(months)).containsExactly(new ActiveUsers(t("2026-11-01T00:00:00"), 6));
    }

    @Test
    void countAndUniqueUsers() {
        assertThat(values(days(), "message_sent", "count")).containsExactly(4.0, 1.0, 0.0);
        assertThat(values(days(), "message_sent", "unique_users")).containsExactly(3.0, 1.0, 0.0);
    }

    @Test
    void sumAndAvg_leaveOutEventsWhereThePropertyIsMissingOrNotANumber() {
        assertThat(values(days(), "message_sent", "sum:size")).containsExactly(2150.0, 0.0, 0.0);
        List<Double> avg = values(days(), "message_sent", "avg:size");
        assertThat(avg.getFirst()).isCloseTo(2150.0 / 3, within(1e-9));
        assertThat(avg.subList(1, 3)).containsExactly(0.0, 0.0);
    }

    @Test
    void messageStatisticsByType_breakdownOfAStringProperty_topByEvents() {
        // text 3 events; image 1 and "(none)" 1 (a number is not a breakdown value), ties by value
        assertThat(broken("message_sent", "count", "type", 10)).containsExactly(
                "11-24 text 3.0", "11-24 (none) 0.0", "11-24 image 1.0",
                "11-25 text 0.0", "11-25 (none) 1.0", "11-25 image 0.0",
                "11-26 text 0.0", "11-26 (none) 0.0", "11-26 image 0.0");
        assertThat(broken("message_sent", "sum:size", "type", 2)).containsExactly(
                "11-24 text 150.0", "11-24 (none) 0.0",
                "11-25 text 0.0", "11-25 (none) 0.0",
                "11-26 text 0.0", "11-26 (none) 0.0");
    }

    @Test
    void errorTrendByType() {
        assertThat(broken("error_occurred", "count", "errorType", 10)).containsExactly(
                "11-24 NetworkError 0.0", "11-24 Timeout 0.0",
                "11-25 NetworkError 2.0", "11-25 Timeout 1.0",
                "11-26 NetworkError 0.0", "11-26 Timeout 0.0");
    }

    @Test
    void filtersApplyToEachEventsOwnDimensions() {
        EventQuery firefox = days().withFilters(new Filters(null, null, null, "Firefox", null, null, null));

        assertThat(values(firefox, "error_occurred", "count")).containsExactly(0.0, 1.0, 0.0);
        assertThat(storage.product().activeUsers(firefox)).extracting(ActiveUsers::users).containsExactly(0L, 1L, 0L);
    }

    @Test
    void anUnknownEventName_isAllZeros() {
        assertThat(values(days(), "never_sent", "count")).containsExactly(0.0, 0.0, 0.0);
    }
}
