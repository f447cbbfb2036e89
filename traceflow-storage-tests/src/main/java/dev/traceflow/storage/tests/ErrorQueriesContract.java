package dev.traceflow.storage.tests;

import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.ErrorQueries.Dimension;
import dev.traceflow.core.storage.ErrorQueries.ErrorEvent;
import dev.traceflow.core.storage.ErrorQueries.GroupCount;
import dev.traceflow.core.storage.ErrorQueries.GroupDetail;
import dev.traceflow.core.storage.ErrorQueries.Stats;
import dev.traceflow.core.storage.ErrorQueries.Totals;
import dev.traceflow.core.storage.ErrorQueries.ValueCount;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every backend answers the error queries (API.md {@code /api/errors*}), on a small golden
 * dataset whose numbers are worked out by hand here.
 *
 * <p>The dataset, app {@value #APP}, on Tuesday 2026-11-24 (UTC):
 * <pre>
 * group  time         user                 client            release  errorType
 * fa     10:00        u1 (userId)          Chrome / Mac      1.0      TypeError
 * fa     10:30        an1 (anonymousId)    Firefox / Linux   1.0      TypeError
 * fa     11:15        s9 (sessionId only)  Chrome / Windows  1.1      TypeError
 * fa     11:20        u1                   Chrome / Mac      -        TypeError   (with stack, file, line, column)
 * fa     12:00        nobody               Safari / iOS      1.1      TypeError   (the latest of fa)
 * fb     10:05        u2                   Chrome / Mac      -        (none)
 * fb     13:00        u1                   Chrome / Mac      -        (none)
 * fc     09:00        u3, env staging      Chrome / Mac      -        RangeError
 * fd     23:30        u4                   Chrome / Mac      -        SyntaxError
 * not counted: fc the day before at 23:59 (u3), fa at 2026-11-25T00:00 (the exclusive end), a
 * pageview of u9, an error of fa in another app
 * </pre>
 * So over the day: fa 5 events / 3 users (u1, an1, s9), fb 2 / 2, fc 1 / 1, fd 1 / 1; in all 9
 * events, 4 groups, 6 users (u1, an1, s9, u2, u3, u4); by type TypeError 5, Error 2, RangeError 1,
 * SyntaxError 1.
 */
public abstract class ErrorQueriesContract extends AnswerContract {

    protected static final String APP = "shop";
    /** A Tuesday. */
    protected static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final Instant NEXT_DAY = DAY.plusSeconds(86_400);
    private static final String LATEST_STACK = """
            TypeError: x is undefined
                at render (https://shop.test/static/app.3f2a1b9c.js:10:5)
                at main (https://shop.test/static/app.3f2a1b9c.js:20:3)""";

    private static Instant at(String hhmm) {
        return Instant.parse("2026-11-24T" + hhmm + ":00Z");
    }

    private static QueryEvents error(String app, Instant time, String fingerprint, String errorType, String message) {
        return event(app, EventType.ERROR, time).fingerprint(fingerprint).path("/cart")
                .details(new ErrorDetails(message, null, errorType, null, null, null, null));
    }

    private void storeGoldenDataset() {
        store(error(APP, at("10:00"), "fa", "TypeError", "x is undefined").user("u1").release("1.0"),
                error(APP, at("10:30"), "fa", "TypeError", "x is undefined").anonymous("an1").release("1.0")
                        .client("Firefox", "Linux", "desktop"),
                error(APP, at("11:15"), "fa", "TypeError", "x is undefined").session("s9").release("1.1")
                        .client("Chrome", "Windows", "desktop"),
                event(APP, EventType.ERROR, at("11:20")).fingerprint("fa").path("/cart").user("u1").eventId("latest-fa")
                        .details(new ErrorDetails("x is undefined (latest)", LATEST_STACK, "TypeError",
                                "https://shop.test/static/app.3f2a1b9c.js", 10, 5, null)),
                error(APP, at("12:00"), "fa", "TypeError", "x is undefined").eventId("a5").release("1.1").client("Safari", "iOS", "mobile"),
                error(APP, at("10:05"), "fb", null, "Script error.").user("u2"),
                error(APP, at("13:00"), "fb", null, "Script error.").user("u1"),
                error(APP, at("09:00"), "fc", "RangeError", "too deep").user("u3").environment("staging"),
                error(APP, at("23:30"), "fd", "SyntaxError", "unexpected token").user("u4"),
                // not counted over the day
                error(APP, DAY.minusSeconds(60), "fc", "RangeError", "too deep").user("u3"),
                error(APP, NEXT_DAY, "fa", "TypeError", "x is undefined").user("u1"),
                pageview(APP, at("10:00"), "/cart").user("u9"),
                error("other-app", at("10:00"), "fa", "TypeError", "x is undefined").user("u1"));
    }

    private ErrorQueries errors() {
        return storage.errors();
    }

    private static EventQuery day() {
        return EventQuery.of(APP, DAY, NEXT_DAY);
    }

    @Test
    void groups_countEventsAndDistinctUsersPerFingerprint_inTheRangeOnly() {
        storeGoldenDataset();

        List<GroupCount> groups = new ArrayList<>(errors().groups(day()));
        groups.sort((a, b) -> a.fingerprint().compareTo(b.fingerprint()));

        assertThat(groups).containsExactly(new GroupCount("fa", 5, 3), new GroupCount("fb", 2, 2),
                new GroupCount("fc", 1, 1), new GroupCount("fd", 1, 1));
    }

    @Test
    void groups_applyFiltersToEachEventsOwnDimensions() {
        storeGoldenDataset();

        List<GroupCount> firefox = errors().groups(day().withFilters(new Filters(null, null, null, "Firefox", null, null, null)));
        List<GroupCount> staging = errors().groups(day().withFilters(new Filters(null, "staging", null, null, null, null, null)));
        List<GroupCount> release11 = errors().groups(day().withFilters(new Filters("1.1", null, "/cart", null, null, null, null)));

        assertThat(firefox).containsExactly(new GroupCount("fa", 1, 1));
        assertThat(staging).containsExactly(new GroupCount("fc", 1, 1));
        assertThat(release11).containsExactly(new GroupCount("fa", 2, 1)); // s9, and one without a user
    }

    @Test
    void totals_countEventsGroupsAndUsers() {
        storeGoldenDataset();

        assertThat(errors().totals(day())).isEqualTo(new Totals(9, 4, 6));
        assertThat(errors().totals(EventQuery.of(APP, DAY.minusSeconds(86_400), DAY))).isEqualTo(new Totals(1, 1, 1));
        assertThat(errors().totals(EventQuery.of("nobody", DAY, NEXT_DAY))).isEqualTo(new Totals(0, 0, 0));
    }

    @Test
    void byType_labelsErrorsWithoutTypeAsError_mostFirstThenByName() {
        storeGoldenDataset();

        assertThat(errors().byType(day())).containsExactly(new ValueCount("TypeError", 5), new ValueCount("Error", 2),
                new ValueCount("RangeError", 1), new ValueCount("SyntaxError", 1));
    }

    @Test
    void breakdowns_countAGroupsEventsByDimension_nullsLast() {
        storeGoldenDataset();

        assertThat(errors().breakdown(day(), "fa", Dimension.BROWSER)).containsExactly(new ValueCount("Chrome", 3),
                new ValueCount("Firefox", 1), new ValueCount("Safari", 1));
        assertThat(errors().breakdown(day(), "fa", Dimension.OS)).containsExactly(new ValueCount("Mac OS X", 2),
                new ValueCount("Linux", 1), new ValueCount("Windows", 1), new ValueCount("iOS", 1));
        assertThat(errors().breakdown(day(), "fa", Dimension.RELEASE)).containsExactly(new ValueCount("1.0", 2),
                new ValueCount("1.1", 2), new ValueCount(null, 1));
        assertThat(errors().breakdown(day(), "nope", Dimension.RELEASE)).isEmpty();
    }

    @Test
    void latestEvent_isTheGroupsLastInTheRange_withItsDetails() {
        storeGoldenDataset();

        ErrorEvent latest = errors().latestEvent(APP, "fa", DAY, NEXT_DAY).orElseThrow();

        assertThat(latest.eventId()).isEqualTo("a5");
        assertThat(latest.timestamp()).isEqualTo(at("12:00"));
        assertThat(latest.user()).isNull();
        assertThat(latest.browser()).isEqualTo("Safari");
        assertThat(latest.release()).isEqualTo("1.1");
        assertThat(latest.stack()).isNull();
        assertThat(latest.lineno()).isNull();
    }

    @Test
    void latestEvent_readsMessageStackAndPositionOfTheEvent() {
        storeGoldenDataset();

        ErrorEvent latest = errors().latestEvent(APP, "fa", DAY, at("11:30")).orElseThrow();

        assertThat(latest.eventId()).isEqualTo("latest-fa");
        assertThat(latest.timestamp()).isEqualTo(at("11:20"));
        assertThat(latest.message()).isEqualTo("x is undefined (latest)");
        assertThat(latest.errorType()).isEqualTo("TypeError");
        assertThat(latest.stack()).isEqualTo(LATEST_STACK);
        assertThat(latest.filename()).isEqualTo("https://shop.test/static/app.3f2a1b9c.js");
        assertThat(latest.lineno()).isEqualTo(10);
        assertThat(latest.colno()).isEqualTo(5);
        assertThat(latest.user()).isEqualTo("u1");
        assertThat(latest.path()).isEqualTo("/cart");
        assertThat(latest.url()).isEqualTo("https://shop.test/cart");
        assertThat(latest.browser()).isEqualTo("Chrome");
        assertThat(latest.release()).isNull();
        assertThat(errors().latestEvent(APP, "fa", DAY.minusSeconds(3600), DAY)).isEmpty();
        assertThat(errors().latestEvent("other-app", "fb", DAY, NEXT_DAY)).isEmpty();
    }

    @Test
    void latestEvent_carriesThePropertiesAndMetadataAsSent() {
        Map<String, Object> metadata = Map.of("sentry", Map.of("level", "warning",
                "breadcrumbs", List.of(Map.of("category", "nav", "message", "to /cart")), "user", Map.of("id", 7)));
        store(error(APP, at("16:00"), "fm", "Error", "with data").eventId("m1")
                .properties(Map.of("region", "eu", "build", 42, "ratio", 0.5)).metadata(metadata),
                error(APP, at("16:00"), "fn", "Error", "without data").eventId("n1"));

        ErrorEvent latest = errors().latestEvent(APP, "fm", DAY, NEXT_DAY).orElseThrow();

        assertThat(latest.properties()).isEqualTo(Map.of("region", "eu", "build", 42L, "ratio", 0.5));
        assertThat(latest.metadata()).isEqualTo(Map.of("sentry", Map.of("level", "warning",
                "breadcrumbs", List.of(Map.of("category", "nav", "message", "to /cart")), "user", Map.of("id", 7L))));
        ErrorEvent bare = errors().latestEvent(APP, "fn", DAY, NEXT_DAY).orElseThrow();
        assertThat(bare.properties()).isEmpty();
        assertThat(bare.metadata()).isEmpty();
    }

    @Test
    void latestEvent_ofTwoAtTheSameTime_isTheOneStoredLast() {
        store(error(APP, at("15:00"), "ft", "Error", "first").eventId("t1"));
        store(error(APP, at("15:00"), "ft", "Error", "second").eventId("t2"));

        assertThat(errors().latestEvent(APP, "ft", DAY, NEXT_DAY).orElseThrow().eventId()).isEqualTo("t2");
    }

    @Test
    void series_zeroFillsHourlyBucketsOfOneGroup() {
        storeGoldenDataset();

        List<Long> hourly = errors().series(day().withSeries(Granularity.HOUR, ZoneOffset.UTC), "fa");

        List<Long> expected = new ArrayList<>(Collections.nCopies(24, 0L));
        expected.set(10, 2L);
        expected.set(11, 2L);
        expected.set(12, 1L);
        assertThat(hourly).isEqualTo(expected);
    }

    @Test
    void series_ofEveryGroup_bucketsDaysInTheAskedZone() {
        storeGoldenDataset();
        // Berlin is UTC+1 in November: days start at 23:00 UTC; the range's first day starts before it
        EventQuery twoDays = EventQuery.of(APP, DAY.minusSeconds(86_400), NEXT_DAY).withSeries(Granularity.DAY,
                ZoneId.of("Europe/Berlin"));

        List<Long> daily = errors().series(twoDays, null);

        // 22T23:00Z: nothing after 23T00:00Z; 23T23:00Z: fc at 23:59 the day before and the 8 of the 24th up to 13:00;
        // 24T23:00Z: fd at 23:30
        assertThat(daily).containsExactly(0L, 9L, 1L);
        assertThat(errors().series(twoDays, "fd")).containsExactly(0L, 0L, 1L);
    }

    @Test
    void stats_areTheTotalsTheSeriesOfEveryGroupAndTheTypes_together() {
        storeGoldenDataset();
        EventQuery hourly = day().withSeries(Granularity.HOUR, ZoneOffset.UTC);

        Stats stats = errors().stats(hourly);

        assertThat(stats.totals()).isEqualTo(new Totals(9, 4, 6));
        List<Long> expected = new ArrayList<>(Collections.nCopies(24, 0L));
        expected.set(9, 1L); // fc
        expected.set(10, 3L); // fa 10:00, fb 10:05, fa 10:30
        expected.set(11, 2L); // fa 11:15, 11:20
        expected.set(12, 1L); // fa
        expected.set(13, 1L); // fb
        expected.set(23, 1L); // fd
        assertThat(stats.series()).isEqualTo(expected);
        assertThat(stats.byType()).containsExactly(new ValueCount("TypeError", 5), new ValueCount("Error", 2),
                new ValueCount("RangeError", 1), new ValueCount("SyntaxError", 1));
    }

    @Test
    void stats_ofNoErrors_areZerosAndAnEmptyList() {
        storeGoldenDataset();

        Stats stats = errors().stats(EventQuery.of("nobody", DAY, NEXT_DAY).withSeries(Granularity.HOUR, ZoneOffset.UTC));

        assertThat(stats.totals()).isEqualTo(new Totals(0, 0, 0));
        assertThat(stats.series()).isEqualTo(Collections.nCopies(24, 0L));
        assertThat(stats.byType()).isEmpty();
    }

    @Test
    void groupDetail_isTheGroupsCountBreakdownsAndSeries_together() {
        storeGoldenDataset();
        EventQuery hourly = day().withSeries(Granularity.HOUR, ZoneOffset.UTC);

        GroupDetail fa = errors().groupDetail(hourly, "fa");

        assertThat(fa.count()).isEqualTo(new GroupCount("fa", 5, 3));
        assertThat(fa.breakdowns().get(Dimension.BROWSER)).containsExactly(new ValueCount("Chrome", 3),
                new ValueCount("Firefox", 1), new ValueCount("Safari", 1));
        assertThat(fa.breakdowns().get(Dimension.OS)).containsExactly(new ValueCount("Mac OS X", 2),
                new ValueCount("Linux", 1), new ValueCount("Windows", 1), new ValueCount("iOS", 1));
        assertThat(fa.breakdowns().get(Dimension.RELEASE)).containsExactly(new ValueCount("1.0", 2),
                new ValueCount("1.1", 2), new ValueCount(null, 1));
        List<Long> expected = new ArrayList<>(Collections.nCopies(24, 0L));
        expected.set(10, 2L);
        expected.set(11, 2L);
        expected.set(12, 1L);
        assertThat(fa.series()).isEqualTo(expected);
    }

    @Test
    void groupDetail_appliesTheFilters_andOfAGroupWithoutEventsIsZeros() {
        storeGoldenDataset();
        EventQuery chrome = day().withFilters(new Filters(null, null, null, "Chrome", null, null, null))
                .withSeries(Granularity.DAY, ZoneOffset.UTC);

        GroupDetail fa = errors().groupDetail(chrome, "fa");
        GroupDetail none = errors().groupDetail(chrome, "nope");

        // fa in Chrome: u1 at 10:00 (1.0, Mac), s9 at 11:15 (1.1, Windows), u1 at 11:20 (no release, Mac)
        assertThat(fa.count()).isEqualTo(new GroupCount("fa", 3, 2));
        assertThat(fa.breakdowns().get(Dimension.BROWSER)).containsExactly(new ValueCount("Chrome", 3));
        assertThat(fa.breakdowns().get(Dimension.RELEASE)).containsExactly(new ValueCount("1.0", 1),
                new ValueCount("1.1", 1), new ValueCount(null, 1));
        assertThat(fa.series()).containsExactly(3L);
        assertThat(none.count()).isEqualTo(new GroupCount("nope", 0, 0));
        assertThat(none.breakdowns()).containsOnlyKeys(Dimension.values());
        assertThat(none.breakdowns().values()).allSatisfy(values -> assertThat(values).isEmpty());
        assertThat(none.series()).containsExactly(0L);
    }
}
