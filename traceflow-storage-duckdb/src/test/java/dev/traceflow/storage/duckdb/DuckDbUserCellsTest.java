package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Visitors, new and returning users per bucket and dimension value as counts of the cached rows
 * whose previous session of the same value is outside the bucket ({@link DuckDbUserCells}): the
 * same series as the reference backend's grouping by user, across zones, a DST change, buckets
 * that start before the range, ties of start, sessions across midnight and the value
 * {@code (none)} both missing and written out.
 */
class DuckDbUserCellsTest {

    private static final String APP = "users";
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    /** Times in UTC; Berlin turns its clocks back on 2026-10-25 at 01:00 UTC. */
    private static Instant at(String dayAndTime) {
        return Instant.parse("2026-10-" + dayAndTime + "Z");
    }

    /**
     * "multi": sessions in Firefox and Chrome on the 22nd (one before 13:00), across midnight into the
     * 25th, and in Berlin's repeated hour; "tie": two client sessions starting together on the 26th
     * after one on the 20th; "early" first on the 20th, back on the 27th and 28th; "none": on the
     * 27th without a country and with the country written as {@code (none)}; a client session of no
     * user; an anonymous visitor twice on the 23rd.
     */
    private static List<Event> visits() {
        List<Event> events = new ArrayList<>();
        events.add(pageview(APP, at("22T10:00:00"), "/a").user("multi").client("Firefox", "Linux", "desktop").country("DE").build());
        events.add(pageview(APP, at("22T14:00:00"), "/b").user("multi").client("Chrome", "Linux", "desktop").country("DE").build());
        events.add(pageview(APP, at("22T18:00:00"), "/a").user("multi").client("Firefox", "Linux", "desktop").country("FR")
                .trafficSource("news").build());
        events.add(pageview(APP, at("24T23:50:00"), "/b").session("m-1").user("multi").client("Chrome", "Linux", "mobile").build());
        events.add(pageview(APP, at("25T00:10:00"), "/c").session("m-1").user("multi").client("Chrome", "Linux", "mobile").build());
        events.add(pageview(APP, at("25T00:30:00"), "/a").session("m-2").user("multi").client("Firefox", "Linux", "desktop").build());
        events.add(pageview(APP, at("25T01:30:00"), "/a").session("m-3").user("multi").client("Firefox", "Linux", "desktop").build());
        events.add(pageview(APP, at("20T09:00:00"), "/").session("t-0").user("tie").client("Safari", "macOS", "desktop").build());
        for (String sid : List.of("t-b", "t-a")) {
            events.add(pageview(APP, at("26T09:00:00"), sid.equals("t-a") ? "/a" : "/").session(sid).user("tie")
                    .client("Safari", "macOS", "desktop").build());
        }
        for (String day : List.of("20T08:00:00", "27T08:00:00", "28T06:00:00", "28T22:30:00")) {
            events.add(pageview(APP, at(day), "/a").user("early").client("Firefox", "Windows", "desktop").country("FR").build());
        }
        events.add(pageview(APP, at("27T10:00:00"), "/b").user("none").client("Chrome", "Android", "mobile").build());
        events.add(pageview(APP, at("27T15:00:00"), "/b").user("none").client("Chrome", "Android", "mobile")
                .country(MetricDimension.NONE).build());
        events.add(pageview(APP, at("27T16:00:00"), "/c").user("other").client("Chrome", "Android", "mobile")
                .country(MetricDimension.NONE).build());
        events.add(pageview(APP, at("24T12:00:00"), "/").session("lonely").client("Chrome", "Windows", "desktop").build());
        events.add(pageview(APP, at("23T08:00:00"), "/").anonymous("anon").client("Firefox", "Windows", "tablet").build());
        events.add(pageview(APP, at("23T11:00:00"), "/b").anonymous("anon").client("Firefox", "Windows", "tablet").build());
        return events;
    }

    private static final List<EventQuery> RANGES = List.of(
            EventQuery.of(APP, at("19T00:00:00"), at("31T00:00:00")),
            EventQuery.of(APP, at("22T13:00:00"), at("28T07:30:00")),
            EventQuery.of(APP, at("24T22:00:00"), at("25T04:00:00")));

    private static final List<Filters> FILTERS = List.of(Filters.NONE,
            new Filters(null, null, null, "Firefox", null, null, null),
            new Filters(null, null, null, null, null, null, MetricDimension.NONE),
            new Filters(null, null, "/a", null, null, null, null),
            new Filters(null, null, null, "Chrome", null, null, "DE"));

    private static final List<MetricDimension> DIMENSIONS = Arrays.asList(null, MetricDimension.BROWSER, MetricDimension.PATH,
            MetricDimension.COUNTRY, MetricDimension.TRAFFIC_SOURCE);

