package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.SessionPosition;
import dev.traceflow.storage.tests.InMemoryStorage;
import dev.traceflow.storage.tests.QueryEvents;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DuckDB's sessions, pages, timelines, transitions and heatmaps against the reference backend's on
 * seeded random datasets: sessions with and without sessionId, equal times, page views without a
 * URL, clicks with and without a viewport, events of no session, another app, days around the range.
 */
class DuckDbBehaviorMatchesReferenceTest {

    private static final String APP = "shop";
    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final String[] PATHS = {"/", "/products", "/cart", "/pricing", "/blog", null};
    private static final String[] BROWSERS = {"Chrome", "Firefox"};

    private static List<Event> dataset(long seed) {
        Random r = new Random(seed);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            // seconds granularity in [DAY - 1 d, DAY + 2 d): equal times happen
            Instant at = DAY.minusSeconds(86_400).plusSeconds(r.nextInt(3 * 86_400 / 20) * 20L);
            int kind = r.nextInt(10);
            EventType type = kind < 5 ? EventType.PAGEVIEW : kind < 8 ? EventType.CLICK : kind < 9 ? EventType.PURCHASE : EventType.EVENT;
            QueryEvents e = QueryEvents.event(r.nextInt(20) == 0 ? "other" : APP, type, at)
                    .path(PATHS[r.nextInt(PATHS.length)])
                    .client(BROWSERS[r.nextInt(2)], "Linux", r.nextBoolean() ? "desktop" : "mobile");
            int who = r.nextInt(10);
            if (who < 4) {
                e.session("s" + r.nextInt(15));
            } else if (who < 9) {
                e.anonymous("a" + r.nextInt(8));
            }
            if (r.nextBoolean()) {
                e.user("u" + r.nextInt(5));
            }
            switch (type) {
                case CLICK -> e.details(new EventDetails.ClickDetails(r.nextDouble() * 1400 - 50, r.nextDouble() * 3000,
                        r.nextInt(8) == 0 ? 0 : 320 + r.nextInt(1600), r.nextInt(8) == 0 ? 0 : 480 + r.nextInt(900),
                        r.nextBoolean() ? "#b" + r.nextInt(3) : null));
                case PURCHASE -> e.properties(Map.of("revenue", r.nextInt(100) + 0.5, "items", r.nextInt(4)));
                case EVENT -> e.details(new EventDetails.CustomEventDetails("e" + r.nextInt(3))).properties(Map.of("k", "v"));
                default -> {
                }
            }
            events.add(e.build());
        }
        return events;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void everyBehaviourAnswer_matchesTheReference(long seed) {
        List<Event> events = dataset(seed);
        try (EventStorage duck = DuckDbStorage.inMemory(); InMemoryStorage reference = new InMemoryStorage()) {
            duck.consumer().accept(events);
            reference.consumer().accept(events);
            EventQuery day = EventQuery.of(APP, DAY, DAY.plusSeconds(86_400));
            List<EventQuery> queries = List.of(day,
                    day.withFilters(new Filters(null, null, null, "Firefox", null, null, null)),
                    day.withFilters(new Filters(null, null, "/products", null, null, "mobile", null)),
                    EventQuery.of(APP, DAY.minusSeconds(3600), DAY.plusSeconds(7200)));
            for (EventQuery q : queries) {
                List<SessionSummary> all = reference.sessions().newestFirst(q, null, 10_000).items();
                assertThat(all).as("sessions of %s", q).isNotEmpty();
                assertThat(duck.sessions().newestFirst(q, null, 10_000).items()).as("%s", q).isEqualTo(all);
                assertThat(duck.sessions().count(q)).isEqualTo(all.size());
                SessionSummary middle = all.get(all.size() / 2);
                SessionPosition after = new SessionPosition(middle.start(), middle.id());
                assertThat(duck.sessions().newestFirst(q, after, 7)).isEqualTo(reference.sessions().newestFirst(q, after, 7));
                assertThat(duck.sessions().newestFirst(q, null, 3)).isEqualTo(reference.sessions().newestFirst(q, null, 3));
                for (SessionSummary s : all.subList(0, Math.min(all.size(), 15))) {
                    assertThat(duck.sessions().session(q, s.id())).as("session %s", s.id())
                            .isEqualTo(reference.sessions().session(q, s.id()));
                }
                assertThat(duck.sessions().transitions(q, 1000)).as("transitions of %s", q)
                        .isNotEmpty().isEqualTo(reference.sessions().transitions(q, 1000));
                assertThat(duck.sessions().transitions(q, 3)).isEqualTo(reference.sessions().transitions(q, 3));
                for (String path : List.of("/", "/pricing", "/nowhere")) {
                    assertThat(duck.sessions().heatmap(q, path)).as("heatmap of %s in %s", path, q)
                            .isEqualTo(reference.sessions().heatmap(q, path));
                }
            }
        }
    }
}
