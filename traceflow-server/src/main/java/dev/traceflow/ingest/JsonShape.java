package dev.traceflow.ingest;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.sym.BinaryNameMatcher;
import tools.jackson.core.sym.PropertyNameMatcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a JSON payload a mapping reads, so that a payload is read into
 * {@link IngestJson#readObject}'s maps with only those parts built: an object keeps the fields its
 * shape names (each read with its own shape) and walks over the others without building them; a
 * list reads each element with the shape's element shape. Whatever the shape, the whole payload is
 * still tokenized and checked (strings decoded, see {@link IngestJson#skipValue}), so a payload that
 * is not valid JSON stays refused wherever the fault lies.
 *
 * <p>Sentry SDKs send much that TraceFlow does not keep (the SDK's integrations and packages, source
 * context and variables of each frame, loaded modules, debug images): building maps of it only to
 * drop it was a large part of the envelope path's parsing. A value whose kind the shape does not
 * expect (a list where it names fields, an object where it gives an element shape) is built whole,
 * so the mapping sees it exactly as before and reports it the same way. A part the mapping turns
 * into something else than maps anyway (Sentry's exception frames into stack text) can be read by
 * a reader of its own ({@link #readWith}), which must check what it walks over as the rest does.
 *
 * <p>Immutable; shapes are built once and shared.
 */
final class JsonShape {

    /** Every part is built: {@link IngestJson#readValue}. */
    static final JsonShape WHOLE = new JsonShape(null, null, null, null);

    /**
     * Reads a value its own way, from its first token through its last, into whatever the mapping
     * reads (a {@link SentryException} for Sentry's exceptions): for parts a mapping turns into
     * something else than maps anyway.
     */
    interface ValueReader {
        Object read(JsonParser p, JsonToken t);
    }

    /** The kept fields' names; null: an object is built whole. */
    private final String[] names;
    /** Per kept field, in {@link #names}' order, its shape. */
    private final JsonShape[] shapes;
    /**
     * Matches a field name to its index in {@link #names} from the name's bytes as the parser reads
     * them: looking each name up in a map was most of what leaving fields out saved.
     */
    private final PropertyNameMatcher matcher;
    /** The shape of a list's elements; null: a list is built whole. */
    private final JsonShape elements;
    /** Reads the whole value instead of the above; null: the above say how. */
    private final ValueReader reader;

    private JsonShape(String[] names, JsonShape[] shapes, JsonShape elements, ValueReader reader) {
        this.names = names;
        this.shapes = shapes;
        this.matcher = names == null ? null : BinaryNameMatcher.construct(List.of(names));
        this.elements = elements;
        this.reader = reader;
    }

    /** An object of which only {@code fields} are kept, each with its shape (a list too: elements whole). */
    static JsonShape fields(Map<String, JsonShape> fields) {
        List<String> names = List.copyOf(fields.keySet());
        return new JsonShape(names.toArray(String[]::new), names.stream().map(fields::get).toArray(JsonShape[]::new), null, null);
    }

    /** An object of which only the named fields are kept, each whole. */
    static JsonShape fields(String... names) {
        Map<String, JsonShape> whole = new LinkedHashMap<>();
        for (String name : names) {
            whole.put(name, WHOLE);
        }
        return fields(whole);
    }

    /** A list whose elements are read with {@code elements}; an object is built whole. */
    static JsonShape listOf(JsonShape elements) {
        return new JsonShape(null, null, elements, null);
    }

    /** A value of any kind read by {@code reader}, which must read it through its last token. */
    static JsonShape readWith(ValueReader reader) {
        return new JsonShape(null, null, null, reader);
    }

    /**
     * The value starting at token {@code t}, as {@link IngestJson#readValue} gives it but with only
     * this shape's parts built; of a {@link #readWith} shape, what its reader gives.
     */
    Object read(JsonParser p, JsonToken t) {
        if (reader != null) {
            return reader.read(p, t);
        }
        if (t == JsonToken.START_OBJECT && names != null) {
            return readObject(p);
        }
        if (t == JsonToken.START_ARRAY && elements != null) {
            List<Object> list = new ArrayList<>();
            JsonToken next;
            while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                if (next == null) {
                    throw IngestJson.endsInsideAValue();
                }
                list.add(elements.read(p, next));
            }
            return list;
        }
        return IngestJson.readValue(p, t);
    }

    /**
     * The object after its {@code START_OBJECT}, through its {@code END_OBJECT}, with only this
     * shape's fields (the last of repeated keys wins, as in {@link IngestJson#readObject}).
     */
    Map<String, Object> readObject(JsonParser p) {
        if (names == null) {
            return IngestJson.readObject(p);
        }
        // sized for every kept field: a Sentry event keeps more than a default map holds without growing
        Map<String, Object> object = LinkedHashMap.newLinkedHashMap(names.length);
        int match;
        // as in CollectEventReader: the loop ends where nextName() would return null, at the object's end
        while ((match = p.nextNameMatch(matcher)) >= 0 || match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
            if (match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
                IngestJson.skipValue(p, p.nextToken());
            } else {
                object.put(names[match], shapes[match].read(p, p.nextToken()));
            }
        }
        return object;
    }
}
