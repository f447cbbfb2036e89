package dev.traceflow.benchmark;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pool of Sentry envelopes the envelope phases cycle through, generated once before the run, as
 * {@link BatchTemplates} does for TraceFlow batches: each is what {@code @sentry/browser} posts for
 * errors ({@link SentryBrowserEvents}), the envelope header line, then per event an item header
 * {@code {"type":"event"}} (no {@code length}, as the JavaScript SDKs write it) and the event JSON on
 * one line each. The SDKs send one event per envelope; more than one is the batched variant.
 *
 * <p>Event ids are Sentry's 32 hex-like characters: a {@value EventIdSequence#WIDTH}-character
 * placeholder stamped before every send, then a fixed tail per template. The envelope header's
 * {@code event_id} repeats the first event's (an echo slot, {@link BatchTemplate#echoOffsets()}).
 */
public final class EnvelopeTemplates {

    static final String ECHO_PLACEHOLDER = "%".repeat(EventIdSequence.WIDTH);
    private static final byte[] EVENT_ID_KEY = "\"event_id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ITEM_HEADER = "{\"type\":\"event\"}".getBytes(StandardCharsets.US_ASCII);
    private static final int VISITORS = 256;

    private EnvelopeTemplates() {
    }

    /**
     * @param eventsPerEnvelope event items per envelope: 1 as the SDKs send, more for the batched variant
     * @param templateCount     distinct envelopes to prepare
     * @param seed              random seed; the same seed gives the same envelopes
     * @param nowMillis         the events' time, epoch milliseconds
     * @param publicKey         the DSN's key, which the browser SDK repeats in the header's trace context
     */
    public static List<BatchTemplate> generate(int eventsPerEnvelope, int templateCount, long seed, long nowMillis,
                                               String publicKey) {
        return generate(eventsPerEnvelope, templateCount, seed, nowMillis, publicKey, false);
    }

    /**
     * The same errors as {@link #generate} with the same arguments, as TraceFlow batches
     * ({@code {"events": [...]}} for {@code /api/collect/batch}) in TraceFlow's own error shape
     * ({@link SentryBrowserEvents#asTraceFlowError}): the baseline that differs from the envelopes only
     * in the format.
     */
    public static List<BatchTemplate> asTraceFlowBatches(int eventsPerBatch, int templateCount, long seed, long nowMillis,
                                                         String publicKey) {
        return generate(eventsPerBatch, templateCount, seed, nowMillis, publicKey, true);
    }

    private static List<BatchTemplate> generate(int eventsPerEnvelope, int templateCount, long seed, long nowMillis,
                                                String publicKey, boolean traceFlowShape) {
        if (eventsPerEnvelope < 1 || templateCount < 1) {
            throw new IllegalArgumentException("need at least one event and one template");
        }
        SplittableRandom random = new SplittableRandom(seed);
        VisitorPool visitors = new VisitorPool(VISITORS, random);
        SentryBrowserEvents events = new SentryBrowserEvents();
        JsonMapper mapper = JsonMapper.shared();
        HexFormat hex = HexFormat.of();
        List<BatchTemplate> templates = new ArrayList<>(templateCount);
        for (int t = 0; t < templateCount; t++) {
            Visitor visitor = visitors.pick(random);
            String idTail = hex.toHexDigits(random.nextLong());
            String traceId = hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
            ObjectNode header = events.envelopeHeader(ECHO_PLACEHOLDER + idTail, nowMillis, visitor, publicKey, traceId, random);
            if (traceFlowShape) {
                ObjectNode root = JsonNodeFactory.instance.objectNode();
                ArrayNode array = root.putArray("events");
                for (int e = 0; e < eventsPerEnvelope; e++) {
                    String eventId = BatchTemplates.EVENT_ID_PLACEHOLDER + idTail;
                    array.add(events.asTraceFlowError(events.error(visitor, eventId, nowMillis - random.nextInt(2_000), traceId, random),
                            SyntheticEvents.APP_ID, eventId));
                }
                byte[] bytes = mapper.writeValueAsBytes(root);
                int[] offsets = BatchTemplates.placeholderOffsets(bytes);
                if (offsets.length != eventsPerEnvelope) {
                    throw new IllegalStateException("found " + offsets.length + " eventId placeholders, expected " + eventsPerEnvelope);
                }
                templates.add(new BatchTemplate(bytes, offsets, visitor.userAgent()));
                continue;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(mapper.writeValueAsBytes(header));
            for (int e = 0; e < eventsPerEnvelope; e++) {
                body.write('\n');
                body.writeBytes(ITEM_HEADER);
                body.write('\n');
                body.writeBytes(mapper.writeValueAsBytes(events.error(visitor, BatchTemplates.EVENT_ID_PLACEHOLDER + idTail,
                        nowMillis - random.nextInt(2_000), traceId, random)));
            }
            byte[] bytes = body.toByteArray();
            int[] offsets = BatchTemplates.placeholderOffsets(bytes, EVENT_ID_KEY, BatchTemplates.EVENT_ID_PLACEHOLDER);
            int[] echoes = BatchTemplates.placeholderOffsets(bytes, EVENT_ID_KEY, ECHO_PLACEHOLDER);
            if (offsets.length != eventsPerEnvelope || echoes.length != 1) {
                throw new IllegalStateException("found " + offsets.length + " event_id placeholders and " + echoes.length
                        + " header ones, expected " + eventsPerEnvelope + " and 1");
            }
            templates.add(new BatchTemplate(bytes, offsets, visitor.userAgent(), echoes));
        }
        return List.copyOf(templates);
    }
}
