package dev.traceflow.benchmark;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.storage.duckdb.DuckDbStorage;
import dev.traceflow.storage.duckdb.LoaderProbe;
import dev.traceflow.storage.tests.GeneratedDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The loader's write path in process, without HTTP or the journal: generated events are prepared
 * once as the request threads would ({@code DuckDbEventConsumer.prepare}, one batch per request),
 * cut into transactions as the loader cuts them under load (whole row groups, a request split at
 * the boundary), then stored by each variant in turn, A B A B, into a fresh DuckDB file per round.
 * It prints the storing thread's CPU per stored event, split into append / flush / commit where the
 * variant allows, the process's CPU and the bytes written, then the medians per variant.
 *
 * <pre>
 * ./traceflow-benchmark/loader-bench.sh --events 1000000 --rounds 5 --variants consumer,appender,arrow
 * ./traceflow-benchmark/loader-bench.sh --variants "appender,appender|SET preserve_insertion_order=false"
 * </pre>
 *
 * A variant is {@code consumer}, {@code appender} or {@code arrow} (see {@code LoaderProbe}),
 * optionally followed by {@code |} and SQL statements (separated by {@code ;}) run on the storing
 * connection first. Options: {@code --events}, {@code --rounds}, {@code --tx} (events per
 * transaction, default three row groups), {@code --request} (events per request), {@code
 * --row-group}, {@code --threads}, {@code --checkpoint-threshold}, {@code --dir}.
 */
public final class LoaderBenchmark {

