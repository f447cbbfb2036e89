package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.ReleaseHealthQueries;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The reference {@link ReleaseHealthQueries}: the definitions of its Javadoc, followed step by step. */
final class InMemoryReleaseHealthQueries implements ReleaseHealthQueries {

    private static final long HORIZON_MILLIS = 24 * 3_600_000L;

    private final InMemoryStorage storage;

    InMemoryReleaseHealthQueries(InMemoryStorage storage) {
        this.storage = storage;
    }

    /** One release's running counts. */
    private static final class Tally {
        long sessions;
        long errored;
        long abnormal;
        long crashed;
        final Set<String> users = new HashSet<>();
        final Set<String> crashedUsers = new HashSet<>();

        void add(long n, long erroredN, long abnormalN, long crashedN, String user) {
            sessions += n;
            errored += erroredN;
            abnormal += abnormalN;
            crashed += crashedN;
            if (user != null) {
                users.add(user);
                if (crashedN > 0) {
                    crashedUsers.add(user);
                }
            }
        }
    }

    @Override
    public List<ReleaseHealth> releases(EventQuery q, int limit) {
        long from = q.from().toEpochMilli();
        long to = q.to().toEpochMilli();
        List<Event> later = storage.eventsOf(q.appId(), from, to + HORIZON_MILLIS).stream()
                .filter(e -> e.type() == EventType.SESSION_UPDATE && e.release() != null).toList();
        Map<String, Tally> byRelease = new LinkedHashMap<>();
        Set<String> counted = new HashSet<>();
        for (Event e : later) {
            if (!q.contains(e.timestamp()) || !q.filters().matches(e)) {
                continue;
            }
            Object sid = e.properties().get("sid");
            if (sid instanceof String id) {
                if (!Boolean.TRUE.equals(e.properties().get("init")) || !counted.add(e.release() + '\u0000' + id)) {
                    continue;
                }
                boolean crashed = false;
                boolean abnormal = false;
                boolean errored = false;
                String user = null;
                for (Event u : later) {
                    if (id.equals(u.properties().get("sid")) && e.release().equals(u.release())) {
                        if (u.userId() != null && (user == null || u.userId().compareTo(user) < 0)) {
                            user = u.userId();
                        }
                        Object status = u.properties().get("status");
                        crashed |= "crashed".equals(status);
                        abnormal |= "abnormal".equals(status);
                        errored |= "errored".equals(status) || "unhandled".equals(status) || number(u, "errors") > 0;
                    }
                }
                byRelease.computeIfAbsent(e.release(), r -> new Tally()).add(1, !crashed && !abnormal && errored ? 1 : 0,
                        !crashed && abnormal ? 1 : 0, crashed ? 1 : 0, user);
            } else {
                long exited = number(e, "exited");
                long erroredN = number(e, "errored");
                long abnormalN = number(e, "abnormal");
                long crashedN = number(e, "crashed");
                byRelease.computeIfAbsent(e.release(), r -> new Tally())
                        .add(exited + erroredN + abnormalN + crashedN, erroredN, abnormalN, crashedN, e.userId());
            }
        }
        List<ReleaseHealth> out = new ArrayList<>();
        byRelease.forEach((release, t) -> {
            if (t.sessions > 0) {
                out.add(new ReleaseHealth(release, t.sessions, t.sessions - t.errored - t.abnormal - t.crashed, t.errored,
                        t.abnormal, t.crashed, t.users.size(), t.crashedUsers.size()));
            }
        });
        out.sort(Comparator.comparingLong(ReleaseHealth::sessions).reversed().thenComparing(ReleaseHealth::release));
        return out.subList(0, Math.min(limit, out.size()));
    }

    /** A whole count of the update's properties; 0 when absent or not a number. */
    private static long number(Event e, String key) {
        return e.properties().get(key) instanceof Number n ? Math.max(0, n.longValue()) : 0;
    }
}
