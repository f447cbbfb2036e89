package dev.traceflow.storage.tests;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.core.storage.SessionQueries;

import java.util.List;

/** The reference {@link SessionQueries}: the obvious computation over {@link InMemoryStorage}'s events. */
final class InMemorySessionQueries implements SessionQueries {

    private final InMemoryStorage storage;

    InMemorySessionQueries(InMemoryStorage storage) {
        this.storage = storage;
    }

    @Override
    public List<SessionSummary> summaries(EventQuery q) {
        return sessions(q).stream().map(Sessionizer.Session::summary).toList();
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
