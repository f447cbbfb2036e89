package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.InMemoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/analytics/events}' sums, means and breakdowns of JSON properties (the summed property
 * and the breakdown read from one parse of each event's properties) against the reference backend
 * ({@code InMemoryStorage}) on properties of every shape: numbers and numeric strings, missing keys,
 * nested objects and arrays, nulls and booleans, unicode and escaped quotes in values, the string
 * {@code "(none)"} (the same breakdown value as a missing one), and keys with {@code $} and {@code -},
 * over hours and days, in UTC and Berlin, with and without filters.
 */
class DuckDbEventAggregatesTest {

    private static final String APP = "shapes";
    private static final String NAME = "message_sent";
    private static final Instant START = Instant.parse("2026-10-24T20:00:00Z");

    private EventStorage reference;
    private EventStorage duckdb;

    /** Property maps as clients send them; the Java types are those a JSON reader gives. */
    private static List<Map<String, Object>> shapes() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("v", 3);
        nested.put("type", "inner");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("type", null);
        withNull.put("size", null);
        return List.of(
                props("type", "text", "size", 100),
                props("type", "text", "size", 2.5),
                props("type", "image", "size", 2000L),
                props("type", "te\"xt", "size", "250"),
                props("type", "a\\b\nc\t\"quoted\"", "size", -2500.75),
                props("type", "été 😀 ünïcödé", "size", 1e5),
                props("type", "日本語", "size", 9_007_199_254_740_993L),
                props("type", "", "size", -0.0),
                props("type", 7, "size", 12),
                props("type", true, "size", true),
                props("type", List.of("a"), "size", List.of(1, 2)),
                props("type", nested, "size", nested),
                props("size", 40),
                props("type", "(none)", "size", 0.1),
                props("type", "(none)", "size", 0.7),
                props("type", "text"),
                props("other", 1),
                props(),
                withNull,
                props("type", "image", "msg-size", 17, "$size", 3.25, "size", "big"),
                props("type", "text", "msg-size", "17", "$size", 1, "size", 1e300));
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @BeforeEach
    void storeBoth() {
        List<Map<String, Object>> shapes = shapes();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            long at = START.toEpochMilli() + i * 17L * 60_000;
            // every shape in every few hours: 240 events cycle through the shapes 11 times
            Map<String, Object> p = shapes.get(i % shapes.size());
            String name = i % 11 == 0 ? "other_event" : NAME;
            Event e = Event.builder(APP, EventType.EVENT, at).receivedAt(at).details(new CustomEventDetails(name))
                    .properties(p).userId(i % 3 == 0 ? null : "u" + (i % 13)).anonymousId("a" + (i % 5))
                    .eventId("e" + i).build();
            e.client(i % 4 == 0 ? "Firefox" : "Chrome", null, "Linux", null, "desktop");
            events.add(e);
        }
        events.add(Event.builder(APP, EventType.PAGEVIEW, START.toEpochMilli()).receivedAt(START.toEpochMilli())
                .properties(props("size", 5, "type", "text")).eventId("pv").build());
        reference = new InMemoryStorage();
        duckdb = DuckDbStorage.inMemory();
        reference.consumer().accept(events);
        duckdb.consumer().accept(events);
    }

    @AfterEach
    void close() throws Exception {
        reference.close();
        duckdb.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"count", "unique_users", "sum:size", "avg:size", "sum:msg-size", "avg:$size", "sum:type", "avg:missing"})
    void everyAggregateAndBreakdown_answersAsTheReference(String aggregate) {
        Instant to = START.plusSeconds(3 * 86_400);
        List<EventQuery> queries = List.of(
                EventQuery.of(APP, START, to).withSeries(Granularity.HOUR, ZoneOffset.UTC),
                EventQuery.of(APP, START.plusSeconds(3600), to).withSeries(Granularity.DAY, ZoneId.of("Europe/Berlin")),
                EventQuery.of(APP, START, to).withFilters(new Filters(null, null, null, "Firefox", null, null, null))
                        .withSeries(Granularity.DAY, ZoneOffset.UTC));
        int compared = 0;
        for (EventQuery q : queries) {
            for (String breakdown : Arrays.asList(null, "type", "size", "msg-size")) {
                for (int limit : new int[] {1, 3, 50}) {
                    EventAggregate a = EventAggregate.parse(NAME, aggregate, breakdown, limit);
                    List<SeriesPoint> expected = reference.product().events(q, a);
                    List<SeriesPoint> actual = duckdb.product().events(q, a);
                    String what = a + ", " + q;
                    assertThat(actual).as(what).hasSameSizeAs(expected);
                    for (int i = 0; i < expected.size(); i++) {
                        assertThat(actual.get(i).ts()).as("%s: ts of %d", what, i).isEqualTo(expected.get(i).ts());
                        assertThat(actual.get(i).dimensionValue()).as("%s: breakdown of %d", what, i)
                                .isEqualTo(expected.get(i).dimensionValue());
                        double e = expected.get(i).value();
                        double v = actual.get(i).value();
                        assertThat(Math.abs(v - e) <= 1e-9 * Math.max(1, Math.max(Math.abs(v), Math.abs(e))))
                                .as("%s: value of %d: %s, expected %s", what, i, v, e).isTrue();
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(100);
    }
}
