package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The keys read from one parse ({@link SqlDialect#jsonValues}, {@link SqlDialect#jsonNumberOf},
 * {@link SqlDialect#jsonTextKey} and {@link SqlDialect#jsonTextOfKey}) answer what the per-key reads
 * ({@link SqlDialect#jsonNumber}, {@link SqlDialect#jsonText}) answer, on raw documents no writer of
 * ours needs to produce: numbers in every JSON spelling, numeric strings, escapes, unicode, combining
 * marks, nesting, duplicate keys; and a string's key is the same however the document spells it.
 */
class DuckDbDialectJsonValuesTest {

    private static final SqlDialect DIALECT = DuckDbDialect.INSTANCE;

    private static final List<String> DOCUMENTS = List.of(
            "{\"size\": 100, \"type\": \"text\"}",
            "{\"size\": \"250\", \"type\": \"te\\\"xt\"}",
            "{\"size\": -2.5e3, \"type\": \"a\\\\b\\nc\\t\"}",
            "{\"size\": 1E5, \"type\": \"\\u00e9t\\u00e9 \\ud83d\\ude00\"}",
            "{\"size\": 1.0, \"type\": \"été 😀 ünïcödé\"}",
            "{\"size\": -0.0, \"type\": \"\"}",
            "{\"size\": -0, \"type\": \"\\\"\"}",
            "{\"size\": 3, \"type\": \"\u0301x\u0301\"}",
            "{\"size\": 4, \"type\": \"(none)\"}",
            "{\"size\": 0, \"type\": \"x\\u0000y\\u001f\"}",
            "{\"size\": 0.1, \"type\": \" padded \"}",
            "{\"size\": 123456789012345678, \"type\": \"\\\\\"}",
            "{\"size\": -9223372036854775808, \"type\": \"'quote'\"}",
            "{\"size\": 9007199254740993, \"type\": 7}",
            "{\"size\": 18446744073709551615, \"type\": true}",
            "{\"size\": 184467440737095516150, \"type\": null}",
            "{\"size\": 1.7976931348623157e308, \"type\": [\"a\"]}",
            "{\"size\": 4.9e-324, \"type\": {\"nested\": \"x\"}}",
            "{\"size\": {\"v\": 3}, \"type\": \"\\/slash\"}",
            "{\"size\": [1, 2]}",
            "{\"size\": null, \"type\": \"x\", \"type\": \"y\"}",
            "{\"size\": true}",
            "{\"size\": false, \"other\": 1}",
            "{\"nested\": {\"size\": 5, \"type\": \"inner\"}}",
            "{}",
            "  { \"type\" :\t\"spaced\" , \"size\" :  12 }  ");

    @Test
    void numbersAndTextsFromOneParse_areThePerKeyReads() throws Exception {
        String values = DIALECT.jsonValues("doc", List.of("size", "type"));
        String sql = "SELECT " + DIALECT.jsonNumber("doc", "size") + ", " + DIALECT.jsonNumberOf(DIALECT.jsonValueAt("p", 0)) + ", "
                + DIALECT.jsonText("doc", "type") + ", " + text(DIALECT.jsonValueAt("p", 1)) + ", "
                + DIALECT.jsonText("doc", "size") + ", " + text(DIALECT.jsonValueAt("p", 0)) + ", "
                + DIALECT.jsonNumber("doc", "type") + ", " + DIALECT.jsonNumberOf(DIALECT.jsonValueAt("p", 1))
                + " FROM (SELECT doc, " + values + " AS p FROM (SELECT ?::VARCHAR AS doc))";
        List<String> all = new ArrayList<>(DOCUMENTS);
        all.add(null);
        int numbers = 0;
        int texts = 0;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); PreparedStatement st = c.prepareStatement(sql)) {
            for (String doc : all) {
                st.setString(1, doc);
                try (ResultSet rs = st.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    for (int col = 1; col <= 8; col += 2) {
                        Object perKey = rs.getObject(col);
                        Object once = rs.getObject(col + 1);
                        assertThat(once).as("column %d of %s", col, doc).isEqualTo(perKey);
                        if (perKey instanceof Double d) {
                            // -0.0 and 0.0 are equal as objects only when their bits are
                            assertThat(Double.doubleToRawLongBits((Double) once)).as("bits, column %d of %s", col, doc)
                                    .isEqualTo(Double.doubleToRawLongBits(d));
                            numbers++;
                        } else if (perKey instanceof String) {
                            texts++;
                        }
                    }
                }
            }
        }
        assertThat(numbers).as("documents with a number to compare").isGreaterThanOrEqualTo(10);
        assertThat(texts).as("documents with a text to compare").isGreaterThanOrEqualTo(8);
    }

    /** The string of a value by way of its key, as a query that groups by the key reads it. */
    private static String text(String value) {
        String key = DIALECT.jsonTextKey(value);
        return "(CASE WHEN " + key + " IS NOT NULL THEN " + DIALECT.jsonTextOfKey(key) + " END)";
    }

    @Test
    void aStringsKey_isTheSameHoweverItIsSpelled_andDiffersForAnotherString() throws Exception {
        String sql = "SELECT " + DIALECT.jsonTextKey(DIALECT.jsonValueAt(DIALECT.jsonValues("doc", List.of("type")), 0))
                + " FROM (SELECT ?::VARCHAR AS doc)";
        List<List<String>> sameStrings = List.of(
                List.of("{\"type\": \"\u00e9t\u00e9\"}", "{\"type\": \"été\"}", "{\"type\":\"\\u00e9t\\u00E9\"}"),
                List.of("{\"type\": \"a/b\"}", "{\"type\": \"a\\/b\"}", "{\"type\": \"\\u0061/b\"}"),
                List.of("{\"type\": \"say \\\"hi\\\"\"}", "{\"type\": \"say \\u0022hi\\u0022\"}"),
                List.of("{\"type\": \"\\ud83d\\ude00\"}", "{\"type\": \"😀\"}"),
                List.of("{\"type\": \"(none)\"}", "{\"type\": \"(none)\", \"size\": 1}"));
        List<String> keys = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); PreparedStatement st = c.prepareStatement(sql)) {
            for (List<String> spellings : sameStrings) {
                List<String> ofThis = new ArrayList<>();
                for (String doc : spellings) {
                    st.setString(1, doc);
                    try (ResultSet rs = st.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        ofThis.add(rs.getString(1));
                    }
                }
                assertThat(ofThis).as("keys of %s", spellings).doesNotContainNull().containsOnly(ofThis.getFirst());
                keys.add(ofThis.getFirst());
            }
            assertThat(keys).doesNotHaveDuplicates();
            assertThat(keys.getLast()).isEqualTo(constant(c, DIALECT.jsonTextKeyOf("(none)")));
        }
    }

    private static String constant(Connection c, String expr) throws Exception {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + expr)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void aNumericString_isNoNumber_andANumberIsNoText() throws Exception {
        String p = DIALECT.jsonValues("doc", List.of("size", "type"));
        String sql = "SELECT " + DIALECT.jsonNumberOf(DIALECT.jsonValueAt("p", 0)) + ", " + DIALECT.jsonTextKey(DIALECT.jsonValueAt("p", 1))
                + " FROM (SELECT " + p + " AS p FROM (SELECT '{\"size\": \"250\", \"type\": 7}' AS doc))";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getObject(1)).isNull();
            assertThat(rs.getObject(2)).isNull();
        }
    }

    @Test
    void keysThatAreNotPlainNames_areRefused() {
        assertThatThrownBy(() -> DIALECT.jsonValues("doc", List.of("size", "a'b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DIALECT.jsonValues("doc", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DIALECT.jsonTextKeyOf("a\"b")).isInstanceOf(IllegalArgumentException.class);
    }
}
