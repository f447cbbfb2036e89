import dev.traceflow.core.query.DimensionSeries;
import dev.traceflow.core.query.EventAggregate;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.duckdb.DuckDbStorage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The reader thread's CPU per storage call of the query benchmark's session-based answers
 * (issue 16): the overview, active users, session metrics, event metrics and custom-event aggregates
 * ({@code /api/analytics/events}), each of the
 * benchmark's 20 variations ({@code QueryVariations}, copied here: the probe runs outside the
 * module), on an existing benchmark file: the CPU of the storage's reader threads
 * ({@code duckdb-read-*}) during the call (DuckDB with one thread runs a statement on the thread
 * that executes it, so {@code ThreadMXBean} sees the whole statement). Prints per variation the median over
 * the rounds, and per endpoint the median and the p95 of those medians. From the repository root,
 * after a package build:
 *
 * <pre>
 * java -cp 'traceflow-benchmark/target/lib/*:traceflow-benchmark/target/classes' \
 *   traceflow-benchmark/probes/SessionAnswersProbe.java FILE NOW_EPOCH_MS ROUNDS [endpoint,...]
 * </pre>
 *
 * {@code NOW_EPOCH_MS}: the benchmark's {@code now} (the end of the generated data). Endpoints:
 * {@code overview}, {@code active}, {@code session}, {@code event}, {@code events}. Not part of the build.
 */
public class SessionAnswersProbe {

    static final List<String> APPS = List.of("shop-1", "shop-2", "shop-3", "shop-4");
    static final List<String> BROWSERS = List.of("Chrome", "Firefox", "Mobile Safari", "Chrome Mobile");
    static final List<String> DEVICE_TYPES = List.of("desktop", "mobile", "tablet");
    static final List<String> PATHS = List.of("/", "/pricing", "/checkout", "/docs/start");
    static final List<String> RELEASES = List.of("1.0", "1.1");
    static final List<String> EVENT_METRICS = List.of("page_views", "events", "conversions", "revenue");
    static final List<String> SESSION_METRICS = List.of("sessions", "bounce_rate", "new_users", "visitors",
            "avg_session_duration", "pages_per_session", "engaged_sessions", "returning_users");
    static final List<String> DIMENSIONS = List.of("browser", "path", "device_type", "traffic_source", "country");
    /** ReadEndpoints' {@code /api/analytics/events}: its aggregates by pair of variations, broken down by {@code type} when odd. */
    static final List<String> EVENT_AGGREGATES = List.of("count", "unique_users", "sum:size", "avg:size");
    static final String CUSTOM_EVENT = "message_sent";
    static final String EVENT_BREAKDOWN = "type";

    record V(int i, String app, Instant from, Instant to, Map<String, String> filters, Granularity g, ZoneId zone,
             boolean broken) {
        EventQuery query(boolean series) {
            Filters f = new Filters(filters.get("release"), null, filters.get("path"), filters.get("browser"), null,
                    filters.get("deviceType"), null);
            return new EventQuery(app, from, to, f, series ? g : null, series ? zone : ZoneOffset.UTC);
        }

        String label(String extra) {
            return i + " " + app + " " + filters + " " + g.wireName() + " " + zone.getId() + (broken ? " broken" : "") + " " + extra;
        }
    }

