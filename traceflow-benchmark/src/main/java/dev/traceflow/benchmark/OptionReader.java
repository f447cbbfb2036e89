package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark's command line, read with types: {@code --name value} or {@code --name=value}; a
 * repeated option keeps its last value, so a wrapper script can put defaults first and pass the
 * user's arguments after them. It remembers which options were read, so {@link #rejectUnknown}
 * reports a typo instead of ignoring it.
 */
final class OptionReader {

    private final Map<String, String> values;
    private final String usage;
    private final List<String> used = new ArrayList<>();

    private OptionReader(Map<String, String> values, String usage) {
        this.values = values;
        this.usage = usage;
    }

    /**
     * @param flags options that take no value ({@code --keep-data})
     * @param usage appended to the message about an unknown option
     */
    static OptionReader of(String[] args, List<String> flags, String usage) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (flags.contains(name)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("missing value for --" + name);
            }
            values.put(name, value);
        }
        return new OptionReader(values, usage);
    }

    String text(String name, String fallback) {
        used.add(name);
        return values.getOrDefault(name, fallback);
    }

    boolean flag(String name) throws UsageException {
        String value = text(name, "false");
        if (!value.equals("true") && !value.equals("false")) {
            throw new UsageException("--" + name + " takes no value or true/false");
        }
        return Boolean.parseBoolean(value);
    }

    int positiveInt(String name, int fallback) throws UsageException {
        long value = longValue(name, fallback);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new UsageException("--" + name + " must be a positive integer");
        }
        return (int) value;
    }

    long longValue(String name, long fallback) throws UsageException {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer: " + value);
        }
    }

    double positiveDouble(String name, double fallback) throws UsageException {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.replace("_", ""));
            if (!(parsed > 0) || Double.isInfinite(parsed)) {
                throw new UsageException("--" + name + " must be a positive number: " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number: " + value);
        }
    }

    Duration duration(String name, Duration fallback, boolean zeroAllowed) throws UsageException {
        String value = text(name, null);
        Duration duration = value == null ? fallback : BenchmarkOptions.parseDuration(value);
        if (duration.isNegative() || (!zeroAllowed && duration.isZero())) {
            throw new UsageException("--" + name + " must be " + (zeroAllowed ? "zero or more" : "positive"));
        }
        return duration;
    }

    Path path(String name, String fallback) {
        String value = text(name, fallback);
        return value == null ? null : Path.of(value);
    }

    /** A space-separated list, such as JVM options. */
    List<String> words(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : text(name, "").trim().split("\\s+")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return List.copyOf(parts);
    }

    URI uri(String name) throws UsageException {
        String value = text(name, null);
        if (value == null) {
            return null;
        }
        try {
            URI uri = URI.create(value);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UsageException("--" + name + " must be an http:// URL with a host: " + value);
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + " is not a URL: " + value);
        }
    }

    void rejectUnknown() throws UsageException {
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new UsageException("unknown option --" + name + "\n" + usage);
            }
        }
    }
}
