package dev.traceflow.ingest;

import dev.traceflow.core.pipeline.Drop;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.http.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams through an ingest body event by event, so each event's size is known (from the
 * parser's byte offsets) and a batch over the count limit is refused without reading the rest.
 * TraceFlow events are read straight into their fields ({@link CollectEventReader}); the other
 * JSON bodies' events as maps ({@link #readObject}).
 */
final class IngestJson {

    /** JSON nested deeper than this is refused as a whole body; property depth (8) is checked per event later. */
    static final int MAX_NESTING = 64;
    /** Bytes of a batch read between two yields (see {@link #readArray}). */
    static final int YIELD_EVERY_BYTES = 64 * 1024;

    private final JsonMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    .build())
            // the stream holds more after each event: that is the point of reading event by event
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private final int maxEvents;
    private final int maxEventBytes;
    private final Runnable yield;

    int maxEventBytes() {
        return maxEventBytes;
    }

    IngestJson(int maxEvents, int maxEventBytes) {
        this(maxEvents, maxEventBytes, Thread::yield);
    }

    /** @param yield run every {@link #YIELD_EVERY_BYTES} of a batch: {@link Thread#yield}; tests count the calls */
    IngestJson(int maxEvents, int maxEventBytes, Runnable yield) {
        this.maxEvents = maxEvents;
        this.maxEventBytes = maxEventBytes;
        this.yield = yield;
    }

    /** Reads one event object: called at its {@code START_OBJECT}, returns after its {@code END_OBJECT}. */
    interface EventReader<T> {
        T read(JsonParser p);
    }

    /**
     * Receives each event, as its {@link EventReader} gave it, with its request index and size in
     * bytes; before the next event is read, as a reader may reuse what it gives.
     */
    interface EventSink<T> {
        void accept(T event, int index, int size);
    }

    /**
     * A TraceFlow events body ({@code /api/collect}: one event; {@code /api/collect/batch}: a batch)
     * as events, and by index those that could not be read or built.
     *
     * @param headerUserAgent the request's User-Agent, used for events that have none
     * @param receivedAt      when the request arrived, epoch milliseconds
     */
    ParsedEvents readCollect(byte[] body, boolean single, String headerUserAgent, long receivedAt) {
        ParsedEvents parsed = ParsedEvents.empty();
        EventSink<CollectEventReader> sink = (event, index, size) -> {
            try {
                parsed.events().add(event.toEvent(index, size));
            } catch (FieldReader.FieldError e) {
                parsed.drops().add(new Drop(index, DropReason.INVALID, e.code(), e.getMessage()));
            }
        };
        // one reader per request: it holds the event being read
        CollectEventReader reader = new CollectEventReader(headerUserAgent, receivedAt);
        int total = 1;
        if (single) {
            readSingle(body, reader, sink, parsed.drops());
        } else {
            total = readBatch(body, reader, sink, parsed.drops(), null);
        }
        return new ParsedEvents(parsed.events(), parsed.drops(), total);
    }

    /** A body that is one event object. */
    <T> void readSingle(byte[] body, EventReader<T> reader, EventSink<? super T> sink, List<Drop> drops) {
        try (JsonParser p = mapper.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.malformed("the body must be one JSON event object");
            }
            readEvent(p, 0, reader, sink, drops);
            expectEnd(p);
        } catch (JacksonException e) {
            throw malformed(e);
        }
    }

    /** {@link #readBatch(byte[], EventReader, EventSink, List, Map)} with each event as {@link #readObject}'s map. */
    int readBatch(byte[] body, EventSink<Map<String, Object>> sink, List<Drop> drops, Map<String, Object> topLevel) {
        return readBatch(body, IngestJson::readObject, sink, drops, topLevel);
    }

    /**
     * A batch: {@code {"events": [...]}} or a bare array. Other top-level fields are handed to
     * {@code topLevel} (seed 001's {@code app} and {@code release}); may be null.
     *
     * @return the number of events in the body
     */
    <T> int readBatch(byte[] body, EventReader<T> reader, EventSink<? super T> sink, List<Drop> drops,
                      Map<String, Object> topLevel) {
        try (JsonParser p = mapper.createParser(body)) {
            JsonToken first = p.nextToken();
            int count;
            if (first == JsonToken.START_ARRAY) {
                count = readArray(p, reader, sink, drops);
            } else if (first == JsonToken.START_OBJECT) {
                count = -1;
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("events".equals(name)) {
                        // a second "events" array would restart the indexes at 0 and get another
                        // maxEvents events past the batch limit: refuse ambiguous bodies outright
                        if (count >= 0) {
                            throw ApiException.malformed("the body has more than one 'events' array");
                        }
                        if (value != JsonToken.START_ARRAY) {
                            throw ApiException.malformed("'events' must be an array");
                        }
                        count = readArray(p, reader, sink, drops);
                    } else if (topLevel != null && value.isScalarValue()) {
                        topLevel.put(name, mapper.readValue(p, Object.class));
                    } else {
                        p.skipChildren();
                    }
                }
                if (count < 0) {
                    throw ApiException.malformed("the body has no 'events' array");
                }
            } else {
                throw ApiException.malformed("the body must be {\"events\": [...]} or a JSON array of events");
            }
            expectEnd(p);
            return count;
        } catch (JacksonException e) {
            throw malformed(e);
        }
    }

    /**
     * Reads the events of the array. Every {@link #YIELD_EVERY_BYTES} it yields: a virtual thread
     * keeps its carrier until it blocks, and parsing a body in memory never blocks, so a few 10 MiB
     * batches parsed at once kept every carrier (one per core) from other requests for seconds
     * (IngestMemoryBoundIT). A batch smaller than that, the usual one, never yields.
     */
    private <T> int readArray(JsonParser p, EventReader<T> reader, EventSink<? super T> sink, List<Drop> drops) {
        int index = 0;
        long yieldAt = YIELD_EVERY_BYTES;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw ApiException.malformed("the events array is not closed");
            }
            if (index >= maxEvents) {
                throw ApiException.tooLarge("a batch holds at most " + maxEvents + " events");
            }
            if (t == JsonToken.START_OBJECT) {
                long end = readEvent(p, index, reader, sink, drops);
                if (end >= yieldAt) {
                    yieldAt = end + YIELD_EVERY_BYTES;
                    yield.run();
                }
            } else {
                p.skipChildren();
                drops.add(new Drop(index, DropReason.INVALID, "INVALID_EVENT", "an event must be a JSON object"));
            }
            index++;
        }
        return index;
    }

    /** @return the byte offset in the body just after the event */
    private <T> long readEvent(JsonParser p, int index, EventReader<T> reader, EventSink<? super T> sink, List<Drop> drops) {
        long start = p.currentTokenLocation().getByteOffset();
        T event = reader.read(p);
        long end = p.currentLocation().getByteOffset();
        int size = (int) Math.min(Integer.MAX_VALUE, end - start);
        if (size > maxEventBytes) {
            drops.add(new Drop(index, DropReason.TOO_LARGE, "EVENT_TOO_LARGE",
                    "the event is " + size + " bytes; the limit is " + maxEventBytes));
            return end;
        }
        sink.accept(event, index, size);
        return end;
    }

    /**
     * The object starting at the current token, as the values Jackson's untyped binding gives
     * (LinkedHashMap, ArrayList, String, Integer / Long / BigInteger, Double, Boolean, null; the
     * last of repeated keys wins), read straight from the tokens: the data-binding layer measured
     * about a fifth of the parse for these small objects. Depth is bounded by the parser's
     * nesting limit, so the recursion is too.
     */
    static Map<String, Object> readObject(JsonParser p) {
        Map<String, Object> object = new LinkedHashMap<>();
        String name;
        while ((name = p.nextName()) != null) {
            object.put(name, readValue(p, p.nextToken()));
        }
        return object;
    }

    /** The value starting at token {@code t}, as {@link #readObject} gives values. */
    static Object readValue(JsonParser p, JsonToken t) {
        if (t == null) {
            throw endsInsideAValue();
        }
        return switch (t) {
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(readValue(p, next));
                }
                yield list;
            }
            default -> throw new IllegalStateException("unexpected JSON token " + t);
        };
    }

    /**
     * Walks over the value starting at token {@code t} with the same parser calls as
     * {@link #readValue}, building nothing. Strings are decoded (into the parser's buffer)
     * rather than skipped: Jackson's skipping of an unread string does not check all of UTF-8 (it
     * lets encoded surrogates through), and such a body must stay refused wherever the string is.
     * Depth is bounded by the parser's nesting limit, so the recursion is too.
     */
    static void skipValue(JsonParser p, JsonToken t) {
        if (t == null) {
            throw endsInsideAValue();
        }
        switch (t) {
            case VALUE_STRING -> p.getStringLength();
            case START_OBJECT -> {
                while (p.nextName() != null) {
                    skipValue(p, p.nextToken());
                }
            }
            case START_ARRAY -> {
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    skipValue(p, next);
                }
            }
            default -> {
                // numbers, true, false, null: the token is all there is (its digits were checked when read)
            }
        }
    }

    static ApiException endsInsideAValue() {
        return ApiException.malformed("the body is not valid JSON: it ends inside a value");
    }

    private static void expectEnd(JsonParser p) {
        if (p.nextToken() != null) {
            throw ApiException.malformed("unexpected content after the JSON value");
        }
    }

    private static ApiException malformed(JacksonException e) {
        String reason = e.getOriginalMessage();
        for (String noise : new String[]{" (start marker", "[Source", " (bound as", "\n"}) {
            int cut = reason == null ? -1 : reason.indexOf(noise);
            if (cut > 0) {
                reason = reason.substring(0, cut).strip();
            }
        }
        if (reason != null && reason.contains("Invalid UTF-8")) {
            reason = "invalid UTF-8";
        } else if (reason != null && reason.contains("nesting depth")) {
            reason = "nested deeper than " + MAX_NESTING + " levels";
        }
        return ApiException.malformed("the body is not valid JSON: " + RequestBodies.truncate(reason)
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
    }
}
