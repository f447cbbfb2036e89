package dev.traceflow.benchmark;

import dev.traceflow.core.query.Granularity;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query benchmark's varied requests (issue 16: "20 varied requests, 30-day range, with and
 * without filters and dimensions"). Deterministic for a given {@code now}, so the bare and the HTTP
 * timings run the very same queries. Variation {@code i}:
 * <ul>
 *   <li>range: 30 days ending {@code (7 i mod 60)} minutes before {@code now} (whole seconds), so
 *       no two consecutive queries are identical and no cache of a previous answer helps;</li>
 *   <li>filters by {@code i mod 5}: none, {@code browser}, {@code deviceType}, {@code path},
 *       {@code release} (values cycle through the generated dataset's); every 10th also adds
 *       {@code browser} to {@code release};</li>
 *   <li>breakdown for odd {@code i}; granularity {@code day} or {@code hour} by {@code i / 2};
 *       zone UTC or Europe/Berlin by {@code i / 4}; app by {@code i mod apps}.</li>
 * </ul>
 */
final class QueryVariations {

    static final Duration RANGE = Duration.ofDays(30);
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** Values the generated dataset ({@code GeneratedDataset}) uses, so filtered queries match rows. */
    private static final List<String> BROWSERS = List.of("Chrome", "Firefox", "Mobile Safari", "Chrome Mobile");
    private static final List<String> DEVICE_TYPES = List.of("desktop", "mobile", "tablet");
    private static final List<String> PATHS = List.of("/", "/pricing", "/checkout", "/docs/start");
    private static final List<String> RELEASES = List.of("1.0", "1.1");

    private QueryVariations() {
    }

    static List<QueryVariation> of(int count, List<String> apps, Instant now) {
        if (apps.isEmpty()) {
            throw new IllegalArgumentException("need at least one app");
        }
        Instant end = now.truncatedTo(ChronoUnit.SECONDS);
        List<QueryVariation> variations = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant to = end.minus(Duration.ofMinutes((7L * i) % 60));
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
                    // no filter
                }
            }
            variations.add(new QueryVariation(i, apps.get(i % apps.size()), to.minus(RANGE), to, filters,
                    (i / 2) % 2 == 0 ? Granularity.DAY : Granularity.HOUR,
                    (i / 4) % 2 == 0 ? ZoneOffset.UTC : BERLIN,
                    i % 2 == 1));
        }
        return List.copyOf(variations);
    }
}
