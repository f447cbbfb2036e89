package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The loader's prepared rows: every string of a batch in one array, values that repeat sharing their bytes. */
class DuckDbRowsTest {

    private static final long T = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    // cells of a row, in table order (DuckDbRows' class comment)
    private static final int APP = 0;
    private static final int TYPE = 1;
    private static final int EVENT_ID = 2;
    private static final int SESSION = 3;
    private static final int USER = 4;
    private static final int PATH = 6;

    private static String cell(DuckDbRows.Batch batch, int row, int column) {
        byte[] bytes = batch.bytes(batch.firstCell(row) + column);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static Event pageView(long at, String eventId, String sessionId, String path) {
        Event e = Event.builder("app-ü", EventType.PAGEVIEW, at).eventId(eventId).sessionId(sessionId)
                .url("https://a.test" + path).build();
        e.path(path); // what processing derives from the URL
        return e;
    }

    @Test
    void encode_keepsEveryValue_andNullsAsNull() {
        DuckDbRows.Batch batch = DuckDbRows.encode(List.of(pageView(T, "e1", "s1", "/a"), pageView(T + 1, "e2", null, "/b")));

        assertThat(cell(batch, 0, APP)).isEqualTo("app-ü");
        assertThat(cell(batch, 0, TYPE)).isEqualTo("pageview");
        assertThat(cell(batch, 0, EVENT_ID)).isEqualTo("e1");
        assertThat(cell(batch, 0, SESSION)).isEqualTo("s1");
        assertThat(cell(batch, 0, USER)).isNull();
        assertThat(cell(batch, 0, PATH)).isEqualTo("/a");
        assertThat(cell(batch, 1, EVENT_ID)).isEqualTo("e2");
        assertThat(cell(batch, 1, SESSION)).isNull();
        assertThat(cell(batch, 1, PATH)).isEqualTo("/b");
        assertThat(batch.app(1)).isEqualTo("app-ü");
    }

    @Test
    void encode_writesARepeatedValueOnce_theRowsPointingAtTheSameBytes() {
        DuckDbRows.Batch batch = DuckDbRows.encode(List.of(pageView(T, "e1", "s1", "/a"), pageView(T + 1, "e2", "s1", "/b"),
                pageView(T + 2, "e3", "s2", "/b")));

        int[] starts = batch.starts();
        assertThat(starts[batch.firstCell(1) + APP]).isEqualTo(starts[batch.firstCell(0) + APP]);
        assertThat(batch.appStart(2)).isEqualTo(batch.appStart(0));
        assertThat(starts[batch.firstCell(1) + SESSION]).isEqualTo(starts[batch.firstCell(0) + SESSION]);
        assertThat(starts[batch.firstCell(2) + SESSION]).isNotEqualTo(starts[batch.firstCell(1) + SESSION]);
        assertThat(cell(batch, 2, SESSION)).isEqualTo("s2");
        // one array, no spare room: the batch waits in memory until its load
        int written = 0;
        for (int c = 0; c < batch.lengths().length; c++) {
            written = Math.max(written, batch.lengths()[c] == DuckDbRows.NULL_LENGTH ? 0 : starts[c] + batch.lengths()[c]);
        }
        assertThat(batch.text()).hasSize(written);
    }

    @Test
    void aSlice_readsItsOwnRows() {
        DuckDbRows.Batch batch = DuckDbRows.encode(List.of(pageView(T, "e1", "s1", "/a"), pageView(T + 1, "e2", "s1", "/b"),
                pageView(T + 2, "e3", "s2", "/c")));

        DuckDbRows.Batch tail = (DuckDbRows.Batch) batch.slice(1, 3);

        assertThat(tail.size()).isEqualTo(2);
        assertThat(cell(tail, 0, EVENT_ID)).isEqualTo("e2");
        assertThat(cell(tail, 1, PATH)).isEqualTo("/c");
        assertThat(tail.micros(1)).isEqualTo((T + 2) * 1000);
    }
}
