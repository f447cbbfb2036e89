package dev.traceflow.benchmark;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generates, once before the run, the pool of request bodies the load threads cycle through, so
 * no JSON is built while measuring: a send only copies ids into placeholders.
 *
 * <p>Each body is one simulated tab's batch (one {@link Visitor}, events in time order); the pool
 * spreads the bodies over many visitors. Bodies are generated from a fixed seed, so every run sends
 * the same mix. Timestamps lie in the few seconds before the generation time, well inside the
 * server's accepted window (1 day ahead, 30 days behind) for any realistic run length.
 */
public final class BatchTemplates {

    /** The placeholder every template carries in place of an {@code eventId}. */
    static final String EVENT_ID_PLACEHOLDER = "#".repeat(EventIdSequence.WIDTH);
    private static final byte[] EVENT_ID_KEY = "\"eventId\":\"".getBytes(StandardCharsets.US_ASCII);
    /** Distinct simulated browser tabs the events are spread over. */
    private static final int VISITORS = 256;
    /** How far back timestamps reach from the generation time, in milliseconds. */
    private static final int TIMESTAMP_SPREAD_MILLIS = 5_000;

    private BatchTemplates() {
    }

    /**
     * @param eventsPerBatch events in each body (the {@code --batch} option)
     * @param templateCount  distinct bodies to prepare
     * @param seed           random seed; the same seed gives the same bodies
     * @param nowMillis      the clock to derive timestamps from, epoch milliseconds
     */
    public static List<BatchTemplate> generate(int eventsPerBatch, int templateCount, long seed, long nowMillis) {
        return generate(eventsPerBatch, templateCount, seed, nowMillis, true);
    }

    /**
     * Bodies of one event object each, for {@code POST /api/collect}, from the same mix and visitors as
     * {@link #generate} (the same seed gives the same events as batches of one).
     */
    public static List<BatchTemplate> singles(int templateCount, long seed, long nowMillis) {
        return generate(1, templateCount, seed, nowMillis, false);
    }

    private static List<BatchTemplate> generate(int eventsPerBatch, int templateCount, long seed, long nowMillis,
                                                boolean wrapped) {
        if (eventsPerBatch < 1 || templateCount < 1) {
            throw new IllegalArgumentException("need at least one event and one template");
        }
        SplittableRandom random = new SplittableRandom(seed);
        VisitorPool visitors = new VisitorPool(VISITORS, random);
        SyntheticEvents events = new SyntheticEvents();
        JsonMapper mapper = JsonMapper.shared();
        List<BatchTemplate> templates = new ArrayList<>(templateCount);
        for (int t = 0; t < templateCount; t++) {
            // A batch is one browser tab's flush, as the browser SDK sends it: one visitor, in time order.
            Visitor visitor = visitors.pick(random);
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ArrayNode array = root.putArray("events");
            long timestamp = nowMillis - TIMESTAMP_SPREAD_MILLIS;
            for (int e = 0; e < eventsPerBatch; e++) {
                timestamp += random.nextInt(2 * TIMESTAMP_SPREAD_MILLIS / eventsPerBatch + 1);
                array.add(events.create(SyntheticEvents.Type.pick(random), visitor,
                        EVENT_ID_PLACEHOLDER, Math.min(timestamp, nowMillis), random));
            }
            byte[] body = mapper.writeValueAsBytes(wrapped ? root : array.get(0));
            int[] offsets = placeholderOffsets(body);
            if (offsets.length != eventsPerBatch) {
                throw new IllegalStateException("found " + offsets.length + " eventId placeholders, expected " + eventsPerBatch);
            }
            templates.add(new BatchTemplate(body, offsets, visitor.userAgent()));
        }
        return List.copyOf(templates);
    }

    /** Offsets of the placeholder values following each {@code "eventId":"} key in {@code body}. */
    static int[] placeholderOffsets(byte[] body) {
        return placeholderOffsets(body, EVENT_ID_KEY, EVENT_ID_PLACEHOLDER);
    }

    /**
     * Offsets of each {@code placeholder} that starts a string value right after {@code key} (the
     * bytes of {@code "name":"}) in {@code body}.
     */
    static int[] placeholderOffsets(byte[] body, byte[] key, String placeholderText) {
        int[] offsets = new int[16];
        int found = 0;
        byte[] placeholder = placeholderText.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + key.length + placeholder.length <= body.length; i++) {
            if (regionEquals(body, i, key) && regionEquals(body, i + key.length, placeholder)) {
                if (found == offsets.length) {
                    offsets = Arrays.copyOf(offsets, found * 2);
                }
                offsets[found++] = i + key.length;
                i += key.length + placeholder.length - 1;
            }
        }
        return Arrays.copyOf(offsets, found);
    }

    private static boolean regionEquals(byte[] bytes, int from, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (bytes[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
