package dev.traceflow.benchmark;

/**
 * Reads numbers out of a Prometheus text exposition (what {@code /actuator/prometheus} answers):
 * enough for a harness that compares two scrapes, not a full parser.
 */
final class PrometheusText {

    private PrometheusText() {
    }

    /**
     * The sum of every sample of metric {@code name}, whatever its labels; 0 when there is none
     * (Micrometer registers many meters on first use, so "absent" means "nothing counted yet").
     * Comment lines and other metrics, including ones whose name starts with {@code name}, are skipped.
     */
    static double sum(String exposition, String name) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
                continue;
            }
            int rest = name.length();
            if (rest < line.length() && line.charAt(rest) == '{') {
                int close = closingBrace(line, rest);
                if (close < 0) {
                    continue;
                }
                rest = close + 1;
            }
            if (rest >= line.length() || line.charAt(rest) != ' ') {
                continue; // a longer name: traceflow_x_total is not traceflow_x
            }
            String[] value = line.substring(rest).trim().split(" ");
            double v = Double.parseDouble(value[0]);
            if (!Double.isNaN(v)) {
                total += v;
            }
        }
        return total;
    }

    /** The brace that closes the labels opened at {@code open}; label values may hold braces and escaped quotes. */
    private static int closingBrace(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        return -1;
    }
}
