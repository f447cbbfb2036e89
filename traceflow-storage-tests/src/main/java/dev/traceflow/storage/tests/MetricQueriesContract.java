package dev.traceflow.storage.tests;

import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.MetricsOverview;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The metrics engine on every backend (API.md "Meaning of the numbers"), on a small golden dataset
 * whose numbers are worked out by hand below. Days are UTC unless a test names a zone.
 *
 * <pre>
 * Tue 24 Nov                                          Wed 25 Nov                       Thu 26
 * s1 u1 google  09:00:00 pv /home, 09:00:30 pv /pricing (own source direct)
 * s2 u2 Safari  10:00:00 pv /checkout, 10:00:03 purchase 12.5 "order"
 * a3 (no sid)   11:00:00 pv /home (Firefox)  - a bounce
 * -- no id --   12:00:00 pv /nobody (bing)   - in no session
 * night u1      23:50:00 pv /late  ........... 00:10:00 pv /later
 *                                               s5 u3 08:00:00 session_start, 08:00:05 event
 *                                               "signup", 08:00:06 conversion 30 "signup"
 * u1's first session ever: "old", Tue 17 Nov 12:00 (so u1 returns on the 24th)
 * </pre>
 */
public abstract class MetricQueriesContract extends AnswerContract {

    protected static final String APP = "metrics-shop";
    private static final Instant D24 = Instant.parse("2026-11-24T00:00:00Z");
    private static final Instant D25 = Instant.parse("2026-11-25T00:00:00Z");
    private static final Instant D26 = Instant.parse("2026-11-26T00:00:00Z");
    private static final Instant D27 = Instant.parse("2026-11-27T00:00:00Z");

    @BeforeEach
    void storeGoldenDataset() {
        store(pageview(APP, t("2026-11-17T12:00:00"), "/home").session("old").user("u1"),
                pageview(APP, t("2026-11-24T09:00:00"), "/home").session("s1").user("u1").trafficSource("google"),
                pageview(APP, t("2026-11-24T09:00:30"), "/pricing").session("s1").user("u1"),
                pageview(APP, t("2026-11-24T10:00:00"), "/checkout").session("s2").user("u2")
                        .client("Mobile Safari", "iOS", "mobile").trafficSource("newsletter"),
                event(APP, EventType.PURCHASE, t("2026-11-24T10:00:03")).session("s2").user("u2")
                        .properties(Map.of("revenue", 12.5, "conversionType", "order")),
                pageview(APP, t("2026-11-24T11:00:00"), "/home").anonymous("a3").client("Firefox", "Windows", "desktop"),
                pageview(APP, t("2026-11-24T12:00:00"), "/nobody").trafficSource("bing"),
                pageview(APP, t("2026-11-24T23:50:00"), "/late").session("night").user("u1"),
                pageview(APP, t("2026-11-25T00:10:00"), "/later").session("night").user("u1"),
                event(APP, EventType.SESSION_START, t("2026-11-25T08:00:00")).session("s5").user("u3"),
                event(APP, EventType.EVENT, t("2026-11-25T08:00:05")).session("s5").user("u3")
                        .details(new CustomEventDetails("signup")).properties(Map.of("plan", "pro")),
                event(APP, EventType.CONVERSION, t("2026-11-25T08:00:06")).session("s5").user("u3")
                        .properties(Map.of("revenue", 30, "conversionType", "signup")));
    }

    private static Instant t(String isoWithoutZone) {
        return Instant.parse(isoWithoutZone + "Z");
    }

    private static EventQuery days(Instant from, Instant to) {
        return EventQuery.of(APP, from, to).withSeries(Granularity.DAY, ZoneOffset.UTC);
    }

    private List<Double> values(Metric metric) {
        return values(days(D24, D27), metric);
    }

    private List<Double> values(EventQuery q, Metric metric) {
        List<SeriesPoint> points = storage.metrics().series(q, metric, null, 10);
        assertThat(points).allSatisfy(p -> assertThat(p.dimensionValue()).isNull());
        return points.stream().map(SeriesPoint::value).toList();
    }

    /** "ts value dimension" per point, for compact expectations. */
    private List<String> broken(Metric metric, MetricDimension dimension, int limit) {
        return storage.metrics().series(days(D24, D27), metric, dimension, limit).stream()
                .map(p -> p.ts().toString().substring(5, 10) + " " + p.dimensionValue() + " " + p.value())
                .toList();
    }

    @Test
    void everyBucketIsListed_emptyOnesAsZeros() {
        List<SeriesPoint> points = storage.metrics().series(days(D24, D27), Metric.PAGE_VIEWS, null, 10);

        assertThat(points).extracting(SeriesPoint::ts).containsExactly(D24, D25, D26);
        assertThat(points).extracting(SeriesPoint::value).containsExactly(6.0, 1.0, 0.0);
    }

