package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.core.storage.Heatmap;
import dev.traceflow.core.storage.PageTransition;
import dev.traceflow.core.storage.SessionDetail;
import dev.traceflow.core.storage.SessionPage;
import dev.traceflow.core.storage.SessionPosition;
import dev.traceflow.core.storage.SessionQueries;
import dev.traceflow.core.storage.StoredEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** The reference {@link SessionQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemorySessionQueries implements SessionQueries {

    private static final Comparator<SessionSummary> NEWEST_FIRST =
            Comparator.comparingLong(SessionSummary::start).thenComparing(SessionSummary::id).reversed();

    private final InMemoryStorage storage;

    InMemorySessionQueries(InMemoryStorage storage) {
        this.storage = storage;
    }

    @Override
    public List<SessionSummary> summaries(EventQuery q) {
        return sessions(q).stream().map(Sessionizer.Session::summary).toList();
    }

    @Override
    public SessionPage newestFirst(EventQuery q, SessionPosition after, int limit) {
        List<SessionSummary> all = summaries(q);
        List<SessionSummary> following = all.stream()
                .sorted(NEWEST_FIRST)
                .filter(s -> after == null || after.precedes(s.start(), s.id()))
                .toList();
        return new SessionPage(following.subList(0, Math.min(limit, following.size())), all.size(), following.size() > limit);
    }

    @Override
    public long count(EventQuery q) {
        return sessions(q).size();
    }

    @Override
    public Optional<SessionDetail> session(EventQuery q, String id) {
        return sessions(q).stream()
                .filter(s -> s.summary().id().equals(id))
                .findFirst()
                .map(s -> new SessionDetail(s.summary(), s.events().stream().map(StoredEvent::of).toList()));
    }

    @Override
    public List<PageTransition> transitions(EventQuery q, int limit) {
        Map<List<String>, Long> counts = new LinkedHashMap<>();
        for (Sessionizer.Session s : sessions(q)) {
            String previous = PageTransition.ENTRY;
            for (Event e : s.events()) {
                if (e.type() == EventType.PAGEVIEW && e.path() != null) {
                    counts.merge(List.of(previous, e.path()), 1L, Long::sum);
                    previous = e.path();
                }
            }
        }
        return counts.entrySet().stream()
                .map(c -> new PageTransition(c.getKey().get(0), c.getKey().get(1), c.getValue()))
                .sorted(Comparator.comparingLong(PageTransition::count).reversed()
                        .thenComparing(PageTransition::from).thenComparing(PageTransition::to))
                .limit(limit)
                .toList();
    }

    @Override
    public Heatmap heatmap(EventQuery q, String path) {
        // by y, then x
        Map<Integer, Long> cells = new TreeMap<>();
        long clicks = 0;
        for (Event e : storage.eventsOf(q.appId(), q.from().toEpochMilli(), q.to().toEpochMilli())) {
            if (e.type() == EventType.CLICK && Objects.equals(path, e.path()) && q.filters().matches(e)
                    && e.details() instanceof EventDetails.ClickDetails c) {
                int x = Heatmap.cellOf(c.x(), c.viewportWidth());
                int y = Heatmap.cellOf(c.y(), c.viewportHeight());
                if (x >= 0 && y >= 0) {
                    cells.merge(y * Heatmap.GRID + x, 1L, Long::sum);
                    clicks++;
                }
            }
        }
        List<Heatmap.Cell> list = new ArrayList<>();
        cells.forEach((key, count) -> list.add(new Heatmap.Cell(key % Heatmap.GRID, key / Heatmap.GRID, count)));
        return new Heatmap(clicks, list);
    }

    /** The sessions of the query (start in range, filters on session dimensions), with their events. */
    List<Sessionizer.Session> sessions(EventQuery q) {
        long from = q.from().minus(Sessionizer.HORIZON).toEpochMilli();
        long to = q.to().plus(Sessionizer.HORIZON).toEpochMilli();
        return Sessionizer.sessions(storage.eventsOf(q.appId(), from, to)).stream()
                .filter(s -> q.contains(s.summary().start()) && s.summary().matches(q.filters()))
                .toList();
    }
}
