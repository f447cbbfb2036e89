package dev.traceflow.ingest;

import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.storage.EventsStored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what became of every event by app and outcome ({@code accepted}, or a drop reason):
 * as Micrometer counters {@code traceflow.ingest.events{app,outcome}} at once, and into the
 * metadata table {@code ingest_outcomes} per hour, flushed every few seconds and at shutdown,
 * so {@code GET /api/ingest/stats} survives restarts. Counting is lock-free on the request path.
 */
@Component
class IngestOutcomes implements SmartLifecycle, IngestOutcomeTotals {

    private static final Logger log = LoggerFactory.getLogger(IngestOutcomes.class);

    private final JdbcClient jdbc;
    private final MeterRegistry registry;
    private final Clock clock;
    private final ConcurrentHashMap<Key, LongAdder> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile boolean running;

    IngestOutcomes(JdbcClient jdbc, MeterRegistry registry, Clock clock) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.clock = clock;
    }

    /** Accepted and duplicate are known once the loader has stored the events (after the 202). */
    @EventListener
    void stored(EventsStored stored) {
        for (EventsStored.AppEvents app : stored.apps()) {
            record(app.appId(), "accepted", app.stored());
            record(app.appId(), DropReason.DUPLICATE.wireName(), app.duplicates());
        }
    }

    void record(String appId, String outcome, long events) {
        if (events <= 0) {
            return;
        }
        long hour = clock.millis() / 3_600_000L;
        pending.computeIfAbsent(new Key(appId, hour, outcome), k -> new LongAdder()).add(events);
        counters.computeIfAbsent(appId + '\u0000' + outcome, k -> Counter.builder("traceflow.ingest.events")
                .description("Events received, by app and outcome (accepted or the reason they were not stored)")
                .tag("app", appId).tag("outcome", outcome).register(registry)).increment(events);
    }

    /**
     * A request refused as a whole after its key was accepted (413, 400, 415, 422...): its
     * events were never parsed or counted one by one, so the request is counted, by app and
     * error code, as {@code traceflow.ingest.requests.rejected}.
     */
    void requestRejected(String appId, String code) {
        counters.computeIfAbsent(appId + '\u0001' + code, k -> Counter.builder("traceflow.ingest.requests.rejected")
                .description("Ingest requests refused as a whole after authentication, by app and error code")
                .tag("app", appId).tag("code", code).register(registry)).increment();
    }

    /** Writes the counts gathered since the last flush; counts that fail to write are kept for the next one. */
    @Scheduled(fixedDelayString = "${traceflow.ingest.outcomes-flush-interval:5s}")
    synchronized void flush() {
        long currentHour = clock.millis() / 3_600_000L;
        for (Map.Entry<Key, LongAdder> e : pending.entrySet()) {
            long n = e.getValue().sumThenReset();
            if (n == 0) {
                // only hours long past: a request may still be adding to the current hour's adder
                if (e.getKey().hour < currentHour - 1) {
                    pending.remove(e.getKey(), e.getValue());
                }
                continue;
            }
            Key k = e.getKey();
            try {
                OffsetDateTime hour = OffsetDateTime.ofInstant(Instant.ofEpochMilli(k.hour * 3_600_000L), ZoneOffset.UTC);
                // standard MERGE: the same statement on H2 and PostgreSQL 15+
                jdbc.sql("MERGE INTO ingest_outcomes t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS TIMESTAMP WITH TIME ZONE), "
                                + "CAST(? AS VARCHAR(32)), CAST(? AS BIGINT))) AS s (app_id, bucket_hour, outcome, events) "
                                + "ON t.app_id = s.app_id AND t.bucket_hour = s.bucket_hour AND t.outcome = s.outcome "
                                + "WHEN MATCHED THEN UPDATE SET events = t.events + s.events "
                                + "WHEN NOT MATCHED THEN INSERT (app_id, bucket_hour, outcome, events) VALUES (s.app_id, s.bucket_hour, s.outcome, s.events)")
                        .params(k.appId, hour, k.outcome, n).update();
            } catch (RuntimeException ex) {
                e.getValue().add(n);
                log.warn("could not persist ingest outcomes: {}", ex.getMessage());
                return;
            }
        }
    }

    /**
     * Events per outcome for the app with {@code bucket_hour} in [from floored to the hour, to):
     * outcomes are kept per hour, so the range is as fine as that. Flushes first, so the answer
     * includes events counted a moment ago.
     */
    @Override
    public Map<String, Long> totals(String appId, Instant from, Instant to) {
        flush();
        Instant fromHour = Instant.ofEpochMilli(Math.floorDiv(from.toEpochMilli(), 3_600_000L) * 3_600_000L);
        Map<String, Long> totals = new LinkedHashMap<>();
        jdbc.sql("SELECT outcome, sum(events) AS n FROM ingest_outcomes WHERE app_id = ? AND bucket_hour >= ? AND bucket_hour < ? "
                        + "GROUP BY outcome")
                .params(appId, OffsetDateTime.ofInstant(fromHour, ZoneOffset.UTC), OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                .query(rs -> {
                    totals.put(rs.getString("outcome"), rs.getLong("n"));
                });
        return totals;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        flush();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Flush after the storage writer has drained (it stops at DEFAULT_PHASE - 4096). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 8192;
    }

    private record Key(String appId, long hour, String outcome) {
    }
}
