package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The DuckDB instance and the attached database that holds the events. The database is attached
 * rather than opened through the JDBC URL because only {@code ATTACH} takes a row group size, and
 * the row group size decides what a commit costs: DuckDB writes a transaction of at least one row
 * group straight to the database file, while a smaller one goes through the write-ahead log and is
 * copied again by the next checkpoint (which blocks writers while it runs). The row group size is a
 * setting of the attachment, not of the file: a file written with another size stays readable and
 * new rows use the new size.
 *
 * <p>Every connection must select the attached database ({@code USE}), as a duplicated connection
 * starts in the instance's in-memory catalog; {@link #connect()} does that.
 */
final class EventDatabase implements AutoCloseable {

    /** Name of the attached database inside the DuckDB instance. */
    static final String CATALOG = "traceflow_events";

    private final DuckDBConnection root;

    /**
     * @param location     a file path, or {@code :memory:}
     * @param rowGroupSize rows per row group, a multiple of 2048 (DuckDB's vector size)
     */
    EventDatabase(String location, int rowGroupSize, Properties instanceSettings) throws SQLException {
        if (rowGroupSize < 2048 || rowGroupSize % 2048 != 0) {
            throw new IllegalArgumentException("the DuckDB row group size must be a positive multiple of 2048, got " + rowGroupSize);
        }
        this.root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", instanceSettings);
        try (Statement st = root.createStatement()) {
            st.execute("ATTACH '" + location.replace("'", "''") + "' AS " + CATALOG + " (ROW_GROUP_SIZE " + rowGroupSize + ")");
            // server clock is UTC for every TIMESTAMP we write and compare; the setting is the
            // instance's, so every connection gets it
            st.execute("SET TimeZone = 'UTC'");
        } catch (SQLException e) {
            closeQuietly(root);
            throw e;
        }
        use(root);
    }

    /** The instance's first connection, already on the events database. */
    DuckDBConnection root() {
        return root;
    }

    /** A new connection to the same instance, on the events database; the caller closes it. */
    DuckDBConnection connect() throws SQLException {
        DuckDBConnection c = (DuckDBConnection) root.duplicate();
        try {
            use(c);
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private static void use(DuckDBConnection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("USE " + CATALOG);
        }
    }

    private static void closeQuietly(DuckDBConnection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already failing: the first error is the one to report
        }
    }

    @Override
    public void close() throws SQLException {
        root.close();
    }
}