    @Test
    void usersByBucketAndValue_matchTheReference_inZonesAcrossADstChange() {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(visits());
            reference.consumer().accept(visits());
            for (EventQuery range : RANGES) {
                // hours over the shorter ranges only: the same rows, fewer buckets to compare
                List<Granularity> granularities = range == RANGES.getFirst() ? List.of(Granularity.DAY, Granularity.WEEK)
                        : List.of(Granularity.HOUR, Granularity.DAY);
                for (Granularity g : granularities) {
                    for (ZoneId zone : List.of(ZoneOffset.UTC, BERLIN)) {
                        for (Filters f : FILTERS) {
                            EventQuery q = range.withFilters(f).withSeries(g, zone);
                            for (Metric m : List.of(Metric.VISITORS, Metric.NEW_USERS, Metric.RETURNING_USERS)) {
                                for (MetricDimension d : DIMENSIONS) {
                                    assertThat(duckdb.metrics().series(q, m, d, 10)).as("%s by %s, %s", m, d, q)
                                            .isEqualTo(reference.metrics().series(q, m, d, 10));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneColumnToMatch_isACountOfRowsByTheirPreviousSession_twoOrTrafficSourceAGrouping() throws Exception {
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(visits());
            EventQuery days = RANGES.getFirst().withSeries(Granularity.DAY, ZoneOffset.UTC);
            EventQuery firefox = days.withFilters(FILTERS.get(1));
            EventQuery two = days.withFilters(FILTERS.get(4));
            // the 22nd: "multi" has three sessions, two in Firefox
            assertThat(value(duckdb.metrics().series(days, Metric.VISITORS, null, 10), "2026-10-22", null)).isEqualTo(1.0);
            assertThat(value(duckdb.metrics().series(days, Metric.VISITORS, MetricDimension.BROWSER, 10), "2026-10-22", "Firefox"))
                    .isEqualTo(1.0);
            assertThat(value(duckdb.metrics().series(firefox, Metric.NEW_USERS, null, 10), "2026-10-22", null)).isEqualTo(1.0);
            List<SeriesPoint> bySource = duckdb.metrics().series(days, Metric.VISITORS, MetricDimension.TRAFFIC_SOURCE, 10);
            List<SeriesPoint> byCountryOfTwo = duckdb.metrics().series(two, Metric.VISITORS, MetricDimension.COUNTRY, 10);

            // stand-in values only the count reads (never done outside tests): every session is its user's first of the value
            try (DuckDBConnection c = duckdb.database().connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE session_cache SET user_prev = NULL, user_prev_browser = NULL, user_prev_country = NULL");
            }
            assertThat(value(duckdb.metrics().series(days, Metric.VISITORS, null, 10), "2026-10-22", null)).isEqualTo(3.0);
            assertThat(value(duckdb.metrics().series(days, Metric.VISITORS, MetricDimension.BROWSER, 10), "2026-10-22", "Firefox"))
                    .isEqualTo(2.0);
            assertThat(value(duckdb.metrics().series(firefox, Metric.NEW_USERS, null, 10), "2026-10-22", null)).isEqualTo(2.0);
            assertThat(duckdb.metrics().series(days, Metric.VISITORS, MetricDimension.TRAFFIC_SOURCE, 10)).isEqualTo(bySource);
            assertThat(duckdb.metrics().series(two, Metric.VISITORS, MetricDimension.COUNTRY, 10)).isEqualTo(byCountryOfTwo);
        }
    }

    @Test
    void bucketsRiseWithTime_acrossBerlinsDstChanges() {
        for (Granularity g : List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH)) {
            TimeBuckets buckets = new TimeBuckets(at("01T00:00:00"), Instant.parse("2027-04-01T00:00:00Z"), g, BERLIN);
            assertThat(DuckDbUserCells.keysRiseWithTime(buckets, buckets.starts().getFirst(), Instant.parse("2027-04-01T00:00:00Z")))
                    .as(g.wireName()).isTrue();
        }
    }

    /**
     * St. John's turned its clocks back from 00:01 to 23:01 of the day before (until 2011): its day
     * 1997-10-25 then holds a session after one of the 26th, so a count by the previous session would
     * miss the user there; such ranges group by user.
     */
    @Test
    void aDayEndingTwice_isCountedByGrouping() {
        ZoneId stJohns = ZoneId.of("America/St_Johns");
        Instant from = Instant.parse("1997-10-24T12:00:00Z");
        Instant to = Instant.parse("1997-10-28T12:00:00Z");
        TimeBuckets days = new TimeBuckets(from, to, Granularity.DAY, stJohns);
        assertThat(DuckDbUserCells.keysRiseWithTime(days, days.starts().getFirst(), to)).isFalse();
        // local 00:00:30 on the 26th, then 23:40 on the 25th again: the 25th's only session follows one of the 26th
        List<Event> events = List.of(
                pageview(APP, Instant.parse("1997-10-26T02:30:30Z"), "/a").session("s-2").user("night").build(),
                pageview(APP, Instant.parse("1997-10-26T03:10:00Z"), "/a").session("s-3").user("night").build());
        try (DuckDbStorage duckdb = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duckdb.refreshSessionsInBackground(false);
            duckdb.consumer().accept(events);
            reference.consumer().accept(events);
            EventQuery q = EventQuery.of(APP, from, to).withSeries(Granularity.DAY, stJohns);
            // the user is new on the 26th, where their first session starts, and returning on the 25th, whose
            // second hour 23:01-00:00 follows it
            for (Metric m : List.of(Metric.VISITORS, Metric.NEW_USERS, Metric.RETURNING_USERS)) {
                assertThat(duckdb.metrics().series(q, m, null, 10)).as(m.wireName()).isEqualTo(reference.metrics().series(q, m, null, 10));
            }
            Instant the25th = Instant.parse("1997-10-25T02:30:00Z"); // local midnight, daylight time (-2:30)
            assertThat(duckdb.metrics().series(q, Metric.RETURNING_USERS, null, 10)).filteredOn(p -> p.ts().equals(the25th))
                    .extracting(SeriesPoint::value).containsExactly(1.0);
        }
    }

    private static double value(List<SeriesPoint> series, String day, String dimensionValue) {
        Instant ts = Instant.parse(day + "T00:00:00Z");
        return series.stream().filter(p -> p.ts().equals(ts) && Objects.equals(p.dimensionValue(), dimensionValue))
                .findFirst().orElseThrow().value();
    }
}
