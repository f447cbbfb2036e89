package dev.traceflow.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretTokensTest {

    @Test
    void hash_isSha256InLowercaseHex() {
        assertThat(SecretTokens.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void generate_gives256RandomBitsAfterThePrefix() {
        String a = SecretTokens.generate("tfx_");
        String b = SecretTokens.generate("tfx_");
        assertThat(a).matches("tfx_[A-Za-z0-9_-]{43}");
        assertThat(a).isNotEqualTo(b);
    }
}
