import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

/**
 * What loading rows into DuckDB costs on this machine, without HTTP, parsing or journaling: the
 * floor under the server's stored events/s. It creates the server's {@code events} table (the
 * storage module's migration scripts), attaches the file with the server's row group size, and
 * loads rounds of 92,160 rows (three row groups, the loader's transaction under load) one of two
 * ways:
 *
 * <ul>
 *   <li>{@code appender}: DuckDB's Appender with UTF-8 byte arrays, as {@code DuckDbEventWriter} does;</li>
 *   <li>{@code csv}: rows written to a CSV file, then {@code INSERT ... SELECT FROM read_csv(...)}.</li>
 * </ul>
 *
 * <p>It prints, per round, the process CPU per row spent loading (Appender calls, or the INSERT) and
 * committing, and the wall-clock rate, then the medians. Rows imitate the benchmark's traffic: a
 * type mix, ids, a path, a ~370-byte {@code data} JSON and sometimes properties. Run it from the
 * repository root after a build (the harness's {@code target/lib} holds the DuckDB driver):
 *
 * <pre>
 * java -cp 'traceflow-benchmark/target/lib/*' traceflow-benchmark/probes/DuckDbLoadProbe.java appender 8
 * java -cp 'traceflow-benchmark/target/lib/*' traceflow-benchmark/probes/DuckDbLoadProbe.java csv 8
 * java -Dprobe.setting="SET force_compression='uncompressed'" -cp ... DuckDbLoadProbe.java appender 8
 * java -Dprobe.threads=2 -cp ... DuckDbLoadProbe.java appender 8
 * </pre>
 *
 * Not part of the build: a measuring tool, like {@code run.sh}. Quote medians; the first rounds
 * include the JIT.
 */
public class DuckDbLoadProbe {

    static final int ROWS_PER_ROUND = 3 * 30_720;
    static final Path SCHEMA = Path.of("traceflow-storage-duckdb/src/main/resources/dev/traceflow/storage/duckdb/schema");
    static final String[] TYPES = {"pageview", "pageview", "pageview", "pageview", "click", "click", "event", "event",
            "web-vital", "performance", "error", "resource"};

