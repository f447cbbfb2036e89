package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventDetails.ApiCallDetails;
import dev.traceflow.core.event.EventDetails.ClickDetails;
import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventDetails.PerformanceDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.RecentEventIds;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Appends events through DuckDB's Appender and commits once per {@link #write} call, so one
 * call may carry many requests' events (group commit).
 *
 * <p>De-duplication: {@code (appId, eventId)} pairs of the last {@code dedupCapacity} stored
 * events are remembered in memory and reloaded from the table on start; an id older than that
 * window would be stored again. Thread confinement: the Appender and this object belong to the
 * single writer thread.
 */
final class DuckDbEventWriter implements EventWriter {

    private static final Logger log = LoggerFactory.getLogger(DuckDbEventWriter.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DuckDBConnection connection;
    private final RecentEventIds recentIds;
    private DuckDBAppender appender;
    private Thread appenderOwner;

    DuckDbEventWriter(DuckDBConnection connection, int dedupCapacity) throws SQLException {
        this.connection = connection;
        this.recentIds = new RecentEventIds(dedupCapacity);
        loadRecentIds(dedupCapacity);
        connection.setAutoCommit(false);
    }

    private void loadRecentIds(int capacity) throws SQLException {
        // oldest first, so the ring forgets the oldest when the table holds more than the capacity
        String sql = "SELECT app_id, event_id FROM (SELECT app_id, event_id, received_at FROM events "
                + "WHERE event_id IS NOT NULL ORDER BY received_at DESC LIMIT " + capacity + ") ORDER BY received_at";
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                recentIds.add(RecentEventIds.key(rs.getString(1), rs.getString(2)));
            }
        }
        if (recentIds.size() > 0) {
            log.info("Loaded {} recent event ids for de-duplication", recentIds.size());
        }
    }

    @Override
    public WriteResult write(List<Event> events) {
        BitSet duplicates = new BitSet();
        long[] keys = new long[events.size()];
        RecentEventIds inThisWrite = null;
        int stored = 0;
        try {
            DuckDBAppender a = appender();
            for (int i = 0; i < events.size(); i++) {
                Event e = events.get(i);
                if (e.eventId() != null) {
                    long key = RecentEventIds.key(e.appId(), e.eventId());
                    if (inThisWrite == null) {
                        inThisWrite = new RecentEventIds(events.size());
                    }
                    if (recentIds.contains(key) || inThisWrite.contains(key)) {
                        duplicates.set(i);
                        continue;
                    }
                    inThisWrite.add(key);
                    keys[i] = key;
                }
                appendRow(a, e);
                stored++;
            }
            a.flush();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw new StorageException("writing " + events.size() + " events to DuckDB failed: " + e.getMessage(), e);
        }
        // only now are the ids durable, so only now may they make later copies duplicates
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).eventId() != null && !duplicates.get(i)) {
                recentIds.add(keys[i]);
            }
        }
        return new WriteResult(stored, duplicates);
    }

    @Override
    public long deleteOlderThan(String appId, Instant cutoff) {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM events WHERE app_id = ? AND ts < ?")) {
            ps.setString(1, appId);
            ps.setObject(2, DuckDbEventCounts.utc(cutoff));
            long deleted = ps.executeLargeUpdate();
            connection.commit();
            return deleted;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StorageException("retention delete failed: " + e.getMessage(), e);
        }
    }

    private DuckDBAppender appender() throws SQLException {
        if (appender != null && appenderOwner != Thread.currentThread()) {
            // The caller's writer thread changed (e.g. a lifecycle stop/start made a new one). An
            // Appender is bound to the thread that made it; after a commit it holds no rows, so
            // close it under its own lock and make a new one for this thread.
            discardAppender();
        }
        if (appender == null) {
            appender = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events");
            appenderOwner = Thread.currentThread();
        }
        return appender;
    }

    /** Closes the appender from whichever thread is current, then forgets it. */
    private void discardAppender() {
        if (appender == null) {
            return;
        }
        DuckDBAppender old = appender;
        appender = null;
        appenderOwner = null;
        try {
            java.util.concurrent.locks.Lock lock = old.unsafeBreakThreadConfinement();
            lock.lock();
            try {
                old.close();
            } finally {
                lock.unlock();
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("closing a discarded appender failed: {}", e.getMessage());
        }
    }

    private void rollbackQuietly() {
        // the appender may hold half a chunk of the failed write: drop it with the transaction
        discardAppender();
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.warn("DuckDB rollback failed: {}", e.getMessage());
        }
    }

    /** Appends one row; the column order is the table's (schema/V1__events.sql). */
    private static void appendRow(DuckDBAppender a, Event e) throws SQLException {
        a.beginRow();
        a.append(e.appId());
        a.append(e.type().wireName());
        a.appendEpochMicros(e.timestamp() * 1000);
        a.appendEpochMicros(e.receivedAt() * 1000);
        a.append(e.eventId());
        a.append(e.sessionId());
        a.append(e.userId());
        a.append(e.anonymousId());
        a.append(e.url());
        a.append(e.path());
        a.append(e.referrer());
        a.append(e.title());
        a.append(e.userAgent());
        a.append(e.release());
        a.append(e.environment());
        a.append(e.browser());
        a.append(e.browserVersion());
        a.append(e.os());
        a.append(e.osVersion());
        a.append(e.deviceType());
        a.append(e.country());
        a.append(e.trafficSource());
        a.append(e.utmSource());
        a.append(e.utmMedium());
        a.append(e.utmCampaign());
        a.append(e.bot());
        appendDetails(a, e.details());
        a.append(e.fingerprint() == null ? null : e.fingerprint());
        appendDetailsTail(a, e.details());
        a.append(json(e.properties()));
        a.append(json(e.metadata()));
        a.endRow();
    }

    /** Columns name .. colno. */
    private static void appendDetails(DuckDBAppender a, EventDetails d) throws SQLException {
        String name = null;
        Double value = null;
        String message = null, errorType = null, stack = null, filename = null;
        Integer lineno = null, colno = null;
        switch (d) {
            case CustomEventDetails c -> name = c.name();
            case WebVitalDetails w -> {
                name = w.name();
                value = w.value();
            }
            case ResourceDetails r -> {
                name = r.timing().name();
                value = r.timing().duration();
            }
            case ApiCallDetails api -> {
                name = api.url();
                value = api.duration();
            }
            case ErrorDetails err -> {
                message = err.message();
                errorType = err.errorType();
                stack = err.stack();
                filename = err.filename();
                lineno = err.lineno();
                colno = err.colno();
            }
            default -> {
            }
        }
        a.append(name);
        a.append(value);
        a.append(message);
        a.append(errorType);
        a.append(stack);
        a.append(filename);
        a.append(lineno);
        a.append(colno);
    }

    /** Columns rating .. resources (after fingerprint). */
    private static void appendDetailsTail(DuckDBAppender a, EventDetails d) throws SQLException {
        String rating = null, metricId = null, navigationType = null, initiatorType = null, selector = null;
        String httpMethod = null, metrics = null, resources = null;
        Double delta = null, transferSize = null, x = null, y = null;
        Integer viewportWidth = null, viewportHeight = null, httpStatus = null;
        switch (d) {
            case WebVitalDetails w -> {
                rating = w.rating();
                delta = w.delta();
                metricId = w.id();
                navigationType = w.navigationType();
            }
            case ResourceDetails r -> {
                initiatorType = r.timing().initiatorType();
                transferSize = r.timing().transferSize();
            }
            case ClickDetails c -> {
                x = c.x();
                y = c.y();
                viewportWidth = c.viewportWidth();
                viewportHeight = c.viewportHeight();
                selector = c.selector();
            }
            case ApiCallDetails api -> {
                httpMethod = api.method();
                httpStatus = api.status();
            }
            case PerformanceDetails p -> {
                metrics = json(p.metrics());
                resources = p.resources() == null || p.resources().isEmpty() ? null : JSON.writeValueAsString(p.resources());
            }
            default -> {
            }
        }
        a.append(rating);
        a.append(delta);
        a.append(metricId);
        a.append(navigationType);
        a.append(initiatorType);
        a.append(transferSize);
        a.append(x);
        a.append(y);
        a.append(viewportWidth);
        a.append(viewportHeight);
        a.append(selector);
        a.append(httpMethod);
        a.append(httpStatus);
        a.append(metrics);
        a.append(resources);
    }

    private static String json(Map<String, ?> map) {
        return map == null || map.isEmpty() ? null : JSON.writeValueAsString(map);
    }

    void close() {
        discardAppender();
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing the DuckDB writer failed: {}", e.getMessage());
        }
    }
}
