package dev.traceflow.realtime.internal;

import dev.traceflow.audit.AuditLog;
import dev.traceflow.realtime.internal.broker.Connection;
import dev.traceflow.realtime.internal.broker.ConnectionAuth;
import dev.traceflow.realtime.internal.broker.ConnectionEvents;
import dev.traceflow.realtime.internal.broker.Timers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Realtime's part of the audit trail (seed 003: connect, subscribe, unsubscribe and abnormal
 * disconnects are audited), kept from flooding it:
 * <ul>
 * <li><b>Identified clients</b> (a user's token, a backend's server key) get a row each:
 *     {@code realtime.connect}, {@code realtime.subscribe}, {@code realtime.unsubscribe},
 *     {@code realtime.disconnect} (abnormal ones only: dropped, cut off, closed by the server for its
 *     access), up to {@code auditRowsPerAppPerMinute} rows per app and minute. Past that, the minute's
 *     further events of the app are counted in its {@code realtime.activity} row ({@code folded}).</li>
 * <li><b>Anonymous browser clients</b> (a browser key: any page, possibly thousands) never get a row
 *     each: one {@code realtime.activity} row per app and minute counts their connects, subscribes,
 *     unsubscribes, abnormal disconnects by cause and distinct IPs.</li>
 * <li><b>Refused handshakes</b> (bad or expired tokens, foreign origins, over the limits) come from
 *     clients nobody vouches for: one {@code realtime.handshake_refused} row per minute counts them by
 *     code, with distinct IPs and a few of them as samples.</li>
 * </ul>
 * Nothing here blocks the broker or a transport: events are noted in memory under a short lock, and
 * rows are written every {@link #FLUSH_EVERY} on the broker's executor. Everything held is bounded:
 * pending rows by {@link #MAX_PENDING_ROWS} (more are folded into the counts), the minute's
 * counts by the number of apps, IP sets by {@link #MAX_IPS_COUNTED}.
 */
public final class RealtimeAudit implements ConnectionEvents {

    private static final Logger LOG = LoggerFactory.getLogger(RealtimeAudit.class);
    /** how late an individual row may reach the trail */
    static final Duration FLUSH_EVERY = Duration.ofSeconds(5);
    /** the aggregation window of the counted rows */
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** rows waiting for the next flush, over all apps; more are folded into the counts */
    static final int MAX_PENDING_ROWS = 10_000;
    /** distinct IPs told apart per counted row; past it the row says "at least" */
    static final int MAX_IPS_COUNTED = 1_000;
    static final int SAMPLE_IPS = 10;

    private final AuditLog audit;
    private final Clock clock;
    private final int rowsPerAppPerMinute;
    private final Counter folded;
    private final Counter writeFailures;

    // guarded by this
    private final ArrayDeque<Row> pending = new ArrayDeque<>();
    private final List<Window> ended = new ArrayList<>();
    private Window current;

    private Timers timers;
    private Executor executor;
    private volatile boolean running;
    private final AtomicInteger generation = new AtomicInteger();
    private final ReentrantLock flushing = new ReentrantLock();

    /** One audit row as {@link AuditLog#recordFrom} takes it. */
    record Row(String clientIp, String actorId, String actorName, String action, String resourceType, String resourceId,
               String appId, Map<String, Object> details) {
    }

    /** One minute's counts: per app, and the refused handshakes. */
    private static final class Window {
        final long from;
        final Map<String, AppCounts> apps = new HashMap<>();
        final Map<String, Integer> refusedByCode = new TreeMap<>();
        final Set<String> refusedIps = new HashSet<>();
        final Set<String> refusedSampleIps = new LinkedHashSet<>();

        Window(long from) {
            this.from = from;
        }
    }

    private static final class AppCounts {
        int rowsUsed;
        int anonymousConnects;
        int anonymousSubscribes;
        int anonymousUnsubscribes;
        final Map<String, Integer> anonymousAbnormal = new TreeMap<>();
        final Set<String> anonymousIps = new HashSet<>();
        final Map<String, Integer> folded = new TreeMap<>();

        boolean isEmpty() {
            return anonymousConnects + anonymousSubscribes + anonymousUnsubscribes == 0 && anonymousAbnormal.isEmpty() && folded.isEmpty();
        }
    }

    /**
     * @param rowsPerAppPerMinute rows of identified clients' doings per app and minute; more are counted, not listed
     */
    public RealtimeAudit(AuditLog audit, Clock clock, int rowsPerAppPerMinute, MeterRegistry registry) {
        if (rowsPerAppPerMinute < 0) {
            throw new IllegalArgumentException("realtime.auditRowsPerAppPerMinute must not be negative");
        }
        this.audit = audit;
        this.clock = clock;
        this.rowsPerAppPerMinute = rowsPerAppPerMinute;
        this.folded = Counter.builder("traceflow.realtime.audit.folded")
                .description("Realtime events of identified clients counted in a per-minute audit row instead of a row each "
                        + "(over the per-app budget, or too many waiting)").register(registry);
        this.writeFailures = Counter.builder("traceflow.realtime.audit.write.failures")
                .description("Realtime audit rows that could not be written").register(registry);
        Gauge.builder("traceflow.realtime.audit.pending", this, RealtimeAudit::pendingRows)
                .description("Realtime audit rows waiting to be written").register(registry);
    }

    // ---- what happens ----

    @Override
    public void opened(Connection c) {
        note(c, "realtime.connect", "realtime_connection", c.id(), Map.of());
    }

    @Override
    public void subscribed(Connection c, String topic, boolean resume) {
        note(c, "realtime.subscribe", "realtime_topic", topic, Map.of("connection", c.id(), "resume", resume));
    }

    @Override
    public void unsubscribed(Connection c, String topic, boolean byClient) {
        note(c, "realtime.unsubscribe", "realtime_topic", topic, Map.of("connection", c.id(), "by", byClient ? "client" : "access_changed"));
    }

    /** Normal ends (the client closed, the server shut down) are not audited: only the abnormal ones, with their cause. */
    @Override
    public void closed(Connection c, String how, boolean abnormal) {
        if (abnormal) {
            note(c, "realtime.disconnect", "realtime_connection", c.id(), Map.of("how", how));
        }
    }

    /** A handshake was refused with this error code. */
    public void handshakeRefused(String code, String clientIp) {
        synchronized (this) {
            Window w = window(clock.millis());
            w.refusedByCode.merge(code, 1, Integer::sum);
            if (clientIp != null) {
                if (w.refusedIps.size() < MAX_IPS_COUNTED) {
                    w.refusedIps.add(clientIp);
                }
                if (w.refusedSampleIps.size() < SAMPLE_IPS) {
                    w.refusedSampleIps.add(clientIp);
                }
            }
        }
    }

    private void note(Connection c, String action, String resourceType, String resourceId, Map<String, Object> details) {
        ConnectionAuth.Actor actor = c.actor();
        boolean wasFolded = false;
        synchronized (this) {
            AppCounts counts = window(clock.millis()).apps.computeIfAbsent(c.appId(), a -> new AppCounts());
            if (actor == null) {
                switch (action) {
                    case "realtime.connect" -> counts.anonymousConnects++;
                    case "realtime.subscribe" -> counts.anonymousSubscribes++;
                    case "realtime.unsubscribe" -> counts.anonymousUnsubscribes++;
                    default -> counts.anonymousAbnormal.merge(String.valueOf(details.get("how")), 1, Integer::sum);
                }
                if (counts.anonymousIps.size() < MAX_IPS_COUNTED) {
                    counts.anonymousIps.add(c.clientIp());
                }
                return;
            }
            if (counts.rowsUsed >= rowsPerAppPerMinute || pending.size() >= MAX_PENDING_ROWS) {
                counts.folded.merge(action, 1, Integer::sum);
                wasFolded = true;
            } else {
                counts.rowsUsed++;
                Map<String, Object> withKey = new LinkedHashMap<>(details);
                if (actor.keyId() != null) {
                    withKey.put("realtimeKeyId", actor.keyId());
                }
                pending.add(new Row(c.clientIp(), actor.userId(), actor.name(), action, resourceType, resourceId, c.appId(), withKey));
            }
        }
        if (wasFolded) {
            folded.increment();
        }
    }

    /** Under the lock: the window {@code now} falls in; an ended one waits for the next flush. */
    private Window window(long now) {
        long from = now - Math.floorMod(now, WINDOW.toMillis());
        if (current == null || current.from != from) {
            if (current != null) {
                ended.add(current);
            }
            current = new Window(from);
        }
        return current;
    }

    // ---- writing ----

    /** Starts writing every {@link #FLUSH_EVERY}. Restartable after {@link #stop()}. */
    public void start(Timers timers, Executor executor) {
        this.timers = timers;
        this.executor = executor;
        running = true;
        scheduleFlush(generation.incrementAndGet());
    }

    /** Writes everything noted so far, the current minute's counts too (the server is stopping). */
    public void stop() {
        running = false;
        generation.incrementAndGet();
        flush(true);
    }

    private void scheduleFlush(int started) {
        if (running && generation.get() == started) {
            timers.schedule(FLUSH_EVERY, () -> {
                try {
                    executor.execute(() -> {
                        try {
                            flush(false);
                        } finally {
                            scheduleFlush(started);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    LOG.debug("Realtime audit flush not run: shutting down");
                }
            });
        }
    }

    /**
     * Writes the waiting rows, and the counted rows of the minutes that ended (with {@code all}, of the
     * current one too). Blocking, one flush at a time; what happens meanwhile is noted without waiting
     * for it (the rows are taken out under the short lock, written outside it).
     */
    void flush(boolean all) {
        flushing.lock();
        try {
            write(takeRows(all));
        } finally {
            flushing.unlock();
        }
    }

    private synchronized List<Row> takeRows(boolean all) {
        List<Row> rows = new ArrayList<>(pending);
        pending.clear();
        window(clock.millis()); // a minute that ended without events since is written now, not at the next event
        List<Window> windows = new ArrayList<>(ended);
        ended.clear();
        if (all && current != null) {
            windows.add(current);
            current = null;
        }
        for (Window w : windows) {
            rows.addAll(countedRows(w));
        }
        return rows;
    }

    private void write(List<Row> rows) {
        int failed = 0;
        RuntimeException first = null;
        for (Row r : rows) {
            try {
                audit.recordFrom(r.clientIp(), r.actorId(), r.actorName(), r.action(), r.resourceType(), r.resourceId(), r.appId(),
                        r.details());
            } catch (RuntimeException e) {
                failed++;
                first = first == null ? e : first;
            }
        }
        if (failed > 0) {
            writeFailures.increment(failed);
            LOG.warn("{} of {} realtime audit rows could not be written", failed, rows.size(), first);
        }
    }

    private static List<Row> countedRows(Window w) {
        List<Row> rows = new ArrayList<>();
        Map<String, Object> span = new LinkedHashMap<>();
        span.put("from", Instant.ofEpochMilli(w.from).toString());
        span.put("to", Instant.ofEpochMilli(w.from + WINDOW.toMillis()).toString());
        for (Map.Entry<String, AppCounts> e : new TreeMap<>(w.apps).entrySet()) {
            AppCounts c = e.getValue();
            if (c.isEmpty()) {
                continue;
            }
            Map<String, Object> details = new LinkedHashMap<>(span);
            if (c.anonymousConnects + c.anonymousSubscribes + c.anonymousUnsubscribes > 0 || !c.anonymousAbnormal.isEmpty()) {
                Map<String, Object> anonymous = new LinkedHashMap<>();
                anonymous.put("connects", c.anonymousConnects);
                anonymous.put("subscribes", c.anonymousSubscribes);
                anonymous.put("unsubscribes", c.anonymousUnsubscribes);
                anonymous.put("abnormalDisconnects", c.anonymousAbnormal);
                anonymous.put("distinctIps", c.anonymousIps.size());
                anonymous.put("distinctIpsCapped", c.anonymousIps.size() >= MAX_IPS_COUNTED);
                details.put("anonymous", anonymous);
            }
            if (!c.folded.isEmpty()) {
                details.put("folded", c.folded);
            }
            rows.add(new Row(null, null, null, "realtime.activity", "app", e.getKey(), e.getKey(), details));
        }
        if (!w.refusedByCode.isEmpty()) {
            Map<String, Object> details = new LinkedHashMap<>(span);
            details.put("refused", w.refusedByCode.values().stream().mapToInt(Integer::intValue).sum());
            details.put("byCode", w.refusedByCode);
            details.put("distinctIps", w.refusedIps.size());
            details.put("distinctIpsCapped", w.refusedIps.size() >= MAX_IPS_COUNTED);
            details.put("sampleIps", List.copyOf(w.refusedSampleIps));
            rows.add(new Row(null, null, null, "realtime.handshake_refused", "realtime_handshake", null, null, details));
        }
        return rows;
    }

    private synchronized double pendingRows() {
        return pending.size();
    }
}