    record Round(double loadCpuUsPerRow, double commitCpuUsPerRow, double rowsPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("appender") || args[0].equals("csv"))) {
            System.err.println("usage: DuckDbLoadProbe appender|csv [rounds]");
            System.exit(2);
        }
        String mode = args[0];
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int threads = Integer.getInteger("probe.threads", 1);
        Path dir = Files.createTempDirectory("duckdb-load-probe");
        Path file = dir.resolve("events.duckdb");
        String[][] rows = rows(ROWS_PER_ROUND, new Random(1));
        List<Round> results = new ArrayList<>();
        try (DuckDBConnection c = open(file, threads)) {
            long ts = System.currentTimeMillis() * 1000;
            for (int round = 0; round < rounds; round++) {
                Round r = mode.equals("appender") ? appender(c, rows, ts) : csv(c, rows, ts, dir.resolve("batch.csv"));
                results.add(r);
                System.out.printf("%s round %d: load %.2f us/row, commit %.2f us/row (process CPU), %,.0f rows/s%n",
                        mode, round, r.loadCpuUsPerRow(), r.commitCpuUsPerRow(), r.rowsPerSecond());
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
                rs.next();
                if (rs.getLong(1) != (long) rounds * ROWS_PER_ROUND) {
                    throw new IllegalStateException("stored " + rs.getLong(1) + " rows, expected " + (long) rounds * ROWS_PER_ROUND);
                }
            }
        }
        System.out.printf("%s median: load %.2f us/row, commit %.2f us/row, %,.0f rows/s; file %.1f MB for %,d rows (threads=%d%s)%n",
                mode, median(results, Round::loadCpuUsPerRow), median(results, Round::commitCpuUsPerRow),
                median(results, Round::rowsPerSecond), Files.size(file) / 1e6, (long) rounds * ROWS_PER_ROUND, threads,
                System.getProperty("probe.setting") == null ? "" : ", " + System.getProperty("probe.setting"));
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    static DuckDBConnection open(Path file, int threads) throws SQLException, IOException {
        Properties p = new Properties();
        p.setProperty("threads", Integer.toString(threads));
        p.setProperty("memory_limit", "2GB");
        DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", p);
        try (Statement st = c.createStatement()) {
            st.execute("ATTACH '" + file + "' AS probe (ROW_GROUP_SIZE 30720)");
            st.execute("USE probe");
            st.execute("SET TimeZone = 'UTC'");
            String setting = System.getProperty("probe.setting");
            if (setting != null) {
                st.execute(setting);
            }
            try (var scripts = Files.list(SCHEMA)) {
                for (Path script : scripts.sorted().toList()) {
                    for (String sql : Files.readString(script).replaceAll("--[^\n]*", "").split(";")) {
                        if (!sql.isBlank()) {
                            st.execute(sql);
                        }
                    }
                }
            }
        }
        c.setAutoCommit(false);
        return c;
    }

    /** Strings as UTF-8 arrays made beforehand: the server's rows arrive encoded from the journal. */
    static Round appender(DuckDBConnection c, String[][] rows, long tsMicros) throws SQLException {
        byte[][][] utf8 = new byte[rows.length][][];
        for (int i = 0; i < rows.length; i++) {
            utf8[i] = new byte[rows[i].length][];
            for (int j = 0; j < rows[i].length; j++) {
                utf8[i][j] = rows[i][j] == null ? null : rows[i][j].getBytes(StandardCharsets.UTF_8);
            }
        }
        long start = System.nanoTime();
        long cpu0 = processCpuNanos();
        try (Statement st = c.createStatement()) {
            st.execute("UPDATE journal_position SET position = position + 1"); // opens the transaction, as the writer does
        }
        DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events");
        for (byte[][] row : utf8) {
            a.beginRow();
            for (int j = 0; j < row.length; j++) {
                if (j == 2) {
                    a.appendEpochMicros(tsMicros);
                } else if (j == 9) {
                    a.append((Double) null);
                } else {
                    a.append(row[j]);
                }
            }
            a.endRow();
        }
        a.flush();
        long cpu1 = processCpuNanos();
        c.commit();
        long cpu2 = processCpuNanos();
        long end = System.nanoTime();
        a.close();
        return new Round((cpu1 - cpu0) / 1e3 / rows.length, (cpu2 - cpu1) / 1e3 / rows.length, rows.length * 1e9 / (end - start));
    }

    /** The CSV file is written before the clock starts: this measures DuckDB's side only. */
    static Round csv(DuckDBConnection c, String[][] rows, long tsMicros, Path csv) throws SQLException, IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(csv), 1 << 20)) {
            StringBuilder line = new StringBuilder(512);
            for (String[] row : rows) {
                line.setLength(0);
                for (int j = 0; j < row.length; j++) {
                    if (j > 0) {
                        line.append(',');
                    }
                    if (j == 2) {
                        line.append(tsMicros);
                    } else if (row[j] != null) {
                        line.append('"').append(row[j].replace("\"", "\"\"")).append('"');
                    }
                }
                out.write(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        long start = System.nanoTime();
        long cpu0 = processCpuNanos();
        try (Statement st = c.createStatement()) {
            st.execute("UPDATE journal_position SET position = position + 1");
            st.execute("INSERT INTO events SELECT app_id, type, make_timestamp(ts), event_id, session_id, user_id, anonymous_id, "
                    + "path, name, value, fingerprint, release, environment, browser, os, device_type, country, traffic_source, "
                    + "properties, data FROM read_csv('" + csv + "', header = false, auto_detect = false, quote = '\"', "
                    + "escape = '\"', columns = {'app_id': 'VARCHAR', 'type': 'VARCHAR', 'ts': 'BIGINT', 'event_id': 'VARCHAR', "
                    + "'session_id': 'VARCHAR', 'user_id': 'VARCHAR', 'anonymous_id': 'VARCHAR', 'path': 'VARCHAR', "
                    + "'name': 'VARCHAR', 'value': 'DOUBLE', 'fingerprint': 'VARCHAR', 'release': 'VARCHAR', "
                    + "'environment': 'VARCHAR', 'browser': 'VARCHAR', 'os': 'VARCHAR', 'device_type': 'VARCHAR', "
                    + "'country': 'VARCHAR', 'traffic_source': 'VARCHAR', 'properties': 'VARCHAR', 'data': 'VARCHAR'})");
        }
        long cpu1 = processCpuNanos();
        c.commit();
        long cpu2 = processCpuNanos();
        long end = System.nanoTime();
        return new Round((cpu1 - cpu0) / 1e3 / rows.length, (cpu2 - cpu1) / 1e3 / rows.length, rows.length * 1e9 / (end - start));
    }

    /** Columns in table order; index 2 (ts) and 9 (value) are filled by the loaders. */
    static String[][] rows(int n, Random random) {
        String[][] rows = new String[n][];
        for (int i = 0; i < n; i++) {
            String type = TYPES[random.nextInt(TYPES.length)];
            String path = "/products/" + random.nextInt(500);
            String data = "{\"url\":\"https://shop.example.com" + path + "?utm_source=google\",\"referrer\":\"https://www.google.com/\","
                    + "\"title\":\"Trail shoe " + random.nextInt(500) + " | Example Shop\",\"userAgent\":\"Mozilla/5.0 (Windows NT 10.0; "
                    + "Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\",\"browserVersion\":\"124.0\","
                    + "\"osVersion\":\"10\",\"utmSource\":\"google\",\"receivedAt\":" + (1_700_000_000_000L + i) + "}";
            rows[i] = new String[]{"demo", type, null, UUID.randomUUID().toString(), "s-" + random.nextInt(100_000),
                    random.nextInt(4) == 0 ? "u-" + random.nextInt(1000) : null, "a-" + random.nextInt(100_000), path,
                    type.equals("event") ? "add_to_cart" : null, null, type.equals("error") ? Long.toHexString(random.nextLong()) : null,
                    "1.4.2", "production", "Chrome", "Windows", "desktop", null, "search",
                    random.nextBoolean() ? "{\"plan\":\"pro\",\"cart\":" + random.nextInt(9) + "}" : null, data};
        }
        return rows;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> metric) {
        double[] values = rounds.stream().mapToDouble(metric).toArray();
        Arrays.sort(values);
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}
