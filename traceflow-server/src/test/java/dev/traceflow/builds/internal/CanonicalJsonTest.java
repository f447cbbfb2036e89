package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalJsonTest {

    @Test
    void keyOrderWhitespaceAndNumberSpelling_doNotChangeTheHash() {
        String a = CanonicalJson.sha256(CanonicalJson.JSON.readTree("{\"b\": [1, 2.0, {\"y\": 1, \"x\": \"é\"}], \"a\": 1e2}"));
        String b = CanonicalJson.sha256(CanonicalJson.JSON.readTree("{\"a\":100,\"b\":[1,2,{\"x\":\"\\u00e9\",\"y\":1}]}"));
        assertThat(a).isEqualTo(b).hasSize(64);
        assertThat(CanonicalJson.sha256(CanonicalJson.JSON.readTree("{\"a\":101,\"b\":[1,2,{\"x\":\"é\",\"y\":1}]}"))).isNotEqualTo(a);
    }

    @Test
    void canonicalForm_isRfc8785() {
        // RFC 8785 section 3.2.3: keys sorted by UTF-16 code units, no whitespace, ES6 numbers
        assertThat(CanonicalJson.canonical(CanonicalJson.JSON.readTree("{\"b\":1.50,\"a\":[true,null],\"\\u20ac\":\"x\",\"1\":1E-7}")))
                .isEqualTo("{\"1\":1e-7,\"a\":[true,null],\"b\":1.5,\"€\":\"x\"}");
    }

    @Test
    void theDirectForm_isTheReferenceImplementations_onRandomTrees() {
        // stored snapshot and content hashes were made through erdtman's canonicalizer: the direct writer must agree
        Random random = new Random(20);
        for (int i = 0; i < 3000; i++) {
            // the reference implementation takes an object at the top, as every caller passes
            JsonNode tree = JsonNodeFactory.instance.objectNode().set("v", randomValue(random, 0));
            assertThat(CanonicalJson.canonical(tree)).as(tree.toString()).isEqualTo(CanonicalJson.reference(tree));
        }
    }

    @Test
    void numbersAndStrings_atTheEdges_matchTheReference() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode edges = f.arrayNode();
        double[] doubles = {0.0, -0.0, 1e21, 1e20, 1e-7, 1e-6, 5e-324, Double.MAX_VALUE, -Double.MIN_NORMAL, 0.1, 1 / 3.0,
            9007199254740993.0};
        for (double d : doubles) {
            edges.add(d);
        }
        edges.add(0.1f).add(3.4028235e38f).add(Long.MAX_VALUE).add(Long.MIN_VALUE).add(9007199254740993L)
                .add(new BigInteger("123456789012345678901234567890")).add(new BigDecimal("1.000000000000000000000000001"))
                .add(new BigDecimal("1E+300")).add(new BigDecimal("-2.5E-3"));
        edges.add("\u0000\u001f\u007f\b\f\n\r\t\"\\/ \u2028\ud83d\ude00\ud800 é€");
        ObjectNode keys = f.objectNode();
        for (String k : new String[] {"\ud83d\ude00", "\uffff", "a", "A", "", "\u00e9", "\u20ac", "1", "\u0000"}) {
            keys.put(k, k);
        }
        edges.add(keys);
        ObjectNode tree = f.objectNode().set("edges", edges);
        assertThat(CanonicalJson.canonical(tree)).isEqualTo(CanonicalJson.reference(tree));
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = random.nextInt(depth >= 4 ? 6 : 8);
        return switch (kind) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(random.nextBoolean());
            case 2 -> f.stringNode(randomString(random));
            case 3 -> switch (random.nextInt(6)) {
                case 0 -> f.numberNode(random.nextInt());
                case 1 -> f.numberNode(random.nextLong());
                case 2 -> f.numberNode(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL) * (random.nextBoolean() ? 1 : -1));
                case 3 -> f.numberNode(random.nextFloat() * (float) Math.pow(10, random.nextInt(60) - 30));
                case 4 -> f.numberNode(new BigDecimal(BigInteger.valueOf(random.nextLong()), random.nextInt(40) - 20));
                default -> f.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(50) - 25));
            };
            case 4, 5 -> f.numberNode(random.nextInt(2000) - 1000);
            case 6 -> {
                ArrayNode a = f.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    a.add(randomValue(random, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = f.objectNode();
                for (int i = random.nextInt(6); i > 0; i--) {
                    o.set(randomString(random), randomValue(random, depth + 1));
                }
                yield o;
            }
        };
    }

    /** Letters, controls, quotes and backslashes, BMP characters past the surrogates, and surrogate pairs. */
    private static String randomString(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            switch (random.nextInt(5)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append("\"\\/".charAt(random.nextInt(3)));
                case 2 -> s.append((char) (0xe000 + random.nextInt(0x2000)));
                case 3 -> s.appendCodePoint(0x10000 + random.nextInt(0x10000));
                default -> s.append((char) ('A' + random.nextInt(58)));
            }
        }
        return s.toString();
    }
}
