package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ApiCallDetails;
import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * Appends events through DuckDB's Appender and commits once per {@link #write} call, so one
 * call may carry many requests' events (group commit).
 *
 * <p>De-duplication: {@code (appId, eventId)} pairs of the last {@code dedupCapacity} stored
 * events are remembered in memory, and on start reloaded from the table (the most recent by event
 * time); an id older than that window would be stored again. Thread confinement: the Appender
 * belongs to the thread that made it; callers use one thread at a time.
 */
final class DuckDbEventWriter implements EventWriter {

    private static final Logger log = LoggerFactory.getLogger(DuckDbEventWriter.class);

    private final DuckDBConnection connection;
    private final EventIdClaims ids;
    private DuckDBAppender appender;
    private Thread appenderOwner;

    /** @param ids the de-duplication index, shared with the storage's other writers */
    DuckDbEventWriter(DuckDBConnection connection, EventIdClaims ids) throws SQLException {
        this.connection = connection;
        this.ids = ids;
        connection.setAutoCommit(false);
    }

    /** Fills the shared index with the most recent stored ids (by event time), oldest first. */
    static void loadRecentIds(DuckDBConnection connection, EventIdClaims ids, int capacity) throws SQLException {
        // oldest first, so the ring forgets the oldest when the table holds more than the capacity
        String sql = "SELECT app_id, event_id FROM (SELECT app_id, event_id, ts FROM events "
                + "WHERE event_id IS NOT NULL ORDER BY ts DESC LIMIT " + capacity + ") ORDER BY ts";
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                ids.remember(rs.getString(1), rs.getString(2));
            }
        }
        if (ids.size() > 0) {
            log.info("Loaded {} recent event ids for de-duplication", ids.size());
        }
    }

    /** The JSON columns, serialized off the writer thread. */
    private record PreparedRow(String properties, String data) {
    }

    @Override
    public void prepare(List<Event> events) {
        for (Event e : events) {
            e.preparedRow(new PreparedRow(EventDataJson.json(e.properties()), EventDataJson.data(e)));
        }
    }

    @Override
    public WriteResult write(List<Event> events) {
        EventIdClaims.Claim claim = ids.claim(events);
        int stored = 0;
        try {
            DuckDBAppender a = appender();
            for (int i = 0; i < events.size(); i++) {
                if (!claim.duplicates().get(i)) {
                    appendRow(a, events.get(i));
                    stored++;
                }
            }
            a.flush();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            ids.release(claim);
            throw new StorageException("writing " + events.size() + " events to DuckDB failed: " + e.getMessage(), e);
        }
        // only now are the ids durable, so only now may they make later copies duplicates
        ids.commit(claim);
        return new WriteResult(stored, claim.duplicates());
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
        a.append(e.eventId());
        a.append(e.sessionId());
        a.append(e.userId());
        a.append(e.anonymousId());
        a.append(e.path());
        String name = null;
        Double value = null;
        switch (e.details()) {
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
            default -> {
            }
        }
        a.append(name);
        a.append(value);
        a.append(e.fingerprint());
        a.append(e.release());
        a.append(e.environment());
        a.append(e.browser());
        a.append(e.os());
        a.append(e.deviceType());
        a.append(e.country());
        a.append(e.trafficSource());
        // prepared on a request thread when the caller used prepare(); otherwise here
        PreparedRow row = e.preparedRow() instanceof PreparedRow r ? r
                : new PreparedRow(EventDataJson.json(e.properties()), EventDataJson.data(e));
        a.append(row.properties());
        a.append(row.data());
        a.endRow();
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
