package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.LongHashSet;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.RecentEventIds;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Stores events through DuckDB's Arrow import ({@link DuckDbArrowImport}) and commits once per
 * {@link #store} call, so one call carries many requests' events: DuckDB pays a fixed cost per
 * commit whatever its size. Request threads {@link #prepare} the rows ({@link DuckDbRows}: JSON
 * columns, UTF-8, id hashes), so the storing thread only copies byte arrays into Arrow vectors.
 *
 * <p>De-duplication: {@code (appId, eventId)} pairs of at least the last {@code dedupCapacity} stored
 * events are remembered in memory, and on start reloaded from the table (the most recent by event
 * time); an id older than that window would be stored again. Only the storing thread touches them.
 * Callers use one thread at a time (any thread).
 */
final class DuckDbEventConsumer implements EventConsumer {

    private static final Logger log = LoggerFactory.getLogger(DuckDbEventConsumer.class);

    private final DuckDBConnection connection;
    private final RecentEventIds ids;
    private final int rowGroupSize;
    private final DuckDbDayVersions dayVersions;
    private final Runnable committed;
    private final Lock deletes;
    private final DuckDbArrowImport rowImport;
    private PreparedStatement updatePosition;

    /**
     * @param committed told after every commit of events or deletes (the session cache's days may
     *                  be outdated); must not block
     * @param deletes   held around each delete: the compaction ({@link DuckDbCompactor}) holds it
     *                  around each rewrite, whose delete of the same rows would otherwise conflict
     */
    DuckDbEventConsumer(DuckDBConnection connection, int dedupCapacity, int rowGroupSize, Runnable committed,
                        Lock deletes) throws SQLException {
        this.connection = connection;
        this.committed = committed;
        this.deletes = deletes;
        this.ids = new RecentEventIds(dedupCapacity);
        this.rowGroupSize = rowGroupSize;
        this.dayVersions = new DuckDbDayVersions(connection);
        this.rowImport = new DuckDbArrowImport(connection);
        connection.setAutoCommit(false);
        loadRecentIds(dedupCapacity);
    }

    /** Fills the index with the most recent stored ids (by event time), oldest first. */
    private void loadRecentIds(int capacity) throws SQLException {
        // oldest first, so the ring forgets the oldest when the table holds more than the capacity
        String sql = "SELECT app_id, event_id FROM (SELECT app_id, event_id, ts FROM events "
                + "WHERE event_id IS NOT NULL ORDER BY ts DESC LIMIT " + capacity + ") ORDER BY ts";
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(DuckDbRows.idKey(rs.getString(1), rs.getString(2)));
            }
            connection.commit();
        }
        if (ids.size() > 0) {
            log.info("Loaded {} recent event ids for de-duplication", ids.size());
        }
    }

    /** A transaction of whole row groups skips DuckDB's write-ahead log (see {@link EventDatabase}). */
    @Override
    public int batchSizeHint() {
        return rowGroupSize;
    }

    @Override
    public PreparedEvents prepare(List<Event> events) {
        return DuckDbRows.encode(events);
    }

    @Override
    public WriteResult store(List<PreparedEvents> batches, long position) {
        List<DuckDbRows.Batch> rows = new ArrayList<>(batches.size());
        int total = 0;
        for (PreparedEvents batch : batches) {
            DuckDbRows.Batch r = rows(batch);
            rows.add(r);
            total += r.size();
        }
        BitSet duplicates = new BitSet();
        LongHashSet inThisCall = new LongHashSet(Math.min(total, 1 << 16));
        int row = 0;
        for (DuckDbRows.Batch r : rows) {
            for (int i = 0; i < r.size(); i++, row++) {
                long key = r.key(i);
                // 0: an event without id, never a duplicate
                if (key != 0 && (ids.contains(key) || !inThisCall.add(key))) {
                    duplicates.set(row);
                }
            }
        }
        int stored;
        try {
            // JDBC opens the transaction lazily with the first statement: the position update
            recordPosition(position);
            DuckDbDayVersions.Days days = new DuckDbDayVersions.Days();
            row = 0;
            for (DuckDbRows.Batch r : rows) {
                for (int i = 0; i < r.size(); i++, row++) {
                    if (!duplicates.get(row)) {
                        days.add(r, i);
                    }
                }
            }
            long started = System.nanoTime();
            stored = Math.toIntExact(rowImport.insert(rows, duplicates));
            long inserted = System.nanoTime();
            // cached sessions of these days are outdated from this commit on
            dayVersions.stored(days);
            connection.commit();
            if (log.isDebugEnabled()) {
                log.debug("{} events: inserted in {} ms, committed in {} ms", stored, (inserted - started) / 1_000_000,
                        (System.nanoTime() - inserted) / 1_000_000);
            }
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw new StorageException("writing " + total + " events to DuckDB failed: " + e.getMessage(), e);
        }
        if (stored > 0) {
            committed.run();
        }
        // only now are the ids durable, so only now may they make later copies duplicates
        row = 0;
        for (DuckDbRows.Batch r : rows) {
            for (int i = 0; i < r.size(); i++, row++) {
                long key = r.key(i);
                if (key != 0 && !duplicates.get(row)) {
                    ids.add(key);
                }
            }
        }
        return new WriteResult(stored, duplicates);
    }

    /** This backend's rows, or the events of a plain batch encoded now. */
    private static DuckDbRows.Batch rows(PreparedEvents batch) {
        return switch (batch) {
            case DuckDbRows.Batch rows -> rows;
            case PreparedEvents.Plain plain -> DuckDbRows.encode(plain.events());
            default -> throw new StorageException("DuckDB cannot store a batch prepared by another backend ("
                    + batch.getClass().getSimpleName() + ")");
        };
    }

    /** Sets the journal position, or for a negative one leaves it: either way the statement opens the transaction. */
    private void recordPosition(long position) throws SQLException {
        if (updatePosition == null) {
            updatePosition = connection.prepareStatement(
                    "UPDATE journal_position SET position = CASE WHEN ? >= 0 THEN ? ELSE position END");
        }
        updatePosition.setLong(1, position);
        updatePosition.setLong(2, position);
        updatePosition.executeUpdate();
    }

    @Override
    public long storedPosition() {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT position FROM journal_position")) {
            long position = rs.next() ? rs.getLong(1) : NO_POSITION;
            connection.commit();
            return position;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StorageException("reading the journal position from DuckDB failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long deleteApp(String appId) {
        deletes.lock();
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM events WHERE app_id = ?")) {
            dayVersions.deleting("app_id = ?", appId);
            DuckDbRangeRewrite.forgetApp(connection, appId);
            ps.setString(1, appId);
            return deleteAndCommit(ps);
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StorageException("deleting the events of app '" + appId + "' failed: " + e.getMessage(), e);
        } finally {
            deletes.unlock();
        }
    }

    @Override
    public long deleteOlderThan(String appId, Instant cutoff) {
        deletes.lock();
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM events WHERE app_id = ? AND ts < ?")) {
            dayVersions.deleting("app_id = ? AND ts < ?", appId, DuckDbEventCounts.utc(cutoff));
            DuckDbRangeRewrite.forgetEndedBy(connection, appId, DuckDbEventCounts.utc(cutoff));
            ps.setString(1, appId);
            ps.setObject(2, DuckDbEventCounts.utc(cutoff));
            return deleteAndCommit(ps);
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StorageException("retention delete failed: " + e.getMessage(), e);
        } finally {
            deletes.unlock();
        }
    }

    @Override
    public long deleteUser(String appId, String userId, String anonymousId) {
        deletes.lock();
        try (PreparedStatement ps = connection.prepareStatement(
                "DELETE FROM events WHERE app_id = ? AND (user_id = ? OR anonymous_id = ?)")) {
            dayVersions.deleting("app_id = ? AND (user_id = ? OR anonymous_id = ?)", appId, userId, anonymousId);
            DuckDbRangeRewrite.forgetUserRows(connection, appId, userId, anonymousId);
            ps.setString(1, appId);
            ps.setString(2, userId);       // NULL = NULL is not true: a null argument matches nothing
            ps.setString(3, anonymousId);
            return deleteAndCommit(ps);
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StorageException("deleting a user's events failed: " + e.getMessage(), e);
        } finally {
            deletes.unlock();
        }
    }

    private long deleteAndCommit(PreparedStatement delete) throws SQLException {
        long deleted = delete.executeLargeUpdate();
        connection.commit();
        committed.run();
        return deleted;
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.warn("DuckDB rollback failed: {}", e.getMessage());
        }
    }

    void close() {
        dayVersions.close();
        if (updatePosition != null) {
            try {
                updatePosition.close();
            } catch (SQLException e) {
                log.debug("closing the position statement failed: {}", e.getMessage());
            }
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing the DuckDB writer failed: {}", e.getMessage());
        }
        try {
            rowImport.close();
        } catch (RuntimeException e) {
            log.warn("closing the DuckDB writer's Arrow memory failed: {}", e.getMessage());
        }
    }
}