    @Test
    void sessionCounts_sessionSpanningMidnightBelongsToItsStartDay() {
        assertThat(values(Metric.SESSIONS)).containsExactly(4.0, 1.0, 0.0);
        assertThat(values(Metric.ENGAGED_SESSIONS)).containsExactly(3.0, 1.0, 0.0);
        assertThat(values(Metric.EVENTS)).containsExactly(7.0, 4.0, 0.0);
    }

    @Test
    void bounceRate_singlePageSessionThatConvertsIsNoBounce_sessionsWithoutPageViewsLeftOut() {
        // the 24th: s1, s2, a3, night have page views; only a3 bounced (s2 converted). The 25th: s5 has none.
        assertThat(values(Metric.BOUNCE_RATE)).containsExactly(0.25, 0.0, 0.0);
    }

    @Test
    void meansOverSessionsWithPageViews() {
        // durations 30 s (s1), 3 s (s2: until its purchase), 0 s (a3), 1200 s (night); page views 2, 1, 1, 2
        assertThat(values(Metric.AVG_SESSION_DURATION)).containsExactly(308.25, 0.0, 0.0);
        assertThat(values(Metric.PAGES_PER_SESSION)).containsExactly(1.5, 0.0, 0.0);
    }

    @Test
    void visitors_newAndReturningUsers_byFirstSessionEver() {
        assertThat(values(Metric.VISITORS)).containsExactly(3.0, 1.0, 0.0);
        // u1's first session was on the 17th: returning; u2 and a3 are new on the 24th, u3 on the 25th
        assertThat(values(Metric.NEW_USERS)).containsExactly(2.0, 1.0, 0.0);
        assertThat(values(Metric.RETURNING_USERS)).containsExactly(1.0, 0.0, 0.0);
        // by month, u1's first session (the 17th) is in November's bucket, though before the range: new
        EventQuery month = EventQuery.of(APP, t("2026-11-20T00:00:00"), D27).withSeries(Granularity.MONTH, ZoneOffset.UTC);
        assertThat(values(month, Metric.NEW_USERS)).containsExactly(4.0);
        assertThat(values(month, Metric.RETURNING_USERS)).containsExactly(0.0);
        // by week, the 17th is the week before: u1 returns
        EventQuery week = EventQuery.of(APP, t("2026-11-16T00:00:00"), D27).withSeries(Granularity.WEEK, ZoneOffset.UTC);
        assertThat(values(week, Metric.NEW_USERS)).containsExactly(1.0, 3.0);
        assertThat(values(week, Metric.RETURNING_USERS)).containsExactly(0.0, 1.0);
    }

    @Test
    void conversionsAndRevenue() {
        assertThat(values(Metric.CONVERSIONS)).containsExactly(1.0, 1.0, 0.0);
        assertThat(values(Metric.REVENUE)).containsExactly(12.5, 30.0, 0.0);
    }

    @Test
    void pageViewsByPath_areByTheirOwnPath_topNByTotal_tiesByValue() {
        assertThat(broken(Metric.PAGE_VIEWS, MetricDimension.PATH, 3)).containsExactly(
                "11-24 /home 2.0", "11-24 /checkout 1.0", "11-24 /late 1.0",
                "11-25 /home 0.0", "11-25 /checkout 0.0", "11-25 /late 0.0",
                "11-26 /home 0.0", "11-26 /checkout 0.0", "11-26 /late 0.0");
    }

    @Test
    void pageViewsByTrafficSource_comeFromTheSessionsFirstEvent_elseTheirOwn() {
        // s1's second page view is attributed to google; the page view of no session keeps its own bing
        assertThat(broken(Metric.PAGE_VIEWS, MetricDimension.TRAFFIC_SOURCE, 10)).containsExactly(
                "11-24 direct 2.0", "11-24 google 2.0", "11-24 bing 1.0", "11-24 newsletter 1.0",
                "11-25 direct 1.0", "11-25 google 0.0", "11-25 bing 0.0", "11-25 newsletter 0.0",
                "11-26 direct 0.0", "11-26 google 0.0", "11-26 bing 0.0", "11-26 newsletter 0.0");
    }

    @Test
    void sessionsByPath_areByEntryPage_noneWithoutPageViews() {
        assertThat(broken(Metric.SESSIONS, MetricDimension.PATH, 10)).containsExactly(
                "11-24 /home 2.0", "11-24 (none) 0.0", "11-24 /checkout 1.0", "11-24 /late 1.0",
                "11-25 /home 0.0", "11-25 (none) 1.0", "11-25 /checkout 0.0", "11-25 /late 0.0",
                "11-26 /home 0.0", "11-26 (none) 0.0", "11-26 /checkout 0.0", "11-26 /late 0.0");
    }

