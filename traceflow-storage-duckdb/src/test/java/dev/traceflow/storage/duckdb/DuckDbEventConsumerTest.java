package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.storage.tests.TestEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** DuckDB-specific: the columns hold what the event carried. */
class DuckDbEventConsumerTest {

    @TempDir
    Path dir;

    /** Writes the events into a DuckDB file and closes it, so the test reads what is on disk. */
    private static void store(Path file, List<Event> events) {
        try (DuckDbStorage storage = new DuckDbStorage(file, 1, "256MB", 100)) {
            storage.consumer().accept(events);
        }
    }

    @Test
    void write_keepsEachEventsJsonColumnsApartWithinABatch() throws Exception {
        Path file = dir.resolve("j.duckdb");
        long at = Instant.now().toEpochMilli();
        // one generator writes every JSON value of a batch: values must not bleed into each other
        List<Event> events = List.of(
                Event.builder("app", dev.traceflow.core.event.EventType.PAGEVIEW, at).eventId("e1")
                        .properties(java.util.Map.of("text", "héllo \"✓\"")).url("https://a.example/1").build(),
                Event.builder("app", dev.traceflow.core.event.EventType.PAGEVIEW, at).eventId("e2").url("https://a.example/2").build(),
                Event.builder("app", dev.traceflow.core.event.EventType.PAGEVIEW, at).eventId("e3")
                        .properties(java.util.Map.of("n", List.of(1, 2))).build());
        store(file, events);
        try (var c = DriverManager.getConnection("jdbc:duckdb:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_id, properties, json_valid(data), json_extract_string(data, '$.url') "
                     + "FROM events ORDER BY event_id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEqualTo("{\"text\":\"héllo \\\"✓\\\"\"}");
            assertThat(rs.getBoolean(3)).isTrue();
            assertThat(rs.getString(4)).isEqualTo("https://a.example/1");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isNull();
            assertThat(rs.getString(4)).isEqualTo("https://a.example/2");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEqualTo("{\"n\":[1,2]}");
            assertThat(rs.getBoolean(3)).isTrue();
            assertThat(rs.getString(4)).isNull();
            assertThat(rs.next()).isFalse();
        }
    }

    /**
     * A lone surrogate (a client can send "\\ud800" in JSON) must not reach the JSON columns as an
     * escape: DuckDB's JSON functions fail the whole query on it ("no low surrogate in string").
     */
    @Test
    void write_keepsTheJsonColumnsReadableWithLoneSurrogates() throws Exception {
        Path file = dir.resolve("surrogates.duckdb");
        long at = Instant.now().toEpochMilli();
        List<Event> events = List.of(
                Event.builder("app", dev.traceflow.core.event.EventType.PAGEVIEW, at).eventId("s1")
                        .properties(java.util.Map.of("text", "a\ud800b")).title("t\udc00").build(),
                Event.builder("app", dev.traceflow.core.event.EventType.PAGEVIEW, at).eventId("s2")
                        .properties(java.util.Map.of("text", "smile \ud83d\ude00")).build());
        store(file, events);
        try (var c = DriverManager.getConnection("jdbc:duckdb:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT json_extract_string(properties, '$.text'), json_extract_string(data, '$.title') "
                     + "FROM events ORDER BY event_id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("a\ufffdb");
            assertThat(rs.getString(2)).isEqualTo("t\ufffd");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("smile \ud83d\ude00");
        }
    }

    /** The user agent's JSON text is reused while it repeats: a change within the batch must still show. */
    @Test
    void write_keepsEachEventsUserAgent() throws Exception {
        Path file = dir.resolve("ua.duckdb");
        long at = Instant.now().toEpochMilli();
        String[] agents = {"Agent A", "Agent A", "Agent \"B\"", null, "Agent A"};
        List<Event> events = new java.util.ArrayList<>();
        for (int i = 0; i < agents.length; i++) {
            events.add(Event.builder("app", dev.traceflow.core.event.EventType.PAGEVIEW, at).eventId("u" + i).userAgent(agents[i]).build());
        }
        store(file, events);
        try (var c = DriverManager.getConnection("jdbc:duckdb:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT json_extract_string(data, '$.userAgent') FROM events ORDER BY event_id")) {
            for (String agent : agents) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(agent);
            }
        }
    }

    @Test
    void write_fillsTypedColumnsAndJson() throws Exception {
        Path file = dir.resolve("e.duckdb");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (DuckDbStorage storage = new DuckDbStorage(file, 1, "256MB", 100)) {
            List<Event> events = TestEvents.oneOfEachType("app", at);
            events.getFirst().path("/pricing");
            events.getFirst().client("Chrome", "120", "Windows", "10", "desktop");
            storage.consumer().accept(events);
        }
        try (var c = DriverManager.getConnection("jdbc:duckdb:" + file);
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT path, browser, device_type, epoch_ms(ts), json_extract_string(properties, '$.plan'), "
                    + "json_extract_string(data, '$.url'), json_extract(data, '$.receivedAt')::BIGINT FROM events WHERE type = 'pageview'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("/pricing");
                assertThat(rs.getString(2)).isEqualTo("Chrome");
                assertThat(rs.getString(3)).isEqualTo("desktop");
                assertThat(rs.getLong(4)).isEqualTo(at.toEpochMilli());
                assertThat(rs.getString(5)).isEqualTo("pro");
                assertThat(rs.getString(6)).isEqualTo("https://a.test/pricing?utm_source=news");
                assertThat(rs.getLong(7)).isEqualTo(at.toEpochMilli());
            }
            try (ResultSet rs = st.executeQuery("SELECT json_extract_string(data, '$.message'), json_extract_string(data, '$.errorType'), "
                    + "json_extract(data, '$.lineno')::INTEGER, fingerprint FROM events WHERE type = 'error'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("x is undefined");
                assertThat(rs.getString(2)).isEqualTo("TypeError");
                assertThat(rs.getInt(3)).isEqualTo(1);
                assertThat(rs.getString(4)).isEqualTo("0123456789abcdef");
            }
            try (ResultSet rs = st.executeQuery("SELECT name, value, json_extract_string(data, '$.rating'), json_extract_string(data, '$.metricId') "
                    + "FROM events WHERE type = 'web-vital'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("LCP");
                assertThat(rs.getDouble(2)).isEqualTo(2100.0);
                assertThat(rs.getString(3)).isEqualTo("good");
                assertThat(rs.getString(4)).isEqualTo("v1-1");
            }
            try (ResultSet rs = st.executeQuery("SELECT json_extract(data, '$.metrics.lcp')::DOUBLE, json_array_length(data, '$.resources') "
                    + "FROM events WHERE type = 'performance'")) {
                rs.next();
                assertThat(rs.getDouble(1)).isEqualTo(1200.0);
                assertThat(rs.getInt(2)).isEqualTo(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT json_extract(data, '$.x')::DOUBLE, json_extract(data, '$.viewportWidth')::INTEGER, "
                    + "json_extract_string(data, '$.selector') FROM events WHERE type = 'click'")) {
                rs.next();
                assertThat(rs.getDouble(1)).isEqualTo(120.0);
                assertThat(rs.getInt(2)).isEqualTo(1280);
                assertThat(rs.getString(3)).isEqualTo("#buy");
            }
        }
    }
}