    private LoaderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("events", "1000000");
        o.put("rounds", "5");
        o.put("tx", Integer.toString(3 * DuckDbStorage.DEFAULT_ROW_GROUP_SIZE));
        o.put("request", "50");
        o.put("row-group", Integer.toString(DuckDbStorage.DEFAULT_ROW_GROUP_SIZE));
        o.put("threads", "1");
        o.put("memory-limit", "2GB");
        o.put("checkpoint-threshold", "64MB");
        o.put("variants", "consumer,appender");
        o.put("dir", "/tmp/loader-bench");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + o.keySet());
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        int events = Integer.parseInt(o.get("events"));
        int rounds = Integer.parseInt(o.get("rounds"));
        int tx = Integer.parseInt(o.get("tx"));
        int request = Integer.parseInt(o.get("request"));
        int rowGroup = Integer.parseInt(o.get("row-group"));
        Properties instance = new Properties();
        instance.setProperty("threads", o.get("threads"));
        instance.setProperty("memory_limit", o.get("memory-limit"));
        instance.setProperty("checkpoint_threshold", o.get("checkpoint-threshold"));
        List<String> variants = Arrays.asList(o.get("variants").split(","));
        Path dir = Path.of(o.get("dir"));
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "%s%n", o);

        List<List<PreparedEvents>> transactions = transactions(prepare(events, request), tx);
        System.out.printf(Locale.ROOT, "%d transactions of up to %,d events, requests of %d%n", transactions.size(), tx,
                request);

        Map<String, List<LoaderProbe.Round>> byVariant = new LinkedHashMap<>();
        // one unmeasured round each first: the JIT, DuckDB's and Arrow's first-use costs
        for (String v : variants) {
            run(v, dir, rowGroup, instance, transactions);
        }
        for (int r = 0; r < rounds; r++) {
            for (String v : variants) {
                LoaderProbe.Round round = run(v, dir, rowGroup, instance, transactions);
                byVariant.computeIfAbsent(v, k -> new ArrayList<>()).add(round);
                print("round " + (r + 1), v, round);
            }
        }
        System.out.println("medians (us per stored event; MB written and file MB per round):");
        for (Map.Entry<String, List<LoaderProbe.Round>> e : byVariant.entrySet()) {
            printMedian(e.getKey(), e.getValue());
        }
        Files.deleteIfExists(dir.resolve("loader.duckdb"));
        Files.deleteIfExists(dir.resolve("loader.duckdb.wal"));
    }

    private static LoaderProbe.Round run(String spec, Path dir, int rowGroup, Properties instance,
                                         List<List<PreparedEvents>> transactions) throws Exception {
        String[] parts = spec.split("\\|", 2);
        List<String> sql = parts.length > 1 ? Arrays.stream(parts[1].split(";")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList() : List.of();
        System.gc();
        return LoaderProbe.round(parts[0], dir.resolve("loader.duckdb"), rowGroup, instance, sql, transactions);
    }

    /** The events prepared in requests of {@code request}, errors with a fingerprint as the pipeline gives them. */
    private static List<PreparedEvents> prepare(int events, int request) {
        // one day of visits ending about now, as live traffic is (the loader's day versions touch few days)
        List<String> apps = List.of("shop", "blog", "docs");
        Instant start = Instant.now().minus(Duration.ofDays(1)).minus(DatasetLoader.END_MARGIN);
        double perVisit = DatasetLoader.eventsPerVisit(new GeneratedDataset(42, apps, 1_000, DatasetLoader.SAMPLE_VISITS, start, 1));
        int visits = (int) Math.ceil(events / perVisit * 1.05);
        GeneratedDataset dataset = new GeneratedDataset(42, apps, Math.max(100, visits / 6), visits, start, 1);
        List<PreparedEvents> prepared = new ArrayList<>();
        int[] left = {events};
        dataset.forEachBatch(request, batch -> {
            if (left[0] <= 0) {
                return;
            }
            List<Event> take = batch.size() > left[0] ? batch.subList(0, left[0]) : batch;
            for (Event e : take) {
                if (e.details() instanceof ErrorDetails d) {
                    e.fingerprint(String.format(Locale.ROOT, "%016x", (long) d.stack().hashCode() * 31 + d.errorType().hashCode()));
                }
            }
            prepared.add(LoaderProbe.prepare(take));
            left[0] -= take.size();
        });
        return prepared;
    }

    /** Transactions of exactly {@code size} events (the last may be smaller), a request split at the boundary. */
    static List<List<PreparedEvents>> transactions(List<PreparedEvents> requests, int size) {
        List<List<PreparedEvents>> out = new ArrayList<>();
        List<PreparedEvents> current = new ArrayList<>();
        int inCurrent = 0;
        for (PreparedEvents p : requests) {
            int from = 0;
            while (from < p.size()) {
                int take = Math.min(p.size() - from, size - inCurrent);
                current.add(from == 0 && take == p.size() ? p : p.slice(from, from + take));
                from += take;
                inCurrent += take;
                if (inCurrent == size) {
                    out.add(current);
                    current = new ArrayList<>();
                    inCurrent = 0;
                }
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static void print(String label, String variant, LoaderProbe.Round r) {
        double n = r.events();
        System.out.printf(Locale.ROOT,
                "%-9s %-50s thread %.2f (append %.2f, flush %.2f, commit %.2f, other %.2f) process %.2f us/event, "
                        + "%.0f events/s, %.0f MB written, file %.0f MB, wal %.1f MB, rows %d checksum %s%n",
                label, variant, r.thread() / n / 1e3, r.append() / n / 1e3, r.flush() / n / 1e3, r.commit() / n / 1e3,
                r.other() / n / 1e3, r.process() / n / 1e3, n / (r.wall() / 1e9), r.written() / 1e6,
                r.fileBytes() / 1e6, r.walBytes() / 1e6, r.rows(), r.checksum());
    }

    private static void printMedian(String variant, List<LoaderProbe.Round> rounds) {
        double n = rounds.getFirst().events();
        double[] thread = rounds.stream().mapToDouble(r -> r.thread() / n / 1e3).toArray();
        System.out.printf(Locale.ROOT,
                "median    %-50s thread %.2f (append %.2f, flush %.2f, commit %.2f, other %.2f) process %.2f us/event, "
                        + "%.0f events/s, %.0f MB written, file %.0f MB; thread rounds %s%n",
                variant, median(thread), median(rounds, r -> r.append() / n / 1e3),
                median(rounds, r -> r.flush() / n / 1e3), median(rounds, r -> r.commit() / n / 1e3),
                median(rounds, r -> r.other() / n / 1e3), median(rounds, r -> r.process() / n / 1e3),
                median(rounds, r -> n / (r.wall() / 1e9)), median(rounds, r -> r.written() / 1e6),
                median(rounds, r -> r.fileBytes() / 1e6), Arrays.toString(Arrays.stream(thread)
                        .mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toArray()));
    }

    private static double median(List<LoaderProbe.Round> rounds, java.util.function.ToDoubleFunction<LoaderProbe.Round> f) {
        return median(rounds.stream().mapToDouble(f).toArray());
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
