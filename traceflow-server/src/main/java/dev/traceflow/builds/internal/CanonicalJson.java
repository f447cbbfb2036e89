package dev.traceflow.builds.internal;

import org.erdtman.jcs.JsonCanonicalizer;
import org.erdtman.jcs.NumberToJSON;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a JSON value and its sha256: key order,
 * whitespace and number spelling ({@code 1.0} / {@code 1}) never change it.
 * <p>
 * Written straight from the tree, with the reference implementation's (erdtman) number and string
 * rules: going through it meant printing the tree, parsing the text again and printing it a second
 * time, the largest part of a validation's allocation. The two forms are the same for any tree
 * ({@code CanonicalJsonTest} compares them on random ones): stored hashes do not change.
 */
final class CanonicalJson {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private CanonicalJson() {
    }

    static String canonical(JsonNode value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out);
        return out.toString();
    }

    /** Lower-case hex sha256 of the canonical form's UTF-8 bytes. */
    static String sha256(JsonNode value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical(value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                // String order is UTF-16 code unit order, the RFC's
                List<String> names = new ArrayList<>(node.propertyNames());
                names.sort(null);
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    string(names.get(i), out);
                    out.append(':');
                    write(node.get(names.get(i)), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> string(node.asString(), out);
            case NUMBER -> out.append(number(node));
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            // binary, POJO: whatever Jackson prints for them, canonicalized by the reference implementation
            default -> out.append(reference(node));
        }
    }

    /**
     * The double the printed number parses to, as ES6 prints it. Integers convert exactly as their
     * decimal text would; other numbers go through their text, so that a float is the double its
     * printed digits name (0.1), not its binary value widened (0.10000000149011612).
     */
    private static String number(JsonNode node) {
        double value = node.isInt() || node.isLong() ? node.longValue() : Double.parseDouble(node.asString());
        try {
            return NumberToJSON.serializeNumber(value);
        } catch (IOException e) {
            throw new IllegalStateException("NaN and infinities have no JSON form", e);
        }
    }

    /** RFC 8785 section 3.2.2.2: the two-character escapes, other controls as lower-case {@code \}u00xx, the rest as is. */
    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The reference implementation's form, from the printed tree: for node kinds the writer leaves to it, and to hold the writer to. */
    static String reference(JsonNode value) {
        try {
            return new JsonCanonicalizer(JSON.writeValueAsString(value)).getEncodedString();
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always canonicalizes", e);
        }
    }
}
