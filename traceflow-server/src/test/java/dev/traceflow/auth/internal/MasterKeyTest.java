package dev.traceflow.auth.internal;

import dev.traceflow.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MasterKeyTest {

    @Test
    void sealsAndOpens_boundToTheId() {
        MasterKey key = MasterKey.of(new byte[32]);
        String sealed = key.encrypt("secret".getBytes(StandardCharsets.UTF_8), "kid-1");
        assertThat(new String(key.decrypt(sealed, "kid-1"), StandardCharsets.UTF_8)).isEqualTo("secret");
        assertThat(key.encrypt("secret".getBytes(StandardCharsets.UTF_8), "kid-1")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThatThrownBy(() -> key.decrypt(sealed, "kid-2")).hasMessageContaining("master key");
    }

    @Test
    void withoutConfiguration_generatesAnOwnerOnlyFileOnceAndReusesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/master.key");
        var props = TestProperties.of(Map.of("traceflow.auth.master-key-file", file.toString()));
        MasterKey first = new MasterKey(props);
        String sealed = first.encrypt(new byte[] {1, 2, 3}, "x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(new MasterKey(props).decrypt(sealed, "x")).containsExactly(1, 2, 3);
    }

    @Test
    void configuredKey_mustBe32BytesOfBase64() {
        String good = Base64.getEncoder().encodeToString(new byte[32]);
        new MasterKey(TestProperties.of(Map.of("traceflow.auth.master-key", good)));
        assertThatThrownBy(() -> new MasterKey(TestProperties.of(Map.of("traceflow.auth.master-key", "c2hvcnQ="))))
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new MasterKey(TestProperties.of(Map.of("traceflow.auth.master-key", "%%%not-base64"))))
                .hasMessageContaining("base64");
    }
}
