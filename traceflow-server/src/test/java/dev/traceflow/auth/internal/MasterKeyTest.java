package dev.traceflow.auth.internal;

import dev.traceflow.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(OutputCaptureExtension.class)
class MasterKeyTest {

    /**
     * Test Case 15 of the GCM specification McGrew and Viega submitted to NIST ("The Galois/Counter
     * Mode of Operation (GCM)", revised 2005): AES-256, 96-bit IV, no associated data, 128-bit tag.
     * Reproduced here with Python's cryptography 48.0.0 (AESGCM), which gave the same bytes.
     */
    private static final byte[] KEY = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    private static final byte[] IV = hex("cafebabefacedbaddecaf888");
    private static final byte[] PLAIN = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
    private static final byte[] CIPHER_AND_TAG = hex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad" + "b094dac5d93471bdec1a502270e3cc6c");
    /**
     * The same key and IV sealing "secret signing key" with the id "kid-1" as associated data, as
     * MasterKey lays it out (base64 of IV + ciphertext + tag), computed with Python's cryptography
     * 48.0.0: base64.b64encode(iv + AESGCM(key).encrypt(iv, b"secret signing key", b"kid-1")).
     */
    private static final String SEALED_WITH_ID = "yv66vvrO263eyviI+HmQpwSmW5E4QVAP6xZEjIfkDgZLbxWvsMCeKEEejp8Lgw==";

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /** Hands out {@link #IV} as the nonce, so sealing gives known bytes. */
    private static SecureRandom fixedNonce() {
        return new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(IV, 0, bytes, 0, bytes.length);
            }
        };
    }

    private static String base64(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return Base64.getEncoder().encodeToString(all.toByteArray());
    }

    @Test
    void seals_asAes256GcmWithTheIdAsAssociatedData_byKnownAnswers() {
        MasterKey key = MasterKey.of(KEY, fixedNonce());

        assertThat(key.encrypt(PLAIN, "")).isEqualTo(base64(IV, CIPHER_AND_TAG));
        assertThat(key.decrypt(base64(IV, CIPHER_AND_TAG), "")).isEqualTo(PLAIN);
        assertThat(key.encrypt("secret signing key".getBytes(StandardCharsets.UTF_8), "kid-1")).isEqualTo(SEALED_WITH_ID);
        assertThat(MasterKey.of(KEY).decrypt(SEALED_WITH_ID, "kid-1")).asString(StandardCharsets.UTF_8)
                .isEqualTo("secret signing key");
    }

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

    /** A key file mounted as a secret (read-only, outside the data dir) is read as it is, and nothing is said. */
    @Test
    void aMountedKeyFileOutsideTheDataDir_isReadWithoutWarning(@TempDir Path dir, CapturedOutput output) throws Exception {
        Path secret = dir.resolve("secrets/master.key");
        Files.createDirectories(secret.getParent());
        Files.writeString(secret, Base64.getEncoder().encodeToString(new byte[32]));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("r--------"));
        var props = TestProperties.of(Map.of("traceflow.auth.master-key-file", secret.toString(),
                "traceflow.data-dir", dir.resolve("data").toString()));
        String sealed = MasterKey.of(new byte[32]).encrypt(new byte[] {7}, "x");
        assertThat(new MasterKey(props).decrypt(sealed, "x")).containsExactly(7);
        assertThat(output.getOut()).doesNotContain("inside the data dir");
    }

    /** A copy of the data dir alone would unseal the signing keys: the server says so at start. */
    @Test
    void aKeyFileInsideTheDataDir_isWarnedAbout(@TempDir Path dir, CapturedOutput output) {
        var props = TestProperties.of(Map.of("traceflow.auth.master-key-file", dir.resolve("data/master.key").toString(),
                "traceflow.data-dir", dir.resolve("data").toString()));
        new MasterKey(props);
        assertThat(output.getOut()).contains("is inside the data dir").contains("TRACEFLOW_MASTER_KEY_FILE");
        var configured = TestProperties.of(Map.of("traceflow.auth.master-key", Base64.getEncoder().encodeToString(new byte[32]),
                "traceflow.data-dir", dir.resolve("data").toString()));
        assertThat(MasterKey.insideDataDir(configured.auth(), configured.dataDir())).as("a key from the environment").isFalse();
    }

    @Test
    void theGeneratedKeysFolder_isOwnerOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fresh/master.key");
        new MasterKey(TestProperties.of(Map.of("traceflow.auth.master-key-file", file.toString())));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }
}
