package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;

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
}
