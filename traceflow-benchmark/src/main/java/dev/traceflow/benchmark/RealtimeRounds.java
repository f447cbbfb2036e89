package dev.traceflow.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The realtime benchmark's arithmetic over its rounds: the A/B ratio of each round (the two servers
 * measured in the same round, so a noisy minute on the shared machine hits both), the medians over
 * the rounds, and the Markdown tables. Ratios are taken within a round first and the median of those
 * ratios is reported, not the ratio of the medians.
 */
final class RealtimeRounds {

    /** One scenario and variant over all rounds: medians, and the median of its per-round ratios to the baseline. */
    record Summary(String scenario, String variant, int rounds, double deliveriesPerSecond, double deliveriesRatio,
                   double maxP50Ms, double maxP99Ms, double fixedRate, double fixedP50Ms, double fixedP99Ms,
                   long lost, long duplicates, long disconnects, double heapBytesPerConnection, double rssBytesPerConnection,
                   double maxServerCpu, double maxClientCpu, double deliveriesPerServerCpuSecond, double serverCpuRatio) {
    }

    private final List<RealtimeMeasurement> measurements;
    private final String baseline;

    /** @param baseline the variant every ratio divides by (B, the Node Socket.IO server) */
    RealtimeRounds(List<RealtimeMeasurement> measurements, String baseline) {
        this.measurements = List.copyOf(measurements);
        this.baseline = baseline;
    }

    /** The median of the numbers that are not NaN; NaN when there are none; the mean of the middle two for an even count. */
    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /**
     * {@code metric(variant) / metric(baseline)} for every round where both were measured in {@code scenario}
     * and the baseline's figure is a positive number, in round order.
     */
    List<Double> ratios(String scenario, String variant, ToDoubleFunction<RealtimeMeasurement> metric) {
        List<Double> ratios = new ArrayList<>();
        for (int round : rounds()) {
            Optional<RealtimeMeasurement> a = find(round, scenario, variant);
            Optional<RealtimeMeasurement> b = find(round, scenario, baseline);
            if (a.isPresent() && b.isPresent()) {
                double denominator = metric.applyAsDouble(b.get());
                double numerator = metric.applyAsDouble(a.get());
                if (denominator > 0 && !Double.isNaN(numerator)) {
                    ratios.add(numerator / denominator);
                }
            }
        }
        return ratios;
    }

    /** One summary per scenario and variant, in the order they were first measured. */
    List<Summary> summaries() {
        List<Summary> summaries = new ArrayList<>();
        for (String scenario : distinct(RealtimeMeasurement::scenario)) {
            for (String variant : distinct(RealtimeMeasurement::variant)) {
                List<RealtimeMeasurement> of = measurements.stream()
                        .filter(m -> m.scenario().equals(scenario) && m.variant().equals(variant)).toList();
                if (of.isEmpty()) {
                    continue;
                }
                summaries.add(new Summary(scenario, variant, of.size(),
                        median(of, RealtimeMeasurement::deliveriesPerSecond),
                        median(ratios(scenario, variant, RealtimeMeasurement::deliveriesPerSecond)),
                        median(of, RealtimeMeasurement::maxP50Ms), median(of, RealtimeMeasurement::maxP99Ms),
                        median(of, RealtimeMeasurement::fixedRate),
                        median(of, RealtimeMeasurement::fixedP50Ms), median(of, RealtimeMeasurement::fixedP99Ms),
                        of.stream().mapToLong(RealtimeMeasurement::lost).sum(),
                        of.stream().mapToLong(RealtimeMeasurement::duplicates).sum(),
                        of.stream().mapToLong(RealtimeMeasurement::disconnects).sum(),
                        median(of, RealtimeMeasurement::heapBytesPerConnection),
                        median(of, RealtimeMeasurement::rssBytesPerConnection),
                        median(of, RealtimeMeasurement::maxServerCpu), median(of, RealtimeMeasurement::maxClientCpu),
                        median(of, RealtimeMeasurement::deliveriesPerServerCpuSecond),
                        median(ratios(scenario, variant, RealtimeMeasurement::deliveriesPerServerCpuSecond))));
            }
        }
        return summaries;
    }

