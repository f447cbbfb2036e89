package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DuckDbSchemaTest {

    @TempDir
    Path dir;

    /**
     * The migration scripts this module ships, V1, V2... in version order, read from the source
     * folder rather than from {@link DuckDbSchema#MIGRATIONS}: a script added without being listed
     * there (never applied) fails the test instead of agreeing with itself.
     */
    private static List<String> shippedScripts() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/dev/traceflow/storage/duckdb/schema"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.+\\.sql"))
                    .sorted(Comparator.comparingInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))))
                    .toList();
        }
    }

    @Test
    void migrate_appliesEveryShippedScriptOnceInOrder_andIsIdempotent() throws Exception {
        List<String> shipped = shippedScripts();
        assertThat(shipped).as("the scripts in the source folder").startsWith("V1__events.sql");
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("s.duckdb"))) {
            int latest = DuckDbSchema.version(shipped.getLast());
            assertThat(DuckDbSchema.migrate(c)).isEqualTo(latest);
            assertThat(DuckDbSchema.migrate(c)).as("again: nothing more").isEqualTo(latest);
            List<String> recorded = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version, description FROM traceflow_schema_history ORDER BY version")) {
                while (rs.next()) {
                    recorded.add("V" + rs.getInt(1) + " " + rs.getString(2));
                }
            }
            List<String> expected = new ArrayList<>();
            for (String script : shipped) {
                expected.add("V" + DuckDbSchema.version(script) + " " + script);
            }
            assertThat(DuckDbSchema.MIGRATIONS).as("every shipped script listed, in version order").isEqualTo(shipped);
            assertThat(recorded).isEqualTo(expected);
        }
    }

    @Test
    void migrate_refusesADatabaseNewerThanThisCode() throws SQLException {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("n.duckdb"))) {
            DuckDbSchema.migrate(c);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO traceflow_schema_history VALUES (99, 'future', now()::TIMESTAMP)");
            }
            assertThatThrownBy(() -> DuckDbSchema.migrate(c)).hasMessageContaining("upgrade TraceFlow");
        }
    }

    @Test
    void statements_splitsOnSemicolonsAndDropsComments() {
        assertThat(DuckDbSchema.statements("-- c\nCREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)");
    }

    /** The compression DuckDB chose for each VARCHAR column of a table ({@code events}, {@code session_cache}), after a checkpoint. */
    private static java.util.Map<String, java.util.Set<String>> stringCompression(Statement st, String table) throws SQLException {
        st.execute("CHECKPOINT");
        java.util.Map<String, java.util.Set<String>> byColumn = new java.util.TreeMap<>();
        try (ResultSet rs = st.executeQuery("SELECT column_name, compression FROM pragma_storage_info('" + table + "') "
                + "WHERE segment_type = 'VARCHAR'")) {
            while (rs.next()) {
                byColumn.computeIfAbsent(rs.getString(1), k -> new java.util.TreeSet<>()).add(rs.getString(2));
            }
        }
        return byColumn;
    }

    /** The columns of V1, in order: rows written as an older release wrote them. */
    private static final String V1_COLUMNS = "app_id, type, ts, event_id, session_id, user_id, anonymous_id, path, name, value, "
            + "fingerprint, release, environment, browser, os, device_type, country, traffic_source, properties, data";

    private static void insertRows(Statement st, String app, int n) throws SQLException {
        st.execute("INSERT INTO events (" + V1_COLUMNS + ") SELECT '" + app + "', 'pageview', TIMESTAMP '2026-11-28 00:00:00' + INTERVAL (i) SECOND, "
                + "'id-' || i, 's-' || (i % 50), NULL, 'a-' || (i % 70), '/p/' || (i % 30), NULL, NULL, NULL, '1.0.' || (i % 3), "
                + "'production', 'Chrome', 'Windows', 'desktop', NULL, 'direct', '{\"plan\":\"pro\",\"n\":' || i || '}', "
                + "'{\"url\":\"https://shop.example.com/p/' || (i % 30) || '?q=' || i || '\",\"title\":\"Product ' || (i % 30) "
                + "|| '\",\"userAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0\",\"receivedAt\":' || (1764288000000 + i) || '}' "
                + "FROM range(" + n + ") r(i)");
    }

    @Test
    void theJsonColumnsAreStoredWithZstd_theTypedOnesWithTheDefault_alsoAfterReopening() throws SQLException {
        Path file = dir.resolve("z.duckdb");
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
            DuckDbSchema.migrate(c);
            insertRows(st, "demo", 150_000);
        }
        // the choice is in the catalog: rows written after a restart get it too
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
            DuckDbSchema.migrate(c);
            insertRows(st, "other", 150_000);
            var compression = stringCompression(st, "events");

            assertThat(compression.get("data")).containsOnly("ZSTD");
            assertThat(compression.get("properties")).containsOnly("ZSTD");
            assertThat(compression.get("browser")).doesNotContain("ZSTD");
            assertThat(compression.get("app_id")).doesNotContain("ZSTD");
        }
    }

    @Test
    void aVersion2Database_keepsItsRowsAndColumnOrderThroughTheRebuild() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v2.duckdb"));
             Statement st = c.createStatement()) {
            // the database as the previous release left it: V1 and V2 applied, with rows
            st.execute("CREATE TABLE traceflow_schema_history (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
                    + "applied_at TIMESTAMP NOT NULL)");
            for (String script : List.of("V1__events.sql", "V2__journal_position.sql")) {
                try (var in = DuckDbSchema.class.getResourceAsStream("schema/" + script)) {
                    for (String sql : DuckDbSchema.statements(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))) {
                        st.execute(sql);
                    }
                }
            }
            st.execute("INSERT INTO traceflow_schema_history VALUES (1, 'V1__events.sql', now()::TIMESTAMP), "
                    + "(2, 'V2__journal_position.sql', now()::TIMESTAMP)");
            st.execute("UPDATE journal_position SET position = 1234");
            List<String> columnsBefore = columns(st);
            insertRows(st, "demo", 1_000);
            String before = digest(st);

            assertThat(DuckDbSchema.migrate(c)).isEqualTo(DuckDbSchema.version(DuckDbSchema.MIGRATIONS.getLast()));

            // V3 keeps the order; V4, V7 and V8 append their columns at the end (the Appender writes by position)
            assertThat(columns(st)).startsWith(columnsBefore.toArray(String[]::new))
                    .endsWith("kind VARCHAR", "metric_id VARCHAR", "transfer_size DOUBLE", "click_x DOUBLE", "click_y DOUBLE",
                            "viewport_width DOUBLE", "viewport_height DOUBLE");
            assertThat(digest(st)).isEqualTo(before);
            try (ResultSet rs = st.executeQuery("SELECT position FROM journal_position")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1234);
            }
            assertThat(stringCompression(st, "events").get("data")).containsOnly("ZSTD");
        }
    }

    @Test
    void aVersion3Database_getsItsQueryColumnsFilledFromTheJson() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v3.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, 3);
            String row = "INSERT INTO events (" + V1_COLUMNS + ") VALUES ('demo', '%s', TIMESTAMP '2026-11-28 00:00:00', "
                    + "NULL, NULL, NULL, NULL, NULL, %s, %s, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, %s, %s)";
            st.execute(row.formatted("purchase", "NULL", "NULL", "'{\"revenue\": 19.5, \"conversionType\": \"plan\"}'", "'{}'"));
            st.execute(row.formatted("conversion", "NULL", "NULL", "'{\"revenue\": \"12\"}'", "'{}'"));
            st.execute(row.formatted("web-vital", "'LCP'", "2100", "NULL", "'{\"metricId\": \"v1-1\"}'"));
            st.execute(row.formatted("error", "NULL", "NULL", "NULL", "'{\"errorType\": \"TypeError\"}'"));
            st.execute(row.formatted("resource", "'https://a.test/x.js'", "12", "NULL", "'{\"initiatorType\": \"script\"}'"));

            DuckDbSchema.migrate(c);

            List<String> rows = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT type, kind, metric_id, value FROM events ORDER BY type")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getObject(4));
                }
            }
            // a revenue sent as a string is not a number: no value, as for new events
            assertThat(rows).containsExactly("conversion|null|null|null", "error|TypeError|null|null",
                    "purchase|plan|null|19.5", "resource|script|null|12.0", "web-vital|null|v1-1|2100.0");
        }
    }

    @Test
    void aVersion5Database_getsTheTransferSizesOfItsResourceEventsFromTheJson() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v5.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, 5);
            String row = "INSERT INTO events (" + V1_COLUMNS + ") VALUES ('demo', '%s', TIMESTAMP '2026-11-28 00:00:00', "
                    + "%s, NULL, NULL, NULL, NULL, 'https://a.test/x.js', 12, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, %s)";
            st.execute(row.formatted("resource", "'r1'", "'{\"initiatorType\": \"script\", \"transferSize\": 3400}'"));
            st.execute(row.formatted("resource", "'r2'", "'{\"initiatorType\": \"img\", \"transferSize\": 1.5e3}'"));
            st.execute(row.formatted("resource", "'r3'", "'{\"initiatorType\": \"fetch\"}'"));
            st.execute(row.formatted("resource", "'r4'", "'{\"transferSize\": \"big\"}'"));
            // not a resource: its transferSize is not the resource's (only resource events have the column)
            st.execute(row.formatted("api", "'a1'", "'{\"transferSize\": 10}'"));

            DuckDbSchema.migrate(c);

            List<String> rows = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT event_id, transfer_size FROM events ORDER BY event_id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getObject(2));
                }
            }
            // a size sent as a string is not a number: NULL, as for new events
            assertThat(rows).containsExactly("a1|null", "r1|3400.0", "r2|1500.0", "r3|null", "r4|null");
        }
    }

    @Test
    void aVersion7Database_getsTheCoordinatesOfItsClicksFromTheJson() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v7.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, 7);
            String row = "INSERT INTO events (" + V1_COLUMNS + ") VALUES ('demo', '%s', TIMESTAMP '2026-11-28 00:00:00', "
                    + "%s, NULL, NULL, NULL, '/pricing', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, %s)";
            st.execute(row.formatted("click", "'c1'", "'{\"x\": 120.5, \"y\": 40, \"viewportWidth\": 1280, "
                    + "\"viewportHeight\": 800, \"selector\": \"#buy\"}'"));
            st.execute(row.formatted("click", "'c2'", "'{\"x\": 1.5e3, \"y\": \"NaN\", \"viewportWidth\": 390}'"));
            // not a click: its numbers are not coordinates (only clicks have the columns)
            st.execute(row.formatted("pageview", "'p1'", "'{\"x\": 1, \"y\": 2, \"viewportWidth\": 3, \"viewportHeight\": 4}'"));

            DuckDbSchema.migrate(c);

            List<String> rows = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT event_id, click_x, click_y, viewport_width, viewport_height FROM events ORDER BY event_id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getObject(2) + "|" + rs.getObject(3) + "|" + rs.getObject(4) + "|"
                            + rs.getObject(5));
                }
            }
            // NaN, held in the JSON as a string, and a missing field are NULL, as for new events
            assertThat(rows).containsExactly("c1|120.5|40.0|1280.0|800.0", "c2|1500.0|null|390.0|null", "p1|null|null|null|null");
        }
    }

    @Test
    void aVersion9Database_getsEachCachedSessionsUserFirstStart() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v9.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, 9);
            String row = "INSERT INTO session_cache (app_id, day, version, id, who, start_ts, end_ts, page_views, events, "
                    + "conversions, revenue) VALUES ('%s', DATE '%s', 1, '%s', %s, TIMESTAMP '%s 10:00:00', "
                    + "TIMESTAMP '%s 10:05:00', 1, 1, 0, 0)";
            st.execute(row.formatted("a", "2026-11-02", "s1", "'u'", "2026-11-02", "2026-11-02"));
            st.execute(row.formatted("a", "2026-11-05", "s2", "'u'", "2026-11-05", "2026-11-05"));
            // the same user in another app starts there later
            st.execute(row.formatted("b", "2026-11-04", "s3", "'u'", "2026-11-04", "2026-11-04"));
            st.execute(row.formatted("a", "2026-11-03", "s4", "NULL", "2026-11-03", "2026-11-03"));

            DuckDbSchema.migrate(c);

            List<String> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id, user_first FROM session_cache ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getString(2));
                }
            }
            assertThat(rows).containsExactly("s1|2026-11-02 10:00:00.0", "s2|2026-11-02 10:00:00.0", "s3|2026-11-04 10:00:00.0",
                    "s4|null");
        }
    }

    @Test
    void aVersion10Database_getsEachCachedSessionsUserPrev_andTheOverviewHoursOfItsCachedDays() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v10.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, 10);
            String row = "INSERT INTO session_cache (app_id, day, version, id, who, start_ts, end_ts, page_views, events, "
                    + "conversions, revenue) VALUES ('%s', DATE '%s', 1, '%s', %s, TIMESTAMP '%s 10:00:00', "
                    + "TIMESTAMP '%s 10:05:00', 1, 1, 0, 0)";
            st.execute(row.formatted("a", "2026-11-02", "s1", "'u'", "2026-11-02", "2026-11-02"));
            // two sessions of one start: the second in id order follows the first
            st.execute(row.formatted("a", "2026-11-05", "s5", "'u'", "2026-11-05", "2026-11-05"));
            st.execute(row.formatted("a", "2026-11-05", "s2", "'u'", "2026-11-05", "2026-11-05"));
            // by browser, s1 (no browser) is not the one before s2
            st.execute("UPDATE session_cache SET browser = 'Firefox' WHERE id IN ('s2', 's5')");
            st.execute(row.formatted("b", "2026-11-04", "s3", "'u'", "2026-11-04", "2026-11-04"));
            st.execute(row.formatted("a", "2026-11-03", "s4", "NULL", "2026-11-03", "2026-11-03"));
            st.execute("INSERT INTO session_cache_days VALUES ('a', DATE '2026-11-02', 1, false), ('a', DATE '2026-11-05', 1, false)");
            String event = "INSERT INTO events (app_id, type, ts, event_id, value) VALUES ('a', '%s', TIMESTAMP '%s', '%s', %s)";
            st.execute(event.formatted("pageview", "2026-11-02 10:00:00", "e1", "NULL"));
            st.execute(event.formatted("purchase", "2026-11-02 10:30:00", "e2", "7.5"));
            // a day not cached: its hours are formed with it
            st.execute(event.formatted("pageview", "2026-11-20 10:00:00", "e3", "NULL"));

            DuckDbSchema.migrate(c);

            assertThat(strings(st, "SELECT concat_ws('|', id, coalesce(user_prev::VARCHAR, 'null'), "
                    + "coalesce(user_prev_browser::VARCHAR, 'null')) FROM session_cache ORDER BY id"))
                    .containsExactly("s1|null|null", "s2|2026-11-02 10:00:00|null", "s3|null|null", "s4|null|null",
                            "s5|2026-11-05 10:00:00|2026-11-05 10:00:00");
            assertThat(strings(st, "SELECT concat_ws('|', app_id, hour, sessions, viewed, views, page_views, conversions, revenue) "
                    + "FROM overview_hours WHERE dim = '' ORDER BY app_id, hour"))
                    .containsExactly("a|2026-11-02 10:00:00|1|1|1|1|1|7.5", "a|2026-11-03 10:00:00|1|1|1|0|0|0.0",
                            "a|2026-11-05 10:00:00|2|2|2|0|0|0.0", "b|2026-11-04 10:00:00|1|1|1|0|0|0.0");
            assertThat(strings(st, "SELECT concat_ws('|', app_id, hour, dim, dim_value, sessions) FROM overview_hours "
                    + "WHERE dim = 'browser' ORDER BY app_id, hour")).containsExactly("a|2026-11-05 10:00:00|browser|Firefox|2");
        }
    }

    @Test
    void aVersion12Database_getsTheEventSessionHoursOfItsCachedDays_andForgetsDaysWithoutTheDayBefore() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v12.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, 12);
            String session = "INSERT INTO session_cache (app_id, day, version, id, who, start_ts, end_ts, page_views, events, "
                    + "conversions, revenue, client, browser) VALUES ('a', DATE '%s', 1, '%s', '%s', TIMESTAMP '%s', "
                    + "TIMESTAMP '%s', 1, 1, 0, 0, %s, '%s')";
            // a client session across midnight, a user's session of an hour of day 2
            st.execute(session.formatted("2026-11-02", "tab", "tab", "2026-11-02 23:50:00", "2026-11-03 00:10:00", true, "Safari"));
            st.execute(session.formatted("2026-11-03", "~x", "u", "2026-11-03 10:00:00", "2026-11-03 10:20:00", false, "Firefox"));
            st.execute(session.formatted("2026-11-05", "tab5", "tab5", "2026-11-05 08:00:00", "2026-11-05 08:00:00", true, "Safari"));
            st.execute("INSERT INTO session_cache_days VALUES ('a', DATE '2026-11-02', 1, false), ('a', DATE '2026-11-03', 1, false), "
                    + "('a', DATE '2026-11-05', 1, false)");
            String event = "INSERT INTO events (app_id, type, ts, event_id, value, session_id, user_id, browser) "
                    + "VALUES ('a', '%s', TIMESTAMP '%s', '%s', %s, %s, %s, '%s')";
            st.execute(event.formatted("pageview", "2026-11-02 23:50:00", "e1", "NULL", "'tab'", "NULL", "Chrome"));
            st.execute(event.formatted("purchase", "2026-11-03 00:10:00", "e2", "7.5", "'tab'", "NULL", "Chrome"));
            st.execute(event.formatted("pageview", "2026-11-03 10:00:00", "e3", "NULL", "NULL", "'u'", "Edge"));
            st.execute(event.formatted("pageview", "2026-11-03 10:20:00", "e4", "NULL", "NULL", "'u'", "Edge"));
            // after the user's session: of no cached session, it keeps its own browser; so does an event of no one
            st.execute(event.formatted("pageview", "2026-11-03 12:00:00", "e5", "NULL", "NULL", "'u'", "Opera"));
            st.execute(event.formatted("click", "2026-11-03 11:00:00", "e6", "NULL", "NULL", "NULL", "Lynx"));
            // day 5 is cached, day 4 holds events but is not: day 5 is forgotten, to be formed again
            st.execute(event.formatted("pageview", "2026-11-04 09:00:00", "e7", "NULL", "NULL", "'v'", "Edge"));
            st.execute(event.formatted("pageview", "2026-11-05 08:00:00", "e8", "NULL", "'tab5'", "NULL", "Edge"));

            DuckDbSchema.migrate(c);

            assertThat(strings(st, "SELECT concat_ws('|', hour, s_browser, browser, events, page_views, conversions, revenue) "
                    + "FROM event_session_hours ORDER BY hour"))
                    .containsExactly("2026-11-02 23:00:00|Safari|Chrome|1|1|0|0.0", "2026-11-03 00:00:00|Safari|Chrome|1|0|1|7.5",
                            "2026-11-03 10:00:00|Firefox|Edge|2|2|0|0.0", "2026-11-03 11:00:00|Lynx|Lynx|1|0|0|0.0",
                            "2026-11-03 12:00:00|Opera|Opera|1|1|0|0.0");
            assertThat(strings(st, "SELECT day::VARCHAR FROM session_cache_days ORDER BY day")).containsExactly("2026-11-02", "2026-11-03");
            assertThat(strings(st, "SELECT id FROM session_cache ORDER BY id")).containsExactly("tab", "~x");
        }
    }

    /**
     * V17 sums the cached days' events with a path by hour, path and each session dimension's
     * value (the session's; an event of no cached session keeps its own), leaves events without a
     * path out, and forgets a cached day whose previous day holds events but is not cached.
     */
    @Test
    void aVersion13Database_getsTheEventSessionPathHoursOfItsCachedDays_andForgetsDaysWithoutTheDayBefore() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v13.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, 13);
            String session = "INSERT INTO session_cache (app_id, day, version, id, who, start_ts, end_ts, page_views, events, "
                    + "conversions, revenue, client, browser, country) VALUES ('a', DATE '%s', 1, '%s', '%s', TIMESTAMP '%s', "
                    + "TIMESTAMP '%s', 1, 1, 0, 0, %s, '%s', 'DE')";
            // a client session across midnight, a user's session of an hour of day 2
            st.execute(session.formatted("2026-11-02", "tab", "tab", "2026-11-02 23:50:00", "2026-11-03 00:10:00", true, "Safari"));
            st.execute(session.formatted("2026-11-03", "~x", "u", "2026-11-03 10:00:00", "2026-11-03 10:20:00", false, "Firefox"));
            st.execute(session.formatted("2026-11-05", "tab5", "tab5", "2026-11-05 08:00:00", "2026-11-05 08:00:00", true, "Safari"));
            st.execute("INSERT INTO session_cache_days VALUES ('a', DATE '2026-11-02', 1, false), ('a', DATE '2026-11-03', 1, false), "
                    + "('a', DATE '2026-11-05', 1, false)");
            String event = "INSERT INTO events (app_id, type, ts, event_id, value, session_id, user_id, browser, path) "
                    + "VALUES ('a', '%s', TIMESTAMP '%s', '%s', %s, %s, %s, '%s', %s)";
            st.execute(event.formatted("pageview", "2026-11-02 23:50:00", "e1", "NULL", "'tab'", "NULL", "Chrome", "'/'"));
            st.execute(event.formatted("purchase", "2026-11-03 00:10:00", "e2", "7.5", "'tab'", "NULL", "Chrome", "'/checkout'"));
            st.execute(event.formatted("pageview", "2026-11-03 10:00:00", "e3", "NULL", "NULL", "'u'", "Edge", "'/'"));
            st.execute(event.formatted("pageview", "2026-11-03 10:20:00", "e4", "NULL", "NULL", "'u'", "Edge", "'/'"));
            // without a path: left out
            st.execute(event.formatted("click", "2026-11-03 10:10:00", "e9", "NULL", "NULL", "'u'", "Edge", "NULL"));
            // after the user's session: of no cached session, it keeps its own browser (and no country)
            st.execute(event.formatted("pageview", "2026-11-03 12:00:00", "e5", "NULL", "NULL", "'u'", "Opera", "'/'"));
            // day 5 is cached, day 4 holds events but is not: day 5 is forgotten, to be formed again
            st.execute(event.formatted("pageview", "2026-11-04 09:00:00", "e7", "NULL", "NULL", "'v'", "Edge", "'/'"));
            st.execute(event.formatted("pageview", "2026-11-05 08:00:00", "e8", "NULL", "'tab5'", "NULL", "Edge", "'/'"));

            DuckDbSchema.migrate(c);

            assertThat(strings(st, "SELECT concat_ws('|', day, hour, path, dim_value, events, page_views, conversions, revenue) "
                    + "FROM event_session_path_hours WHERE dim = 'browser' ORDER BY hour"))
                    .containsExactly("2026-11-02|2026-11-02 23:00:00|/|Safari|1|1|0|0.0",
                            "2026-11-03|2026-11-03 00:00:00|/checkout|Safari|1|0|1|7.5",
                            "2026-11-03|2026-11-03 10:00:00|/|Firefox|2|2|0|0.0", "2026-11-03|2026-11-03 12:00:00|/|Opera|1|1|0|0.0");
            assertThat(strings(st, "SELECT concat_ws('|', hour, coalesce(dim_value, 'NULL'), events) "
                    + "FROM event_session_path_hours WHERE dim = 'country' ORDER BY hour"))
                    .containsExactly("2026-11-02 23:00:00|DE|1", "2026-11-03 00:00:00|DE|1", "2026-11-03 10:00:00|DE|2",
                            "2026-11-03 12:00:00|NULL|1");
            assertThat(strings(st, "SELECT DISTINCT dim FROM event_session_path_hours ORDER BY dim"))
                    .containsExactly("browser", "country", "device_type", "os", "traffic_source");
            assertThat(strings(st, "SELECT day::VARCHAR FROM session_cache_days ORDER BY day")).containsExactly("2026-11-02", "2026-11-03");
            assertThat(strings(st, "SELECT id FROM session_cache ORDER BY id")).containsExactly("tab", "~x");
        }
    }

    /**
     * V18 rebuilds session_cache with {@code who} uncompressed: every row and column of a version 17
     * database is kept in the same column order, and the choice is in the catalog, so rows cached
     * after a restart are stored uncompressed too, while the other string columns keep DuckDB's
     * default.
     */
    @Test
    void aVersion17Database_keepsItsCachedSessions_andWhoIsStoredUncompressed_alsoAfterReopening() throws Exception {
        Path file = dir.resolve("v17.duckdb");
        String digest;
        List<String> columnsBefore;
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
            migrateTo(st, DuckDbSchema.MIGRATIONS.indexOf("V17__event_session_path_hours.sql") + 1);
            insertSessions(st, "a", 0, 200_000);
            digest = sessionDigest(st);
            columnsBefore = sessionColumns(st);

            DuckDbSchema.migrate(c);

            assertThat(sessionDigest(st)).isEqualTo(digest);
            assertThat(sessionColumns(st)).isEqualTo(columnsBefore);
        }
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
            DuckDbSchema.migrate(c);
            insertSessions(st, "b", 200_000, 200_000);
            var compression = stringCompression(st, "session_cache");
            assertThat(compression.get("who")).containsOnly("Uncompressed");
            assertThat(compression.get("browser")).doesNotContain("Uncompressed");
            assertThat(strings(st, "SELECT count(*) FROM session_cache")).containsExactly("400000");
        }
    }

    /**
     * V19 sums the cached sessions by UTC hour and every filter column but the entry page, for the
     * overview with two or more filters: a version 18 database gets the rows of what it has cached.
     */
    @Test
    void aVersion18Database_getsTheSessionFilterHoursOfItsCachedSessions() throws Exception {
        try (var c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("v18.duckdb"));
             Statement st = c.createStatement()) {
            migrateTo(st, DuckDbSchema.MIGRATIONS.indexOf("V18__session_cache_who_uncompressed.sql") + 1);
            String row = "INSERT INTO session_cache (app_id, day, version, id, who, start_ts, end_ts, page_views, events, "
                    + "conversions, revenue, release, browser, client) VALUES ('a', DATE '2026-11-02', 1, '%s', 'u', "
                    + "TIMESTAMP '2026-11-02 %s', TIMESTAMP '2026-11-02 %s', %d, 1, %d, 0, %s, 'Firefox', false)";
            // 10:05, one view for 20 s (engaged, a bounce); 10:40 two views (engaged); 10:50 no view, another release;
            // 11:10 one view and a conversion (engaged, not a bounce)
            st.execute(row.formatted("s1", "10:05:00", "10:05:20", 1, 0, "'1.1'"));
            st.execute(row.formatted("s2", "10:40:00", "10:40:05", 2, 0, "'1.1'"));
            st.execute(row.formatted("s3", "10:50:00", "10:50:00", 0, 0, "NULL"));
            st.execute(row.formatted("s4", "11:10:00", "11:10:00", 1, 1, "'1.1'"));

            DuckDbSchema.migrate(c);

            assertThat(strings(st, "SELECT concat_ws('|', hour, coalesce(release, 'null'), browser, sessions, engaged, viewed, "
                    + "bounced, duration_ms, views) FROM session_filter_hours ORDER BY hour, release NULLS LAST"))
                    .containsExactly("2026-11-02 10:00:00|1.1|Firefox|2|2|2|1|25000|3",
                            "2026-11-02 10:00:00|null|Firefox|1|0|0|0|0|0",
                            "2026-11-02 11:00:00|1.1|Firefox|1|1|1|0|0|1");
        }
    }

    /** {@code n} cached sessions of an app, every column set (a path transition on every other one). */
    private static void insertSessions(Statement st, String app, int from, int n) throws SQLException {
        st.execute("INSERT INTO session_cache SELECT '" + app + "', DATE '2026-11-01' + (i // 10000)::INTEGER, 1, 's-' || i, "
                + "'user-' || (i % 7919), CASE WHEN i % 2 = 0 THEN 'user-' || (i % 7919) END, "
                + "TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i * 8) SECOND, TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i * 8 + 5) SECOND, "
                + "i % 4, i % 9, i % 2, (i % 5) * 1.5, '/p' || (i % 30), '/q' || (i % 7), 'Chrome', 'Windows', 'desktop', 'DE', "
                + "'direct', '1.' || (i % 3), 'production', i % 3 = 0, "
                + "CASE WHEN i % 2 = 0 THEN [{'from_page': '/a', 'to_page': '/b'}] ELSE [] END, "
                + "TIMESTAMP '2026-10-01 00:00:00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                + "TIMESTAMP '2026-10-02 00:00:00' FROM range(" + from + ", " + (from + n) + ") r(i)");
    }

    private static String sessionDigest(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || sum(hash(s::VARCHAR)::HUGEINT) FROM session_cache s")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<String> sessionColumns(Statement st) throws SQLException {
        return strings(st, "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM duckdb_columns() "
                + "WHERE table_name = 'session_cache' ORDER BY column_index");
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The database as a release left it with the first {@code version} scripts applied and recorded (V17 is the 14th). */
    private static void migrateTo(Statement st, int version) throws Exception {
        st.execute("CREATE TABLE traceflow_schema_history (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
                + "applied_at TIMESTAMP NOT NULL)");
        for (int v = 1; v <= version; v++) {
            String script = DuckDbSchema.MIGRATIONS.get(v - 1);
            try (var in = DuckDbSchema.class.getResourceAsStream("schema/" + script)) {
                for (String sql : DuckDbSchema.statements(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))) {
                    st.execute(sql);
                }
            }
            st.execute("INSERT INTO traceflow_schema_history VALUES (" + DuckDbSchema.version(script) + ", '" + script + "', now()::TIMESTAMP)");
        }
    }

    private static List<String> columns(Statement st) throws SQLException {
        List<String> names = new java.util.ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT column_name || ' ' || data_type FROM duckdb_columns() "
                + "WHERE table_name = 'events' ORDER BY column_index")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** Every row, every column, in one order-independent figure. */
    private static String digest(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || sum(hash(" + V1_COLUMNS + ")::HUGEINT) FROM events")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
