package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connections answer queries run on, kept between reads together with the statements prepared
 * on them, so that an answer asked again (a dashboard's refresh, another range or app: the values
 * are parameters, the text is the same) skips DuckDB's parsing, binding and planning, which for an
 * answer's statement of several CTEs is a good part of its CPU (README, query benchmark).
 *
 * <p>A read borrows an idle connection (or a new one) and gives it back when done; at most as many
 * exist as reads ran at once (the bounded reader threads). A connection is given back only in
 * autocommit mode with no transaction open, so every read still sees the newest committed data; one
 * whose read failed is closed rather than trusted. Each keeps its last
 * {@value #STATEMENTS_PER_CONNECTION} statements, the least recently used closed first.
 */
final class DuckDbReaderConnections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DuckDbReaderConnections.class);

    /** Prepared statements kept per connection: an answer's few shapes (filters, grouping) times the areas. */
    static final int STATEMENTS_PER_CONNECTION = 64;

    private final EventDatabase database;
    private final Deque<Reader> idle = new ConcurrentLinkedDeque<>();
    private final LongAdder prepared = new LongAdder();
    private final LongAdder reused = new LongAdder();
    private volatile boolean closed;

    DuckDbReaderConnections(EventDatabase database) {
        this.database = database;
    }

    /** An idle connection, else a new one; give it back with {@link #giveBack} or {@link #discard}. */
    Reader borrow() throws SQLException {
        Reader reader = idle.pollFirst();
        return reader != null ? reader : new Reader(database.connect());
    }

    /** Keeps a connection whose read succeeded for the next read; the caller restored autocommit. */
    void giveBack(Reader reader) {
        if (closed) {
            reader.close();
            return;
        }
        // most recently used first: the fewest connections stay warm
        idle.addFirst(reader);
        if (closed && idle.remove(reader)) {
            reader.close(); // closed meanwhile: close() may have drained the deque before the add
        }
    }

    /** Closes a connection whose read failed: its transaction state is not known. */
    void discard(Reader reader) {
        reader.close();
    }

    /** Statements prepared so far (not found on the connection a read borrowed). */
    long prepared() {
        return prepared.sum();
    }

    /** Statements run again without preparing. */
    long reused() {
        return reused.sum();
    }

    /** Closes the idle connections, and each one in use when it is given back; before the database closes. */
    @Override
    public void close() {
        closed = true;
        for (Reader reader = idle.pollFirst(); reader != null; reader = idle.pollFirst()) {
            reader.close();
        }
    }

    /** One connection and the statements prepared on it; used by one read at a time. */
    final class Reader {

        private final DuckDBConnection connection;
        private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                if (size() <= STATEMENTS_PER_CONNECTION) {
                    return false;
                }
                closeQuietly(eldest.getValue());
                return true;
            }
        };

        private Reader(DuckDBConnection connection) {
            this.connection = connection;
        }

        DuckDBConnection connection() {
            return connection;
        }

        /** The statement of this text prepared on this connection, prepared now if it was not; never close it. */
        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement statement = statements.get(sql);
            if (statement != null) {
                reused.increment();
                return statement;
            }
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
            prepared.increment();
            return statement;
        }

        private void close() {
            statements.values().forEach(Reader::closeQuietly);
            statements.clear();
            try {
                connection.close();
            } catch (SQLException e) {
                log.warn("closing a reader connection failed: {}", e.getMessage());
            }
        }

        private static void closeQuietly(PreparedStatement statement) {
            try {
                statement.close();
            } catch (SQLException e) {
                log.warn("closing a prepared statement failed: {}", e.getMessage());
            }
        }
    }
}