    Optional<Summary> summary(String scenario, String variant) {
        return summaries().stream().filter(s -> s.scenario().equals(scenario) && s.variant().equals(variant)).findFirst();
    }

    /** Every measurement, one line each, with its ratio to the baseline of the same round and scenario. */
    String roundsTable() {
        StringBuilder table = new StringBuilder("""
                | round | scenario | variant | deliveries/s | ÷ %s | CPU server / client at max | p50 / p99 ms at max | fixed publishes/s | p50 / p99 ms at fixed | lost | dup | disc | heap B/conn | RSS B/conn |
                |---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
                """.formatted(baseline));
        for (RealtimeMeasurement m : measurements) {
            Optional<RealtimeMeasurement> b = find(m.round(), m.scenario(), baseline);
            double ratio = b.isPresent() && b.get().deliveriesPerSecond() > 0
                    ? m.deliveriesPerSecond() / b.get().deliveriesPerSecond() : Double.NaN;
            table.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s / %s | %d | %d | %d | %s | %s |%n",
                    m.round(), m.scenario(), m.variant(), number(m.deliveriesPerSecond()), ratio(ratio),
                    ratio(m.maxServerCpu()), ratio(m.maxClientCpu()),
                    millis(m.maxP50Ms()), millis(m.maxP99Ms()), number(m.fixedRate()), millis(m.fixedP50Ms()), millis(m.fixedP99Ms()),
                    m.lost(), m.duplicates(), m.disconnects(), number(m.heapBytesPerConnection()), number(m.rssBytesPerConnection())));
        }
        return table.toString();
    }

    /** The medians over the rounds, one line per scenario and variant. */
    String mediansTable() {
        StringBuilder table = new StringBuilder("""
                | scenario | variant | rounds | deliveries/s | median ÷ %s | CPU server / client at max | per server CPU-s (÷ %s) | p50 / p99 ms at max | fixed publishes/s | p50 / p99 ms at fixed | lost | dup | disc | heap B/conn | RSS B/conn |
                |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
                """.formatted(baseline, baseline));
        for (Summary s : summaries()) {
            table.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s / %s | %s (%s) | %s / %s | %s | %s / %s | %d | %d | %d | %s | %s |%n",
                    s.scenario(), s.variant(), s.rounds(), number(s.deliveriesPerSecond()), ratio(s.deliveriesRatio()),
                    ratio(s.maxServerCpu()), ratio(s.maxClientCpu()), number(s.deliveriesPerServerCpuSecond()), ratio(s.serverCpuRatio()),
                    millis(s.maxP50Ms()), millis(s.maxP99Ms()), number(s.fixedRate()), millis(s.fixedP50Ms()), millis(s.fixedP99Ms()),
                    s.lost(), s.duplicates(), s.disconnects(), number(s.heapBytesPerConnection()), number(s.rssBytesPerConnection())));
        }
        return table.toString();
    }

    private Optional<RealtimeMeasurement> find(int round, String scenario, String variant) {
        return measurements.stream()
                .filter(m -> m.round() == round && m.scenario().equals(scenario) && m.variant().equals(variant)).findFirst();
    }

    private Set<Integer> rounds() {
        Set<Integer> rounds = new LinkedHashSet<>();
        measurements.forEach(m -> rounds.add(m.round()));
        return rounds;
    }

    private Set<String> distinct(java.util.function.Function<RealtimeMeasurement, String> key) {
        Set<String> values = new LinkedHashSet<>();
        measurements.forEach(m -> values.add(key.apply(m)));
        return values;
    }

    private static double median(List<RealtimeMeasurement> of, ToDoubleFunction<RealtimeMeasurement> metric) {
        return median(of.stream().map(m -> metric.applyAsDouble(m)).toList());
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String millis(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String ratio(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
    }
}
