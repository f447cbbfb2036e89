package dev.traceflow.benchmark;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.WriteResult;
import dev.traceflow.storage.duckdb.DuckDbStorage;
import dev.traceflow.storage.tests.GeneratedDataset;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Sizes the generated dataset for an event count and loads it through the storage writer, as the
 * server's loader would: {@code prepare} then {@code store} in batches of a row group.
 */
final class DatasetLoader {

    /** One row group per transaction: the writer's cheapest batch (it skips the WAL). */
    static final int BATCH = DuckDbStorage.DEFAULT_ROW_GROUP_SIZE;
    /** Visits of the sample that measures the mean events per visit. */
    static final int SAMPLE_VISITS = 20_000;
    /** Visits start over this many days... */
    static final int DAYS = 30;
    /**
     * ...which begin this long before {@code now - 30 days}, so that the data reaches up to about
     * {@code now} (most visits last minutes); the few events of late visits that would lie after
     * {@code now} are not stored ({@link Loaded#skippedFuture()}).
     */
    static final Duration END_MARGIN = Duration.ofHours(1);
    /** Mean visits per user over the month: returning users exist, most users are new now and then. */
    static final int VISITS_PER_USER = 6;

    private DatasetLoader() {
    }

    /** The dataset of about {@code events} events over the 30 days and an hour before {@code now}. */
    static GeneratedDataset sized(long seed, long events, List<String> apps, Instant now) {
        Instant start = now.minus(Duration.ofDays(DAYS)).minus(END_MARGIN);
        double perVisit = eventsPerVisit(new GeneratedDataset(seed, apps, 1_000, SAMPLE_VISITS, start, DAYS));
        long visits = Math.round(events / perVisit);
        if (visits < 1 || visits > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot generate " + events + " events");
        }
        int users = (int) Math.max(100, visits / apps.size() / VISITS_PER_USER);
        return new GeneratedDataset(seed, apps, users, (int) visits, start, DAYS);
    }

    /** The mean events per visit of a (small) dataset. */
    static double eventsPerVisit(GeneratedDataset sample) {
        long[] count = {0};
        sample.forEachBatch(10_000, batch -> count[0] += batch.size());
        return (double) count[0] / sample.visits();
    }

    /** The distinct errors (message, stack, type, file, line, column) among the first visits of a dataset. */
    static List<ErrorDetails> errorVariants(GeneratedDataset dataset) {
        GeneratedDataset sample = new GeneratedDataset(dataset.seed(), dataset.apps(), dataset.users(),
                Math.min(dataset.visits(), SAMPLE_VISITS), dataset.start(), dataset.days());
        Set<ErrorDetails> variants = new LinkedHashSet<>();
        sample.forEachBatch(10_000, batch -> {
            for (Event e : batch) {
                if (e.type() == EventType.ERROR && e.details() instanceof ErrorDetails d) {
                    variants.add(d);
                }
            }
        });
        return List.copyOf(variants);
    }

    /**
     * What was loaded.
     *
     * @param storeSeconds  the time spent in {@code prepare} and {@code store}, without generating events
     * @param skippedFuture generated events after {@code now}, not stored
     */
    record Loaded(long events, long duplicates, long skippedFuture, double seconds, double storeSeconds, Instant first,
                  Instant last) {

        double eventsPerSecond() {
            return events / seconds;
        }

        double storeEventsPerSecond() {
            return events / storeSeconds;
        }
    }

    /**
     * The dataset cut into its days: as many visits in all, each day's visits starting within that
     * day, with a seed per day (so ids stay unique) and the same users (so they return).
     */
    static List<GeneratedDataset> days(GeneratedDataset dataset) {
        List<GeneratedDataset> days = new ArrayList<>(dataset.days());
        int perDay = dataset.visits() / dataset.days();
        for (int d = 0; d < dataset.days(); d++) {
            int visits = d == dataset.days() - 1 ? dataset.visits() - perDay * (dataset.days() - 1) : perDay;
            days.add(new GeneratedDataset(dataset.seed() * 1_000 + d, dataset.apps(), dataset.users(), visits,
                    dataset.start().plus(Duration.ofDays(d)), 1));
        }
        return days;
    }

    /**
     * {@link #load} one day after the other: the stored rows are then in time order by day, as a
     * store fed by live traffic is (in arrival order), so DuckDB's row-group min/max can skip the
     * days a short window does not touch. {@link #load} on the whole dataset spreads every row
     * group over the whole month instead. The days are cut into batches together, so that every
     * transaction but the last is a whole row group, as with {@link #load}.
     */
    static Loaded loadDayByDay(EventStorage storage, GeneratedDataset dataset, Map<ErrorDetails, String> fingerprints, Instant now,
                               PrintStream out) {
        List<GeneratedDataset> days = days(dataset);
        return load(storage, (size, sink) -> {
            List<Event> carry = new ArrayList<>(size);
            for (GeneratedDataset day : days) {
                day.forEachBatch(size, batch -> {
                    carry.addAll(batch);
                    while (carry.size() >= size) {
                        List<Event> full = carry.subList(0, size);
                        sink.accept(new ArrayList<>(full));
                        full.clear();
                    }
                });
            }
            if (!carry.isEmpty()) {
                sink.accept(carry);
            }
        }, fingerprints, now, out);
    }

    /** Events in the order to store them, handed over in batches of at most {@code size}: {@link GeneratedDataset#forEachBatch}. */
    @FunctionalInterface
    interface EventSource {
        void forEachBatch(int size, Consumer<List<Event>> sink);
    }

    /**
     * Stores every event of the dataset, errors with the fingerprint the server gives their error
     * ({@code fingerprints}; the pipeline sets it on ingest, the generator does not), except events
     * after {@code now}.
     */
    static Loaded load(EventStorage storage, EventSource dataset, Map<ErrorDetails, String> fingerprints, Instant now,
                       PrintStream out) {
        EventConsumer consumer = storage.consumer();
        long[] counts = {0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0, 0};
        long start = System.nanoTime();
        long[] nextReport = {1_000_000};
        dataset.forEachBatch(BATCH, generated -> {
            List<Event> batch = new ArrayList<>(generated.size());
            for (Event e : generated) {
                if (e.timestamp() >= now.toEpochMilli()) {
                    counts[5]++;
                    continue;
                }
                batch.add(e);
                if (e.details() instanceof ErrorDetails d) {
                    String fingerprint = fingerprints.get(d);
                    if (fingerprint == null) {
                        throw new IllegalStateException("no fingerprint learnt for the error " + d.errorType() + " " + d.stack());
                    }
                    e.fingerprint(fingerprint);
                }
                counts[2] = Math.min(counts[2], e.timestamp());
                counts[3] = Math.max(counts[3], e.timestamp());
            }
            long storeStart = System.nanoTime();
            if (batch.isEmpty()) {
                return;
            }
            PreparedEvents prepared = consumer.prepare(batch);
            WriteResult result = consumer.store(List.of(prepared), EventConsumer.NO_POSITION);
            counts[4] += System.nanoTime() - storeStart;
            counts[0] += batch.size();
            counts[1] += batch.size() - result.stored();
            if (counts[0] >= nextReport[0]) {
                double seconds = (System.nanoTime() - start) / 1e9;
                out.printf(Locale.ROOT, "  %,d events stored, %.0f events/s%n", counts[0], counts[0] / seconds);
                nextReport[0] += 1_000_000;
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Loaded(counts[0] - counts[1], counts[1], counts[5], seconds, counts[4] / 1e9,
                Instant.ofEpochMilli(counts[2]), Instant.ofEpochMilli(counts[3]));
    }
}
