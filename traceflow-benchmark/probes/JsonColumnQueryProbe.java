import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

/**
 * What zstd on a JSON text column costs the queries that read it: the same page-view-like
 * {@code data} JSON (URL, referrer, title, user agent, versions, receivedAt) is stored once with
 * DuckDB's default string compression and once with {@code USING COMPRESSION zstd} (what schema V3
 * does for {@code events.properties} and {@code events.data}), then two scans that must read every
 * value run 5 times on one DuckDB thread: {@code json_extract_string(data, '$.url') LIKE ...} and a
 * plain {@code data LIKE ...}. Prints the file size and the median of each. From the repository root
 * after a build (the harness's {@code target/lib} holds the DuckDB driver):
 *
 * <pre>
 * java -cp 'traceflow-benchmark/target/lib/*' traceflow-benchmark/probes/JsonColumnQueryProbe.java [rows] [dir]
 * </pre>
 */
public class JsonColumnQueryProbe {

    public static void main(String[] args) throws SQLException {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 3_000_000;
        File dir = new File(args.length > 1 ? args[1] : "traceflow-benchmark/target/json-query-probe");
        dir.mkdirs();
        String generate = "SELECT 'demo', '{\"url\":\"https://shop.example.com/' "
                + "|| (['products','cart','checkout','search','account'])[1 + i % 5] || '/' || (i % 997) || '?q=' || (i % 7919) "
                + "|| '\",\"referrer\":\"https://www.google.com/\",\"title\":\"Shop page ' || (i % 997) "
                + "|| '\",\"userAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/131.0.0.0 Safari/537.36\",\"browserVersion\":\"131.0\",\"osVersion\":\"10\",\"receivedAt\":' "
                + "|| (1764288000000 + i) || '}' FROM range(" + rows + ") r(i)";
        for (String compression : new String[] {"", " USING COMPRESSION zstd"}) {
            String label = compression.isEmpty() ? "default" : "zstd";
            File file = new File(dir, label + ".duckdb");
            file.delete();
            new File(file + ".wal").delete();
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
                st.execute("SET threads = 1");
                st.execute("CREATE TABLE events (app_id VARCHAR, data VARCHAR" + compression + ")");
                st.execute("INSERT INTO events " + generate);
                st.execute("CHECKPOINT");
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement st = c.createStatement()) {
                st.execute("SET threads = 1");
                long extract = medianMillis(st, "SELECT count(*) FROM events WHERE json_extract_string(data, '$.url') LIKE '%/checkout/%'");
                long like = medianMillis(st, "SELECT count(*) FROM events WHERE data LIKE '%/checkout/%'");
                System.out.printf("%-8s %,d rows: file %,d MB, json_extract scan median %d ms, LIKE scan median %d ms%n",
                        label, rows, file.length() >> 20, extract, like);
            }
            file.delete();
        }
    }

    private static long medianMillis(Statement st, String sql) throws SQLException {
        long[] millis = new long[5];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
            }
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        return millis[millis.length / 2];
    }
}