    static List<V> variations(Instant now, List<String> apps) {
        List<V> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Instant to = now.minus(Duration.ofMinutes((7L * i) % 60));
            Map<String, String> filters = new LinkedHashMap<>();
            int round = i / 5;
            switch (i % 5) {
                case 1 -> filters.put("browser", BROWSERS.get(round % BROWSERS.size()));
                case 2 -> filters.put("deviceType", DEVICE_TYPES.get(round % DEVICE_TYPES.size()));
                case 3 -> filters.put("path", PATHS.get(round % PATHS.size()));
                case 4 -> {
                    filters.put("release", RELEASES.get(round % RELEASES.size()));
                    if (i % 10 == 9) {
                        filters.put("browser", BROWSERS.get(round % BROWSERS.size()));
                    }
                }
                default -> {
                }
            }
            out.add(new V(i, apps.get(i % apps.size()), to.minus(Duration.ofDays(30)), to, filters,
                    (i / 2) % 2 == 0 ? Granularity.DAY : Granularity.HOUR,
                    (i / 4) % 2 == 0 ? ZoneOffset.UTC : ZoneId.of("Europe/Berlin"), i % 2 == 1));
        }
        return out;
    }

    static String pair(V v, List<String> options) {
        return options.get((v.i() / 2) % options.size());
    }

    interface Call {
        Object run(EventStorage s, V v);
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Instant now = Instant.ofEpochMilli(Long.parseLong(args[1]));
        int rounds = Integer.parseInt(args[2]);
        List<String> wanted = args.length > 3 ? Arrays.asList(args[3].split(",")) : List.of("overview", "active", "session", "event", "events");
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("overview", (s, v) -> s.metrics().overview(v.query(false)));
        calls.put("active", (s, v) -> s.product().activeUsers(v.query(true)));
        calls.put("session", (s, v) -> s.metrics().series(v.query(true), Metric.fromWireName(pair(v, SESSION_METRICS)),
                v.broken() ? MetricDimension.fromWireName(DIMENSIONS.get(v.i() % DIMENSIONS.size())) : null, DimensionSeries.DEFAULT_LIMIT));
        calls.put("event", (s, v) -> s.metrics().series(v.query(true), Metric.fromWireName(pair(v, EVENT_METRICS)),
                v.broken() ? MetricDimension.fromWireName(DIMENSIONS.get(v.i() % DIMENSIONS.size())) : null, DimensionSeries.DEFAULT_LIMIT));
        calls.put("events", (s, v) -> s.product().events(v.query(true), EventAggregate.parse(CUSTOM_EVENT,
                pair(v, EVENT_AGGREGATES), v.broken() ? EVENT_BREAKDOWN : null, DimensionSeries.DEFAULT_LIMIT)));
        Map<String, Function<V, String>> extras = Map.of(
                "overview", v -> "",
                "active", v -> "",
                "session", v -> pair(v, SESSION_METRICS) + (v.broken() ? " by " + DIMENSIONS.get(v.i() % DIMENSIONS.size()) : ""),
                "event", v -> pair(v, EVENT_METRICS) + (v.broken() ? " by " + DIMENSIONS.get(v.i() % DIMENSIONS.size()) : ""),
                "events", v -> CUSTOM_EVENT + " " + pair(v, EVENT_AGGREGATES) + (v.broken() ? " by " + EVENT_BREAKDOWN : ""));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<V> vs = variations(now, APPS);
        boolean dump = Boolean.getBoolean("probe.dump");
        int bump = Integer.getInteger("probe.bumpDays", -1);
        if (bump >= 0) {
            formingCpu(file, bump, vs.getFirst());
            return;
        }
        try (DuckDbStorage storage = new DuckDbStorage(file, 1, "4GB", 1000, "16MB", DuckDbStorage.DEFAULT_ROW_GROUP_SIZE)) {
            for (String name : wanted) {
                Call call = calls.get(name);
                // warm-up: each variation once (prepares the statements, forms anything missing)
                for (V v : vs) {
                    Object answer = call.run(storage, v);
                    if (dump) {
                        System.out.println("ANSWER " + name + " " + v.i() + " " + answer.hashCode() + " " + answer);
                    }
                }
                double[][] cpu = new double[vs.size()][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (V v : vs) {
                        long t0 = readerCpu(threads);
                        call.run(storage, v);
                        cpu[v.i()][r] = (readerCpu(threads) - t0) / 1e6;
                    }
                }
                double[] medians = new double[vs.size()];
                for (V v : vs) {
                    medians[v.i()] = median(cpu[v.i()]);
                    System.out.printf(Locale.ROOT, "%-9s %7.1f ms  %s%n", name, medians[v.i()], v.label(extras.get(name).apply(v)));
                }
                double[] sorted = medians.clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "%-9s SUMMARY median %.1f ms, p95 %.1f ms, mean %.1f ms%n", name, median(medians),
                        sorted[(int) Math.ceil(0.95 * sorted.length) - 1], Arrays.stream(medians).average().orElse(0));
            }
        }
    }

    /**
     * {@code -Dprobe.bumpDays=N}: outdates the newest N days of the first variation's app (as loads
     * do), then opens the storage and asks its overview, so that the cache forms them again (on the
     * read or in the background); prints the process's CPU from opening to 5 s after the answer.
     * With N = 0 the same without forming, the baseline to subtract.
     */
    static void formingCpu(Path file, int days, V v) throws Exception {
        if (days > 0) {
            try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file); var st = c.createStatement()) {
                st.execute("UPDATE day_versions SET version = version + 1000000 WHERE app_id = '" + v.app()
                        + "' AND day > (SELECT max(day) FROM day_versions WHERE app_id = '" + v.app() + "') - " + days);
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long t0 = os.getProcessCpuTime();
        try (DuckDbStorage storage = new DuckDbStorage(file, 1, "4GB", 1000, "16MB", DuckDbStorage.DEFAULT_ROW_GROUP_SIZE)) {
            storage.metrics().overview(v.query(false));
            Thread.sleep(5000);
        }
        System.out.printf(Locale.ROOT, "forming %d days of %s: process CPU %.0f ms%n", days, v.app(), (os.getProcessCpuTime() - t0) / 1e6);
    }

    /** CPU so far of the storage's reader threads ({@code duckdb-read-*}), where answers run. */
    static long readerCpu(ThreadMXBean threads) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("duckdb-read-")) {
                sum += Math.max(0, threads.getThreadCpuTime(t.threadId()));
            }
        }
        return sum;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
