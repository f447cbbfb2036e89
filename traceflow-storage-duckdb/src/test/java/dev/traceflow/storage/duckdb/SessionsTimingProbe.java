package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.storage.tests.GeneratedDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Supplier;

/** Scratch timing of the session queries (run with -Dprobe=true); not a test of behaviour. */
@EnabledIfSystemProperty(named = "probe", matches = "true")
class SessionsTimingProbe {

    @Test
    void time() {
        int visits = Integer.getInteger("visits", 250_000);
        Instant end = Instant.parse("2026-12-01T00:00:00Z");
        GeneratedDataset data = new GeneratedDataset(7, List.of("a1", "a2"), 20_000, visits, end.minus(30, ChronoUnit.DAYS), 30);
        java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("probeFile", "/tmp/probe.duckdb"));
        boolean load = !java.nio.file.Files.exists(file);
        try (DuckDbStorage s = new DuckDbStorage(file, 2, "4GB", 100_000)) {
            long[] n = {0};
            long t0 = System.nanoTime();
            if (load) data.forEachBatch(30_720, b -> {
                s.consumer().store(List.of(s.consumer().prepare(b)), EventConsumer.NO_POSITION);
                n[0] += b.size();
            });
            System.out.printf("loaded %d events in %d ms%n", n[0], (System.nanoTime() - t0) / 1_000_000);
            EventQuery q = EventQuery.of("a1", end.minus(30, ChronoUnit.DAYS), end).withSeries(Granularity.DAY, ZoneOffset.UTC);
            for (int round = 0; round < 2; round++) {
                time("sessions-cte", () -> countSessions(s, q));
                time("overview", () -> s.metrics().overview(q));
                time("sessions/day", () -> s.metrics().series(q, Metric.SESSIONS, null, 10).size());
                time("bounce/day", () -> s.metrics().series(q, Metric.BOUNCE_RATE, null, 10).size());
                time("new_users/day", () -> s.metrics().series(q, Metric.NEW_USERS, null, 10).size());
                time("page_views/day", () -> s.metrics().series(q, Metric.PAGE_VIEWS, null, 10).size());
            }
        }
    }

    private static Object countSessions(DuckDbStorage s, EventQuery q) {
        try {
            var f = DuckDbSessionQueries.class.getDeclaredField("reads");
            f.setAccessible(true);
            DuckDbReads reads = (DuckDbReads) f.get(s.sessions());
            Sql sql = DuckDbSessionsSql.with(q, DuckDbDialect.INSTANCE, new Sql()).append("SELECT count(*) FROM sessions");
            return reads.one(sql, rs -> rs.getLong(1));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void time(String name, Supplier<Object> what) {
        long t = System.nanoTime();
        Object r = what.get();
        System.out.printf("%-16s %6d ms  (%s)%n", name, (System.nanoTime() - t) / 1_000_000, r instanceof Integer i ? i : "");
    }
}