    @Test
    void bounceRateByDevice_ranksBySessionsWithPageViews() {
        assertThat(broken(Metric.BOUNCE_RATE, MetricDimension.DEVICE_TYPE, 10)).containsExactly(
                "11-24 desktop 0.3333333333333333", "11-24 mobile 0.0",
                "11-25 desktop 0.0", "11-25 mobile 0.0",
                "11-26 desktop 0.0", "11-26 mobile 0.0");
    }

    @Test
    void revenueByConversionType_andEventsByType() {
        assertThat(broken(Metric.REVENUE, MetricDimension.CONVERSION_TYPE, 10)).containsExactly(
                "11-24 signup 0.0", "11-24 order 12.5",
                "11-25 signup 30.0", "11-25 order 0.0",
                "11-26 signup 0.0", "11-26 order 0.0");
        assertThat(broken(Metric.EVENTS, MetricDimension.EVENT_TYPE, 2)).containsExactly(
                "11-24 pageview 6.0", "11-24 conversion 0.0",
                "11-25 pageview 1.0", "11-25 conversion 1.0",
                "11-26 pageview 0.0", "11-26 conversion 0.0");
    }

    @Test
    void unsupportedCombination_isRefused() {
        assertThatThrownBy(() -> storage.metrics().series(days(D24, D27), Metric.SESSIONS, MetricDimension.EVENT_TYPE, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sessions").hasMessageContaining("event_type");
    }

    @Test
    void filters_eventMetricsOnTheirOwnDimensions_sessionMetricsOnTheSessions() {
        EventQuery home = days(D24, D27).withFilters(new Filters(null, null, "/home", null, null, null, null));
        EventQuery safari = days(D24, D27).withFilters(new Filters(null, null, null, "Mobile Safari", null, null, null));

        assertThat(values(home, Metric.PAGE_VIEWS)).containsExactly(2.0, 0.0, 0.0);
        assertThat(values(home, Metric.SESSIONS)).containsExactly(2.0, 0.0, 0.0); // s1 and a3 entered on /home
        assertThat(values(safari, Metric.SESSIONS)).containsExactly(1.0, 0.0, 0.0);
        assertThat(values(safari, Metric.REVENUE)).containsExactly(0.0, 0.0, 0.0); // the purchase itself is Chrome
    }

    @Test
    void weekStartsOnMondayInTheAskedZone() {
        // Sun 22 Nov 22:30 UTC is Sunday 23:30 in Berlin; 23:30 UTC is already Monday 00:30 there
        store(pageview(APP, t("2026-11-22T22:30:00"), "/sun").session("w1"),
                pageview(APP, t("2026-11-22T23:30:00"), "/mon").session("w2"));
        Instant from = t("2026-11-20T00:00:00");
        Instant to = t("2026-11-23T12:00:00");
        EventQuery berlin = EventQuery.of(APP, from, to).withSeries(Granularity.WEEK, ZoneId.of("Europe/Berlin"));
        EventQuery utc = EventQuery.of(APP, from, to).withSeries(Granularity.WEEK, ZoneOffset.UTC);

        List<SeriesPoint> inBerlin = storage.metrics().series(berlin, Metric.SESSIONS, null, 10);

        assertThat(inBerlin).extracting(SeriesPoint::ts)
                .containsExactly(t("2026-11-15T23:00:00"), t("2026-11-22T23:00:00"));
        assertThat(inBerlin).extracting(SeriesPoint::value).containsExactly(1.0, 1.0);
        assertThat(values(utc, Metric.SESSIONS)).containsExactly(2.0, 0.0);
    }

    @Test
    void overview_isTheRangeAsOneBucket() {
        MetricsOverview o = storage.metrics().overview(EventQuery.of(APP, D24, D25));

        assertThat(o.visitors()).isEqualTo(3);
        assertThat(o.sessions()).isEqualTo(4);
        assertThat(o.pageViews()).isEqualTo(6);
        assertThat(o.bounceRate()).isEqualTo(0.25);
        assertThat(o.avgSessionDuration()).isCloseTo(308.25, within(1e-9));
        assertThat(o.pagesPerSession()).isEqualTo(1.5);
        assertThat(o.engagedSessions()).isEqualTo(3);
        assertThat(o.newUsers()).isEqualTo(2);
        assertThat(o.returningUsers()).isEqualTo(1);
        assertThat(o.conversions()).isEqualTo(1);
        assertThat(o.revenue()).isEqualTo(12.5);
    }

    @Test
    void overview_ofAnEmptyRange_isZeros() {
        MetricsOverview o = storage.metrics().overview(EventQuery.of(APP, D26, D27));

        assertThat(o).isEqualTo(new MetricsOverview(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }
}
