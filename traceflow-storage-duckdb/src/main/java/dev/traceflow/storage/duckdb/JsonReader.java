package dev.traceflow.storage.duckdb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back the JSON text of the {@code properties} and {@code data} columns, which
 * {@link JsonText} wrote, into JSON-like values: {@code Map} (in key order), {@code List},
 * {@code String}, {@code Boolean}, {@code null}, and numbers as {@code Long} when written without
 * fraction or exponent and within range, else {@code Double}. It exists because this module stays
 * free of a JSON library at run time (the server's Jackson is not ours to depend on) and only ever
 * reads what it wrote itself; anything else is an {@link IllegalArgumentException}.
 */
final class JsonReader {

    private final String s;
    private int p;

    private JsonReader(String s) {
        this.s = s;
    }

    /** The value of a JSON text; null for a null text. */
    static Object parse(String json) {
        if (json == null) {
            return null;
        }
        JsonReader r = new JsonReader(json);
        Object v = r.value();
        r.space();
        if (r.p != json.length()) {
            throw r.error("text after the value");
        }
        return v;
    }

    /** A JSON object's text as a map; empty for null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String json) {
        Object v = parse(json);
        if (v == null) {
            return Map.of();
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("not a JSON object: " + json);
    }

    private Object value() {
        space();
        if (p >= s.length()) {
            throw error("a value");
        }
        char c = s.charAt(p);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        p++;
        space();
        if (peek() == '}') {
            p++;
            return m;
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw error("a field name");
            }
            String key = string();
            space();
            expect(':');
            m.put(key, value());
            space();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        p++;
        space();
        if (peek() == ']') {
            p++;
            return list;
        }
        while (true) {
            list.add(value());
            space();
            char c = next();
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw error("',' or ']'");
            }
        }
    }

    private String string() {
        p++; // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (p + 4 > s.length()) {
                        throw error("four hex digits");
                    }
                    b.append((char) Integer.parseInt(s, p, p + 4, 16));
                    p += 4;
                }
                default -> throw error("an escape");
            }
        }
    }

    private Object number() {
        int start = p;
        boolean whole = true;
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c == '.' || c == 'e' || c == 'E') {
                whole = false;
            } else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
                break;
            }
            p++;
        }
        String text = s.substring(start, p);
        if (text.isEmpty()) {
            throw error("a value");
        }
        if (whole) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException beyondLong) {
                // read as a double below
            }
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw error("a number");
        }
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, p)) {
            throw error(word);
        }
        p += word.length();
        return value;
    }

    private void space() {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
    }

    private char peek() {
        if (p >= s.length()) {
            throw error("more text");
        }
        return s.charAt(p);
    }

    private char next() {
        char c = peek();
        p++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("'" + c + "'");
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("JSON: expected " + expected + " at " + p);
    }
}
