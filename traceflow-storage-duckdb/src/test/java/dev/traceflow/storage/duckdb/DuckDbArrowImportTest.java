package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The loader's Arrow import: which rows it inserts, and that its off-heap vectors are always given back. */
class DuckDbArrowImportTest {

    private EventDatabase database;
    private DuckDBConnection connection;
    private DuckDbArrowImport rowImport;

    @BeforeEach
    void open() throws SQLException {
        Properties settings = new Properties();
        settings.setProperty("threads", "1");
        database = new EventDatabase(":memory:", 2048, settings);
        DuckDbSchema.migrate(database.root());
        connection = database.connect();
        connection.setAutoCommit(false);
        rowImport = new DuckDbArrowImport(connection);
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
        database.close();
    }

    private static List<Event> events(String prefix, int n) {
        long at = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(Event.builder("app", EventType.PAGEVIEW, at + i).eventId(prefix + i).url("https://a.test/p" + i).build());
        }
        return events;
    }

    private List<String> storedIds() throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_id FROM events ORDER BY rowid")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    @Test
    void insert_storesTheRowsOfEverySliceInOrder_exceptTheDuplicates() throws Exception {
        DuckDbRows.Batch a = DuckDbRows.encode(events("a", 20));
        DuckDbRows.Batch b = DuckDbRows.encode(events("b", 5));
        // rows run over the batches: a's rows 10-19, then b's rows 0-4
        List<DuckDbRows.Batch> batches = List.of((DuckDbRows.Batch) a.slice(10, 20), b);
        BitSet duplicates = new BitSet();
        duplicates.set(0);
        duplicates.set(11);

        long inserted = rowImport.insert(batches, duplicates);
        connection.commit();

        assertThat(inserted).isEqualTo(13);
        assertThat(storedIds()).containsExactly("a11", "a12", "a13", "a14", "a15", "a16", "a17", "a18", "a19",
                "b0", "b2", "b3", "b4");
        assertThatNoException().isThrownBy(rowImport::close);
    }

    @Test
    void insert_ofDuplicatesOnly_insertsNothing() throws Exception {
        BitSet all = new BitSet();
        all.set(0, 3);

        assertThat(rowImport.insert(List.of(DuckDbRows.encode(events("d", 3))), all)).isZero();
        connection.commit();

        assertThat(storedIds()).isEmpty();
    }

    /** The vectors live off the heap: a failed insert must free them too, or every failed retry would leak a transaction's rows. */
    @Test
    void aFailedInsert_givesItsArrowMemoryBack() throws Exception {
        DuckDbRows.Batch batch = DuckDbRows.encode(events("f", 3));
        batch.lengths()[DuckDbRows.STRINGS] = DuckDbRows.NULL_LENGTH;    // row 1's app_id: the column is NOT NULL

        assertThatThrownBy(() -> rowImport.insert(List.of(batch), new BitSet())).isInstanceOf(SQLException.class);
        connection.rollback();

        assertThat(storedIds()).isEmpty();
        // the allocator refuses to close while any of its memory is outstanding
        assertThatNoException().isThrownBy(rowImport::close);
    }
}
