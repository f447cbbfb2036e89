package dev.traceflow.storage.tests;

import dev.traceflow.core.event.EventDetails.PerformanceDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.ResourceTiming;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.WebVitals.Rating;
import dev.traceflow.core.storage.PerformanceQueries.GroupBy;
import dev.traceflow.core.storage.PerformanceQueries.MetricStats;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStats;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStatsPage;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every backend answers the performance queries (API.md "Meaning of the numbers"), on small
 * datasets whose percentiles, ratings and counts are worked out by hand here. Percentiles are
 * {@code quantile_cont}: for sorted {@code v[0..n-1]}, position {@code p * (n - 1)}, linear between
 * the two closest ranks.
 */
public abstract class PerformanceQueriesContract extends AnswerContract {

    protected static final String APP = "perf";
    protected static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final Offset<Double> EXACT = Offset.offset(1e-9);

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-11-24T" + hhmmss + "Z");
    }

    private static EventQuery day() {
        return EventQuery.of(APP, DAY, DAY.plusSeconds(86_400));
    }

    /** A {@code performance} event with metrics given as key, value pairs. */
    private static QueryEvents performance(Instant time, Object... keyValues) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            metrics.put((String) keyValues[i], ((Number) keyValues[i + 1]).doubleValue());
        }
        return event(APP, EventType.PERFORMANCE, time).path("/").details(new PerformanceDetails(metrics, List.of()));
    }

    private static QueryEvents vital(Instant time, String name, double value, String id) {
        return event(APP, EventType.WEB_VITAL, time).path("/")
                .details(new WebVitalDetails(name, value, "good", null, id, "navigate"));
    }

    private static QueryEvents resource(Instant time, String name, String initiatorType, double duration, Double transferSize) {
        return event(APP, EventType.RESOURCE, time).path("/")
                .details(new ResourceDetails(new ResourceTiming(name, initiatorType, 12.0, duration, transferSize)));
    }

    private static void assertPercentiles(double[] actual, double p50, double p75, double p95) {
        assertThat(actual[0]).as("p50").isCloseTo(p50, EXACT);
        assertThat(actual[1]).as("p75").isCloseTo(p75, EXACT);
        assertThat(actual[2]).as("p95").isCloseTo(p95, EXACT);
    }

    private static void assertMetric(MetricStats m, String name, long count, double p50, double p75, double p95) {
        assertThat(m.name()).isEqualTo(name);
        assertThat(m.count()).as("count of %s", name).isEqualTo(count);
        assertPercentiles(new double[] {m.p50(), m.p75(), m.p95()}, p50, p75, p95);
    }

    private static void assertVital(VitalStats v, String name, long count, double p50, double p75, double p95,
                                    Rating rating, long good, long needsImprovement, long poor) {
        assertThat(v.name()).isEqualTo(name);
        assertThat(v.count()).as("count of %s", v).isEqualTo(count);
        assertPercentiles(new double[] {v.p50(), v.p75(), v.p95()}, p50, p75, p95);
        assertThat(v.rating()).as("rating of %s", v).isEqualTo(rating);
        assertThat(new long[] {v.good(), v.needsImprovement(), v.poor()}).as("good / ni / poor of %s", v)
                .containsExactly(good, needsImprovement, poor);
    }

    private static VitalStats only(List<VitalStats> rows, String name) {
        List<VitalStats> found = rows.stream().filter(v -> v.name().equals(name)).toList();
        assertThat(found).as("rows of %s in %s", name, rows).hasSize(1);
        return found.getFirst();
    }

    // ---- GET /api/performance

    @Test
    void metrics_arePercentilesOfPerformanceEvents_inApiOrder_withoutEmptyRows() {
        store(performance(at("10:00:00"), "fcp", 1000, "lcp", 2000, "load", 3000),
                performance(at("10:01:00"), "fcp", 2000, "lcp", 4000, "domLoad", 1500),
                performance(at("10:02:00"), "fcp", 3000),
                performance(at("10:03:00"), "fcp", 5000, "cls", 0.3),
                vital(at("10:04:00"), "FCP", 100, "v1"),                       // a web-vital: not a navigation timing
                performance(DAY.plusSeconds(86_400), "fcp", 9999));             // the next day: out of range

        List<MetricStats> metrics = storage.performance().metrics(day());

        assertThat(metrics).extracting(MetricStats::name).containsExactly("fcp", "lcp", "cls", "domLoad", "load");
        // fcp sorted 1000 2000 3000 5000: p50 at 1.5, p75 at 2.25 (3000 + .25 * 2000), p95 at 2.85 (3000 + .85 * 2000)
        assertMetric(metrics.get(0), "fcp", 4, 2500, 3500, 4700);
        // lcp 2000 4000: positions .5, .75, .95
        assertMetric(metrics.get(1), "lcp", 2, 3000, 3500, 3900);
        assertMetric(metrics.get(2), "cls", 1, 0.3, 0.3, 0.3);
        assertMetric(metrics.get(3), "domLoad", 1, 1500, 1500, 1500);
        assertMetric(metrics.get(4), "load", 1, 3000, 3000, 3000);
    }

    @Test
    void metrics_applyFiltersToEachEventsOwnDimensions() {
        store(performance(at("10:00:00"), "ttfb", 100).path("/a").client("Firefox", "Linux", "desktop"),
                performance(at("10:00:01"), "ttfb", 300).path("/a").client("Chrome", "Android", "mobile"),
                performance(at("10:00:02"), "ttfb", 500).path("/b").client("Firefox", "Linux", "desktop"));

        List<MetricStats> firefoxOnA = storage.performance().metrics(day()
                .withFilters(new Filters(null, null, "/a", "Firefox", null, null, null)));
        List<MetricStats> safari = storage.performance().metrics(day()
                .withFilters(new Filters(null, null, null, "Safari", null, null, null)));

        assertThat(firefoxOnA).hasSize(1);
        assertMetric(firefoxOnA.getFirst(), "ttfb", 1, 100, 100, 100);
        assertThat(safari).isEmpty();
    }

    @Test
    void nothingInRange_answersNoRows() {
        store(performance(DAY.minusSeconds(1), "fcp", 1000),
                vital(DAY.minusSeconds(1), "LCP", 1000, "old"),
                resource(DAY.minusSeconds(1), "https://cdn.test/a.js", "script", 10, null));

        assertThat(storage.performance().metrics(day())).isEmpty();
        assertThat(storage.performance().webVitals(day(), null)).isEmpty();
        assertThat(storage.performance().webVitals(day(), GroupBy.PATH)).isEmpty();
        assertThat(storage.performance().resources(day(), 10)).isEqualTo(new ResourceStatsPage(List.of(), 0));
    }

    // ---- GET /api/performance/web-vitals

    @Test
    void webVitals_repeatedIdKeepsTheLastValue_andTheRowIsRatedByItsP75() {
        store(vital(at("10:00:00"), "LCP", 1000, "a"),
                vital(at("10:05:00"), "LCP", 3000, "a"),   // the last report of "a": 1000 no longer counts
                vital(at("10:01:00"), "LCP", 2000, "b"),
                vital(at("10:02:00"), "LCP", 4500, "c"),
                vital(at("10:03:00"), "LCP", 2500, "d"));  // exactly the good threshold: good

        List<VitalStats> vitals = storage.performance().webVitals(day(), null);

        assertThat(vitals).hasSize(1);
        // sorted 2000 2500 3000 4500: p50 at 1.5 = 2750; p75 at 2.25 = 3000 + .25 * 1500 = 3375 (needs improvement);
        // p95 at 2.85 = 3000 + .85 * 1500 = 4275; good 2000, 2500; needs improvement 3000; poor 4500
        assertVital(vitals.getFirst(), "LCP", 4, 2750, 3375, 4275, Rating.NEEDS_IMPROVEMENT, 2, 1, 1);
        assertThat(vitals.getFirst().group()).isNull();
    }

    @Test
    void webVitals_lastReportIsByEventTime_thenByTheOrderStored() {
        store(vital(at("10:05:00"), "LCP", 2000, "u"),
                vital(at("10:01:00"), "LCP", 9000, "u"),   // stored later but earlier in time: "u" stays 2000
                vital(at("10:00:00"), "LCP", 5000, "t"),
                vital(at("10:00:00"), "LCP", 1000, "t"),   // same time, stored later: "t" is 1000
                vital(at("10:00:00"), "CLS", 0.5, "t"));   // the same id under another vital is another metric

        List<VitalStats> vitals = storage.performance().webVitals(day(), null);

        assertThat(vitals).extracting(VitalStats::name).containsExactly("LCP", "CLS");
        // 1000 2000: p50 1500, p75 1750, p95 1950; both good
        assertVital(vitals.get(0), "LCP", 2, 1500, 1750, 1950, Rating.GOOD, 2, 0, 0);
        assertVital(vitals.get(1), "CLS", 1, 0.5, 0.5, 0.5, Rating.POOR, 0, 0, 1);
    }

    @Test
    void webVitals_ratingsAtExactThresholds() {
        store(vital(at("11:00:00"), "CLS", 0.1, "c1"),     // = good threshold: good
                vital(at("11:00:01"), "CLS", 0.25, "c2"),  // = poor threshold: needs improvement
                vital(at("11:00:02"), "CLS", 0.3, "c3"),   // above: poor
                vital(at("11:01:00"), "TTFB", 600, "t1"),
                vital(at("11:01:01"), "TTFB", 700, "t2"),
                vital(at("11:01:02"), "TTFB", 800, "t3"),
                vital(at("11:01:03"), "TTFB", 800, "t4"),
                vital(at("11:02:00"), "FID", 100, "f1"),
                vital(at("11:02:01"), "FID", 200, "f2"),
                vital(at("11:02:02"), "FID", 300, "f3"),
                vital(at("11:02:03"), "FID", 300, "f4"),
                vital(at("11:02:04"), "FID", 400, "f5"),
                vital(at("11:03:00"), "INP", 500, null),       // no id: each report is a sample
                vital(at("11:03:01"), "INP", 501, null));

        List<VitalStats> vitals = storage.performance().webVitals(day(), null);

        assertThat(vitals).extracting(VitalStats::name).containsExactly("INP", "CLS", "TTFB", "FID");
        // INP 500 501: p50 500.5, p75 500.75 (poor), p95 500.95
        assertVital(only(vitals, "INP"), "INP", 2, 500.5, 500.75, 500.95, Rating.POOR, 0, 1, 1);
        // CLS .1 .25 .3: p50 .25, p75 at 1.5 = .275 (poor), p95 at 1.9 = .25 + .9 * .05 = .295
        assertVital(only(vitals, "CLS"), "CLS", 3, 0.25, 0.275, 0.295, Rating.POOR, 1, 1, 1);
        // TTFB 600 700 800 800: p50 750; p75 at 2.25 = 800 exactly: good; p95 800
        assertVital(only(vitals, "TTFB"), "TTFB", 4, 750, 800, 800, Rating.GOOD, 4, 0, 0);
        // FID 100 200 300 300 400: p50 300; p75 at 3 = 300 exactly: needs improvement; p95 at 3.8 = 380
        assertVital(only(vitals, "FID"), "FID", 5, 300, 300, 380, Rating.NEEDS_IMPROVEMENT, 1, 3, 1);
    }

    @Test
    void webVitals_performanceEventMetricsCountAsOneSampleEach_domLoadAndLoadAreNoVitals() {
        store(performance(at("12:00:00"), "fcp", 1000, "lcp", 2000, "cls", 0.05, "ttfb", 100, "domLoad", 500, "load", 700),
                vital(at("12:00:01"), "FCP", 3000, "x"));

        List<VitalStats> vitals = storage.performance().webVitals(day(), null);

        assertThat(vitals).extracting(VitalStats::name).containsExactly("LCP", "CLS", "FCP", "TTFB");
        // FCP 1000 (performance) and 3000 (web-vital, = poor threshold: needs improvement): p75 2500
        assertVital(only(vitals, "FCP"), "FCP", 2, 2000, 2500, 2900, Rating.NEEDS_IMPROVEMENT, 1, 1, 0);
        assertVital(only(vitals, "LCP"), "LCP", 1, 2000, 2000, 2000, Rating.GOOD, 1, 0, 0);
        assertVital(only(vitals, "CLS"), "CLS", 1, 0.05, 0.05, 0.05, Rating.GOOD, 1, 0, 0);
        assertVital(only(vitals, "TTFB"), "TTFB", 1, 100, 100, 100, Rating.GOOD, 1, 0, 0);
    }

    @Test
    void webVitals_groupBy_addsAGroupPerRow_largestGroupFirst_missingValueLast() {
        store(vital(at("13:00:00"), "LCP", 1000, "g1").path("/a").client("Safari", "iOS", "mobile"),
                vital(at("13:00:01"), "LCP", 2000, "g2").path("/a").client("Safari", "iOS", "mobile"),
                vital(at("13:00:02"), "LCP", 3000, "g3").path("/b"),
                performance(at("13:00:03"), "lcp", 5000).path("/b"),
                vital(at("13:00:04"), "LCP", 100, "g4").path(null),
                vital(at("13:00:05"), "LCP", 2200, "g1").path("/a").client("Safari", "iOS", "mobile")); // g1 becomes 2200

        List<VitalStats> byPath = storage.performance().webVitals(day(), GroupBy.PATH);
        List<VitalStats> byDevice = storage.performance().webVitals(day(), GroupBy.DEVICE_TYPE);
        List<VitalStats> byBrowser = storage.performance().webVitals(day(), GroupBy.BROWSER);

        assertThat(byPath).extracting(VitalStats::group).containsExactly("/a", "/b", null);
        // /a: 2000 2200: p75 2150; /b: 3000 5000: p75 4500 (poor); none: 100
        assertVital(byPath.get(0), "LCP", 2, 2100, 2150, 2190, Rating.GOOD, 2, 0, 0);
        assertVital(byPath.get(1), "LCP", 2, 4000, 4500, 4900, Rating.POOR, 0, 1, 1);
        assertVital(byPath.get(2), "LCP", 1, 100, 100, 100, Rating.GOOD, 1, 0, 0);
        // desktop: 3000 5000 100 (sorted 100 3000 5000: p75 at 1.5 = 4000, exactly the poor threshold: needs improvement)
        assertThat(byDevice).extracting(VitalStats::group).containsExactly("desktop", "mobile");
        assertVital(byDevice.get(0), "LCP", 3, 3000, 4000, 4800, Rating.NEEDS_IMPROVEMENT, 1, 1, 1);
        assertVital(byDevice.get(1), "LCP", 2, 2100, 2150, 2190, Rating.GOOD, 2, 0, 0);
        assertThat(byBrowser).extracting(VitalStats::group).containsExactly("Chrome", "Safari");
    }

    @Test
    void webVitals_aRepeatedIdTakesItsGroupFromItsLastReport_evenWithoutOne() {
        store(vital(at("13:30:00"), "LCP", 1000, "m").path("/a"),
                vital(at("13:30:05"), "LCP", 3000, "m").path(null),   // the last report of "m": its value and no path
                vital(at("13:30:01"), "LCP", 2000, "n").path("/a"),
                vital(at("13:30:06"), "LCP", 2600, "n").path("/b"));  // "n" moves to /b with its last report

        List<VitalStats> byPath = storage.performance().webVitals(day(), GroupBy.PATH);

        assertThat(byPath).extracting(VitalStats::group).containsExactly("/b", null);
        assertVital(byPath.get(0), "LCP", 1, 2600, 2600, 2600, Rating.NEEDS_IMPROVEMENT, 0, 1, 0);
        assertVital(byPath.get(1), "LCP", 1, 3000, 3000, 3000, Rating.NEEDS_IMPROVEMENT, 0, 1, 0);
    }

    @Test
    void performanceEventsWithoutMetricsOrEntries_giveNoRows() {
        store(event(APP, EventType.PERFORMANCE, at("12:30:00")).path("/").details(new PerformanceDetails(Map.of(), List.of())),
                performance(at("12:30:01"), "domLoad", 400));

        assertThat(storage.performance().metrics(day())).extracting(MetricStats::name).containsExactly("domLoad");
        assertThat(storage.performance().webVitals(day(), null)).isEmpty();
        assertThat(storage.performance().resources(day(), 10)).isEqualTo(new ResourceStatsPage(List.of(), 0));
    }

    @Test
    void webVitals_filtersApplyToEachEvent() {
        store(vital(at("14:00:00"), "INP", 150, "i1").release("1.0"),
                vital(at("14:00:01"), "INP", 250, "i2").release("2.0"),
                performance(at("14:00:02"), "inp", 350).release("2.0"));

        List<VitalStats> release2 = storage.performance().webVitals(day()
                .withFilters(new Filters("2.0", null, null, null, null, null, null)), null);

        assertThat(release2).hasSize(1);
        assertVital(release2.getFirst(), "INP", 2, 300, 325, 345, Rating.NEEDS_IMPROVEMENT, 0, 2, 0);
    }

    // ---- the releases answer (GET /api/apps/{id}/releases)

    @Test
    void webVitalsByRelease_answersEachAskedRelease_asWebVitalsFilteredByIt() {
        store(vital(at("16:00:00"), "LCP", 1000, "a").release("1.0"),
                vital(at("16:05:00"), "LCP", 3000, "a").release("1.0"),   // the last report of "a" in 1.0
                vital(at("16:01:00"), "LCP", 2000, "b").release("1.0"),
                vital(at("16:08:00"), "LCP", 1000, "a").release("2.0"),   // "a" again, in another release: a sample of 2.0
                performance(at("16:02:00"), "lcp", 5000, "cls", 0.3).release("2.0"),
                vital(at("16:03:00"), "LCP", 4500, "c").release("2.0"),
                vital(at("16:04:00"), "INP", 100, "d").release("2.0").path("/other"),  // outside the path filter
                vital(at("16:06:00"), "LCP", 100, "e").release("3.0"),    // a release not asked for
                vital(at("16:07:00"), "LCP", 100, "f"));                  // no release

        // the query's own release filter is replaced by each asked release; its other filters stay
        Map<String, List<VitalStats>> byRelease = storage.performance().webVitalsByRelease(
                day().withFilters(new Filters("3.0", null, "/", null, null, null, null)), List.of("2.0", "1.0", "0.9"));

        assertThat(byRelease).containsOnlyKeys("2.0", "1.0", "0.9");
        assertThat(List.copyOf(byRelease.keySet())).containsExactly("2.0", "1.0", "0.9");
        List<VitalStats> v2 = byRelease.get("2.0");
        assertThat(v2).extracting(VitalStats::name).containsExactly("LCP", "CLS");
        // LCP 1000 4500 5000: p50 4500, p75 at 1.5 = 4750 (poor), p95 at 1.9 = 4950
        assertVital(v2.get(0), "LCP", 3, 4500, 4750, 4950, Rating.POOR, 1, 0, 2);
        assertVital(v2.get(1), "CLS", 1, 0.3, 0.3, 0.3, Rating.POOR, 0, 0, 1);
        List<VitalStats> v1 = byRelease.get("1.0");
        // LCP 2000 3000: p50 2500, p75 2750 (needs improvement), p95 2950
        assertThat(v1).hasSize(1);
        assertVital(v1.getFirst(), "LCP", 2, 2500, 2750, 2950, Rating.NEEDS_IMPROVEMENT, 1, 1, 0);
        assertThat(v1.getFirst().group()).isNull();
        assertThat(byRelease.get("0.9")).isEmpty();
    }

    @Test
    void webVitalsByRelease_withoutReleases_answersNothing() {
        store(vital(at("16:00:00"), "LCP", 1000, "a").release("1.0"));

        assertThat(storage.performance().webVitalsByRelease(day(), List.of())).isEmpty();
    }

    // ---- GET /api/performance/resources

    private void storeResources() {
        PerformanceDetails withResources = new PerformanceDetails(Map.of("load", 900.0), List.of(
                new ResourceTiming("https://cdn.test/app.js", "script", 5.0, 200, 3000.0),
                new ResourceTiming("https://cdn.test/style.css", "link", 1.0, 50, null)));
        store(resource(at("15:00:00"), "https://cdn.test/app.js", "script", 100, 1000.0),
                resource(at("15:00:01"), "https://cdn.test/app.js", "script", 300, null),
                event(APP, EventType.PERFORMANCE, at("15:00:02")).path("/").details(withResources),
                resource(at("15:00:03"), "https://api.test/x", "fetch", 400, 0.0),
                resource(at("15:00:04"), "https://api.test/x", "fetch", 600, 10.0),
                resource(at("15:00:05"), "https://cdn.test/app.js", "link", 10, null),
                resource(at("15:00:06"), "https://cdn.test/other.js", "script", 5000, 1.0).release("old"),
                resource(DAY.plusSeconds(86_400), "https://cdn.test/late.js", "script", 9000, 1.0));
    }

    @Test
    void resources_fromResourceEventsAndPerformanceEntries_slowestP75First() {
        storeResources();

        ResourceStatsPage page = storage.performance().resources(day(), 10);

        assertThat(page.total()).isEqualTo(5);
        List<ResourceStats> items = page.items();
        assertThat(items).extracting(ResourceStats::name).containsExactly("https://cdn.test/other.js", "https://api.test/x",
                "https://cdn.test/app.js", "https://cdn.test/style.css", "https://cdn.test/app.js");
        assertResource(items.get(0), "script", 1, 5000, 5000, 5000, 1.0);
        // 400 600: p50 500, p75 550, p95 590; transfer sizes 0 and 10
        assertResource(items.get(1), "fetch", 2, 500, 550, 590, 5.0);
        // 100 300 (events) and 200 (a performance entry): p50 200, p75 250, p95 290; sizes 1000 and 3000
        assertResource(items.get(2), "script", 3, 200, 250, 290, 2000.0);
        assertResource(items.get(3), "link", 1, 50, 50, 50, null);
        // the same URL with another initiator type is another row
        assertResource(items.get(4), "link", 1, 10, 10, 10, null);
    }

    @Test
    void resources_limitKeepsTheSlowest_andFiltersApply() {
        storeResources();

        ResourceStatsPage top2 = storage.performance().resources(day(), 2);
        ResourceStatsPage elsewhere = storage.performance().resources(day()
                .withFilters(new Filters(null, null, "/elsewhere", null, null, null, null)), 10);
        ResourceStatsPage oldOnly = storage.performance().resources(day()
                .withFilters(new Filters("old", null, null, null, null, null, null)), 10);

        assertThat(top2.total()).isEqualTo(5);
        assertThat(top2.items()).extracting(ResourceStats::name).containsExactly("https://cdn.test/other.js", "https://api.test/x");
        assertThat(elsewhere).isEqualTo(new ResourceStatsPage(List.of(), 0));
        assertThat(oldOnly.total()).isEqualTo(1);
        assertThat(oldOnly.items()).extracting(ResourceStats::name).containsExactly("https://cdn.test/other.js");
    }

    @Test
    void resources_groupByInitiatorType_withoutOneIsItsOwnRow() {
        store(resource(at("16:00:00"), "https://cdn.test/logo.png", "img", 200, 4000.0),
                resource(at("16:00:01"), "https://cdn.test/logo.png", null, 100, 500.0),
                resource(at("16:00:02"), "https://cdn.test/logo.png", null, 300, null),
                resource(at("16:00:03"), "https://cdn.test/logo.png", "css", 50, null));

        ResourceStatsPage page = storage.performance().resources(day(), 10);

        assertThat(page.total()).isEqualTo(3);
        // without a type: 100 300, p75 250; img 200; css 50
        assertThat(page.items()).extracting(ResourceStats::initiatorType).containsExactly(null, "img", "css");
        assertResource(page.items().get(0), null, 2, 200, 250, 290, 500.0);
        assertResource(page.items().get(1), "img", 1, 200, 200, 200, 4000.0);
        assertResource(page.items().get(2), "css", 1, 50, 50, 50, null);
    }

    private static void assertResource(ResourceStats r, String initiatorType, long count, double p50, double p75, double p95,
                                       Double avgTransferSize) {
        assertThat(r.initiatorType()).as("initiator type of %s", r).isEqualTo(initiatorType);
        assertThat(r.count()).as("count of %s", r).isEqualTo(count);
        assertPercentiles(new double[] {r.p50(), r.p75(), r.p95()}, p50, p75, p95);
        if (avgTransferSize == null) {
            assertThat(r.avgTransferSize()).as("avgTransferSize of %s", r).isNull();
        } else {
            assertThat(r.avgTransferSize()).as("avgTransferSize of %s", r).isCloseTo(avgTransferSize, EXACT);
        }
    }
}
