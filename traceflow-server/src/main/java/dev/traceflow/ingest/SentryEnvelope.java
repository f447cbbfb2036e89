package dev.traceflow.ingest;

import dev.traceflow.http.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Sentry envelope (develop.sentry.dev "Envelopes"): a JSON header line, then items, each a JSON
 * header line and a payload. A payload whose item header gives {@code length} is exactly that many
 * bytes, followed by a newline or the end of the envelope; without {@code length} it runs to the
 * next newline. Parsed as Relay parses it (relay-server's {@code Envelope::parse_bytes}): blank
 * space before a header is skipped, the last item needs no newline, and an envelope of only its
 * header has no items. Anything else, a {@code length} that runs past the end or is not followed by
 * a newline included, is a malformed envelope: nothing of it is used.
 *
 * @param headers the envelope header's fields TraceFlow reads ({@code event_id}, {@code dsn}); the others
 *                ({@code sent_at}, {@code sdk}, {@code trace}...) are checked as JSON but not kept
 * @param items   in envelope order
 */
record SentryEnvelope(Map<String, Object> headers, List<Item> items) {

    /**
     * One item. Its payload is a range of the request's body rather than a copy of it: the body is
     * held until the request ends anyway, and parsers read a range as well as a whole array.
     *
     * @param type   the header's {@code type} ({@code event}, {@code transaction}, {@code session}...)
     * @param body   the array the payload lies in (the envelope's body); never changed
     * @param offset where the payload starts in {@code body}
     * @param size   the payload's length in bytes
     */
    record Item(String type, Map<String, Object> headers, byte[] body, int offset, int size) {

        /** An item whose payload is all of {@code payload}. */
        Item(String type, Map<String, Object> headers, byte[] payload) {
            this(type, headers, payload, 0, payload.length);
        }

        /** A copy of the payload's bytes. */
        byte[] payload() {
            return Arrays.copyOfRange(body, offset, offset + size);
        }

        /** The payload as one JSON object of untyped maps, with only {@code shape}'s parts built; null when it is not one. */
        Map<String, Object> json(JsonShape shape) {
            return jsonObject(body, offset, size, shape);
        }
    }

    /** What is read of the envelope header: an SDK sends its name, the trace's context and more with every request. */
    private static final JsonShape ENVELOPE_HEADER = JsonShape.fields("event_id", "dsn");
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long NEWLINES = ONES * '\n';

    /** JSON nested deeper than this is refused (the same bound as the other ingest bodies). */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(IngestJson.MAX_NESTING).build())
                    .build())
            .build();

    /**
     * @param maxItems     the most items an envelope may hold (more: 413)
     * @param maxItemBytes the largest payload an item may have (larger: 413)
     * @throws ApiException 400 MALFORMED_BODY for anything that breaks the format, 413 over a limit
     */
    static SentryEnvelope parse(byte[] body, int maxItems, int maxItemBytes) {
        int at = skipBlank(body, 0);
        if (at == body.length) {
            throw ApiException.malformed("the envelope is empty: it needs at least its header line");
        }
        int headerEnd = lineEnd(body, at);
        Map<String, Object> headers = header(body, at, headerEnd, "the envelope header", ENVELOPE_HEADER);
        List<Item> items = new ArrayList<>();
        at = skipBlank(body, headerEnd + 1);
        while (at < body.length) {
            if (items.size() == maxItems) {
                throw ApiException.tooLarge("an envelope holds at most " + maxItems + " items");
            }
            int itemHeaderEnd = lineEnd(body, at);
            String where = "the header of item " + items.size();
            Map<String, Object> itemHeaders = header(body, at, itemHeaderEnd, where, JsonShape.WHOLE);
            if (!(itemHeaders.get("type") instanceof String type) || type.isBlank()) {
                throw ApiException.malformed(where + " has no 'type'");
            }
            int payloadStart = Math.min(itemHeaderEnd + 1, body.length);
            int payloadEnd;
            Object length = itemHeaders.get("length");
            if (length == null) {
                payloadEnd = lineEnd(body, payloadStart);
            } else {
                long declared = declaredLength(length, where);
                if (declared > maxItemBytes) {
                    throw ApiException.tooLarge("item " + items.size() + " (" + RequestBodies.truncate(type) + ") is " + declared
                            + " bytes; an item may have at most " + maxItemBytes);
                }
                if (payloadStart + declared > body.length) {
                    throw ApiException.malformed(where + " says 'length' " + declared + " but the envelope ends "
                            + (body.length - payloadStart) + " bytes after it");
                }
                payloadEnd = payloadStart + (int) declared;
                if (payloadEnd < body.length && body[payloadEnd] != '\n') {
                    throw ApiException.malformed("item " + items.size() + " is not followed by a newline after the "
                            + declared + " bytes its 'length' says: the length is wrong");
                }
            }
            if (payloadEnd - payloadStart > maxItemBytes) {
                throw ApiException.tooLarge("item " + items.size() + " (" + RequestBodies.truncate(type) + ") is "
                        + (payloadEnd - payloadStart) + " bytes; an item may have at most " + maxItemBytes);
            }
            items.add(new Item(type, itemHeaders, body, payloadStart, payloadEnd - payloadStart));
            at = skipBlank(body, payloadEnd + 1);
        }
        return new SentryEnvelope(headers, items);
    }

    /** The header's {@code event_id} when it is a string, else null. */
    String eventId() {
        return headers.get("event_id") instanceof String id && !id.isBlank() ? id : null;
    }

    /** The header's {@code dsn} when it is a string, else null. */
    String dsn() {
        return headers.get("dsn") instanceof String dsn && !dsn.isBlank() ? dsn : null;
    }

    private static long declaredLength(Object length, String where) {
        if (length instanceof Number n && (n instanceof Integer || n instanceof Long) && n.longValue() >= 0) {
            return n.longValue();
        }
        throw ApiException.malformed(where + " has a 'length' that is not a whole number of bytes");
    }

    /**
     * Relay reads headers with a streaming JSON reader, which passes over whitespace before a value:
     * blank lines between items are allowed, and so is blank space at the end.
     */
    private static int skipBlank(byte[] body, int at) {
        while (at < body.length && (body[at] == '\n' || body[at] == '\r' || body[at] == ' ' || body[at] == '\t')) {
            at++;
        }
        return at;
    }

    /**
     * The index of the newline that ends the line starting at {@code from}, or the envelope's length.
     * Items without {@code length} (what browser SDKs send) are found by this scan over every byte
     * of the payload, so it tests eight bytes at a time.
     */
    static int lineEnd(byte[] body, int from) {
        int i = from;
        for (; i <= body.length - Long.BYTES; i += Long.BYTES) {
            long newlines = (long) WORDS.get(body, i) ^ NEWLINES;
            // a byte of 0 (a newline) sets its high bit here; bits can be set wrongly only above
            // the lowest zero byte (by a borrow), so the lowest set bit is the first newline
            long found = (newlines - ONES) & ~newlines & HIGH_BITS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < body.length; i++) {
            if (body[i] == '\n') {
                return i;
            }
        }
        return body.length;
    }

    /** A header line: one JSON object, alone on its line (headers never contain a newline). */
    private static Map<String, Object> header(byte[] body, int from, int to, String what, JsonShape shape) {
        try (JsonParser p = JSON.createParser(body, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.malformed(what + " is not a JSON object");
            }
            Map<String, Object> header = shape.readObject(p);
            if (p.nextToken() != null) {
                throw ApiException.malformed(what + " has more on its line than one JSON object");
            }
            return header;
        } catch (JacksonException e) {
            throw ApiException.malformed(what + " is not valid JSON: " + RequestBodies.truncate(e.getOriginalMessage()));
        }
    }

    /** A JSON payload (event, transaction, session...) as untyped maps; null when it is not a JSON object. */
    static Map<String, Object> jsonObject(byte[] payload) {
        return jsonObject(payload, 0, payload.length, JsonShape.WHOLE);
    }

    private static Map<String, Object> jsonObject(byte[] body, int offset, int size, JsonShape shape) {
        try (JsonParser p = JSON.createParser(body, offset, size)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, Object> object = shape.readObject(p);
            return p.nextToken() == null ? object : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
