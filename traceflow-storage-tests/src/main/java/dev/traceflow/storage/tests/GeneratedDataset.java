package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Seeded random events for property tests and the query benchmark: the same seed and settings give
 * the same events in the same order. Visits of several apps' users: sessions with and without a
 * {@code sessionId} (some split by gaps over 30 minutes, some users known only by anonymousId, a
 * few events with no identity at all), page views on a handful of paths, clicks, errors in the
 * Chrome, Firefox and Safari stack formats, web vitals with repeated ids, resources, conversions
 * and purchases with revenue and a conversion type, custom events shaped like seed 002's typed
 * events ({@code message_sent} with {@code type} and {@code size}, {@code error_occurred} with
 * {@code errorType}; sometimes missing or of the wrong JSON type), and session dimensions that now
 * and then change within a session. Times are spread over the days asked for, at millisecond
 * precision, so sessions cross midnight in every zone of {@link #ZONES}.
 *
 * <p>Enrichments (path, browser, os, device type, country, traffic source) are set as the pipeline
 * would have set them. Revenues are multiples of 0.25, so sums are exact in any order.
 *
 * @param apps     app ids; every visit goes to one of them
 * @param users    distinct users per app
 * @param visits   visits (sessions) in all
 * @param start    the earliest event time
 * @param days     how many days the visits start over
 */
public record GeneratedDataset(long seed, List<String> apps, int users, int visits, Instant start, int days) {

    /** Zones worth querying the data in: whole, half-hour and negative offsets, with and without DST. */
    public static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"), ZoneId.of("Australia/Adelaide"));

    private static final String[] PATHS = {"/", "/home", "/pricing", "/checkout", "/docs/start", "/blog/post-1"};
    private static final String[] SOURCES = {"direct", "google", "newsletter", "bing.com"};
    private static final String[][] CLIENTS = {{"Chrome", "Windows", "desktop"}, {"Firefox", "Linux", "desktop"},
            {"Mobile Safari", "iOS", "mobile"}, {"Chrome Mobile", "Android", "tablet"}};
    private static final String[] COUNTRIES = {"DE", "US", "IN", "FR"};
    private static final String[] MESSAGE_TYPES = {"text", "image", "file"};
    private static final String[] ERROR_TYPES = {"TypeError", "NetworkError", "Timeout"};
    private static final String[] VITALS = {"LCP", "INP", "CLS", "FCP", "TTFB"};
    private static final String[] STACKS = {
            "TypeError: x is undefined\n    at render (https://shop.test/app.js:10:5)\n    at main (https://shop.test/app.js:20:3)",
            "render@https://shop.test/app.js:10:5\nmain@https://shop.test/app.js:20:3",
            "render@https://shop.test/app.js:10:5\nmain@https://shop.test/app.js:20:3\nglobal code@https://shop.test/app.js:1:1"};

    /**
     * A small dataset for property tests: one app, 8 users, 30 visits over four days from Fri 30 Oct
     * 2026, across a month's and an ISO week's start and New York's end of summer time (1 Nov).
     */
    public static GeneratedDataset small(long seed, String appId) {
        return new GeneratedDataset(seed, List.of(appId), 8, 30, Instant.parse("2026-10-30T00:00:00Z"), 4);
    }

    /** Every event, in the order to store them. */
    public List<Event> events() {
        List<Event> all = new ArrayList<>();
        forEachBatch(Integer.MAX_VALUE, all::addAll);
        return all;
    }

    /**
     * Hands the events over in batches of at most {@code batchSize}, in the order to store them,
     * generating them as it goes (a benchmark can stream millions).
     */
    public void forEachBatch(int batchSize, Consumer<List<Event>> sink) {
        Random random = new Random(seed);
        List<Event> batch = new ArrayList<>();
        long span = Duration.ofDays(days).toMillis();
        for (int v = 0; v < visits; v++) {
            String app = apps.get(random.nextInt(apps.size()));
            int user = random.nextInt(users);
            long at = start.toEpochMilli() + (long) (random.nextDouble() * span);
            for (Event e : visit(random, app, user, v, at)) {
                batch.add(e);
                if (batch.size() >= batchSize) {
                    sink.accept(batch);
                    batch = new ArrayList<>();
                }
            }
        }
        if (!batch.isEmpty()) {
            sink.accept(batch);
        }
    }

    private List<Event> visit(Random r, String app, int user, int visit, long at) {
        // identity: most visits know the user, some only the device, a few nothing
        int who = r.nextInt(10);
        String userId = who < 5 ? "user-" + user : null;
        String anonymousId = who < 9 ? "anon-" + user + (who == 8 ? "-b" : "") : null;
        boolean clientSession = who == 9 ? r.nextBoolean() : r.nextInt(10) < 6;
        Identity id = new Identity(clientSession ? "s-" + seed + "-" + visit : null, userId, anonymousId,
                r.nextBoolean() ? "1.0" : "1.1");
        String[] client = CLIENTS[(user + (r.nextInt(8) == 0 ? 1 : 0)) % CLIENTS.length];
        String country = r.nextInt(10) == 0 ? null : COUNTRIES[user % COUNTRIES.length];
        String source = SOURCES[r.nextInt(SOURCES.length)];
        List<Event> out = new ArrayList<>();
        int steps = 1 + r.nextInt(7);
        long t = at;
        for (int i = 0; i < steps; i++) {
            if (i > 0) {
                int gap = r.nextInt(20);
                // mostly seconds to minutes; now and then over 30 minutes (a new computed session), or the same ms
                t += gap == 0 ? 0 : gap == 1 ? Duration.ofMinutes(31 + r.nextInt(60)).toMillis() : 500 + r.nextInt(600_000);
            }
            // now and then an event of a known user lacks the userId (sent before login)
            String eventUser = r.nextInt(6) == 0 ? null : id.userId();
            Event e = step(r, app, t, i, id, eventUser, "e-" + seed + "-" + visit + "-" + i, seed + "-" + visit);
            boolean drifted = r.nextInt(12) == 0; // a dimension that changes within the session
            String[] c = drifted ? CLIENTS[r.nextInt(CLIENTS.length)] : client;
            e.client(c[0], null, c[1], null, c[2]);
            e.country(drifted ? COUNTRIES[r.nextInt(COUNTRIES.length)] : country);
            e.trafficSource(i == 0 ? source : "direct");
            out.add(e);
        }
        return out;
    }

    private record Identity(String sessionId, String userId, String anonymousId, String release) {
    }

    /** One event of a visit; the type is drawn so page views dominate. */
    private Event step(Random r, String app, long t, int i, Identity id, String userId, String eventId, String pageLoad) {
        int kind = i == 0 ? r.nextInt(10) < 8 ? 0 : r.nextInt(14) : r.nextInt(14);
        String path = PATHS[r.nextInt(PATHS.length)];
        Map<String, Object> props = new LinkedHashMap<>();
        EventType type;
        EventDetails details = EventDetails.None.INSTANCE;
        switch (kind) {
            case 0, 1, 2, 3, 4 -> type = EventType.PAGEVIEW;
            case 5 -> {
                type = EventType.CLICK;
                details = new EventDetails.ClickDetails(r.nextInt(1200), r.nextInt(3000), 1280, 800, "#buy");
            }
            case 6 -> {
                type = r.nextBoolean() ? EventType.PURCHASE : EventType.CONVERSION;
                if (r.nextInt(5) > 0) {
                    props.put("revenue", r.nextInt(200) + 0.25 * r.nextInt(4));
                }
                if (r.nextInt(4) > 0) {
                    props.put("conversionType", r.nextBoolean() ? "order" : "signup");
                }
            }
            case 7, 8 -> {
                type = EventType.EVENT;
                details = new EventDetails.CustomEventDetails("message_sent");
                int shape = r.nextInt(8);
                props.put("type", shape == 0 ? (Object) 7 : MESSAGE_TYPES[r.nextInt(MESSAGE_TYPES.length)]);
                if (shape != 1) {
                    props.put("size", shape == 2 ? (Object) "big" : (Object) r.nextInt(5000));
                }
            }
            case 9 -> {
                type = EventType.EVENT;
                details = new EventDetails.CustomEventDetails("error_occurred");
                props.put("errorType", ERROR_TYPES[r.nextInt(ERROR_TYPES.length)]);
            }
            case 10 -> {
                type = EventType.ERROR;
                details = new EventDetails.ErrorDetails("x is undefined", STACKS[r.nextInt(STACKS.length)], "TypeError",
                        "https://shop.test/app.js", 10, 5, null);
            }
            case 11 -> {
                type = EventType.WEB_VITAL;
                String name = VITALS[r.nextInt(VITALS.length)];
                // One id per metric and page load, as the web-vitals library makes them: a later report of the
                // same metric in the visit repeats it. A quarter share one of three ids per metric across
                // visits, so that small datasets repeat ids too (the answers keep only the last report).
                // Until 2026-12-07 every report took one of those three ids: an answer's deduplication was
                // then 15 groups instead of one per page load, and the query benchmark flattered it.
                String metricId = r.nextInt(4) == 0 ? "v-" + name + "-" + r.nextInt(3) : "v-" + name + "-" + pageLoad;
                details = new EventDetails.WebVitalDetails(name, name.equals("CLS") ? r.nextInt(40) / 100.0 : 100 + r.nextInt(5000),
                        null, null, metricId, "navigate");
            }
            case 12 -> {
                type = EventType.RESOURCE;
                details = new EventDetails.ResourceDetails(new EventDetails.ResourceTiming("https://cdn.test/" + r.nextInt(4) + ".js",
                        "script", 10.0 * r.nextInt(50), 5 + r.nextInt(900), r.nextBoolean() ? null : 1000.0 * r.nextInt(90)));
            }
            default -> type = i == 0 ? EventType.SESSION_START : EventType.PAGEVIEW;
        }
        Event e = Event.builder(app, type, t).eventId(eventId).sessionId(id.sessionId()).userId(userId)
                .anonymousId(id.anonymousId()).release(id.release()).environment("production")
                .url("https://shop.test" + path + "?utm_medium=x").properties(props).details(details).receivedAt(t).build();
        e.path(path);
        return e;
    }
}
