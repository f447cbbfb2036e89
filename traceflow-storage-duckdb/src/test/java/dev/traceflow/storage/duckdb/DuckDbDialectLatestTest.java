package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SqlDialect#latest} picks the row with the latest time, ties to the greatest row number, for
 * any time DuckDB holds and any non-negative row number: its one-number key must order exactly as
 * the pair does, also where a narrower key would overflow or wrap.
 */
class DuckDbDialectLatestTest {

    @Test
    void theLatestTime_thenTheGreatestRowNumber_decides() throws Exception {
        // per group: (value, time, row number); the expected winner is the value 'win'
        String rows = """
                ('tie on time', 'lose', TIMESTAMP '2026-12-07 10:00:00', 5),
                ('tie on time', 'win', TIMESTAMP '2026-12-07 10:00:00', 6),
                ('tie on time', 'lose', TIMESTAMP '2026-12-07 10:00:00', 0),
                ('later time, smaller row', 'win', TIMESTAMP '2026-12-07 10:00:00.000001', 1),
                ('later time, smaller row', 'lose', TIMESTAMP '2026-12-07 10:00:00', 9223372036854775807),
                ('huge row numbers', 'lose', TIMESTAMP '2026-12-07 10:00:00', 9223372036854775806),
                ('huge row numbers', 'win', TIMESTAMP '2026-12-07 10:00:00', 9223372036854775807),
                ('before 1970', 'lose', TIMESTAMP '1969-12-31 23:59:59.999999', 9223372036854775807),
                ('before 1970', 'win', TIMESTAMP '1970-01-01 00:00:00', 0),
                ('far apart', 'lose', TIMESTAMP '0001-01-01 00:00:00', 7),
                ('far apart', 'win', TIMESTAMP '9999-12-31 23:59:59.999999', 3),
                ('null value kept', NULL, TIMESTAMP '2026-12-07 11:00:00', 2),
                ('null value kept', 'lose', TIMESTAMP '2026-12-07 10:00:00', 3)""";
        String sql = "SELECT g, " + DuckDbDialect.INSTANCE.latest("v", "t", "n") + " FROM (VALUES " + rows + ") AS r(g, v, t, n) GROUP BY g";
        Map<String, String> latest = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                latest.put(rs.getString(1), rs.getString(2));
            }
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (String g : new String[]{"tie on time", "later time, smaller row", "huge row numbers", "before 1970", "far apart"}) {
            expected.put(g, "win");
        }
        expected.put("null value kept", null);
        assertThat(latest).containsExactlyInAnyOrderEntriesOf(expected);
    }
}
