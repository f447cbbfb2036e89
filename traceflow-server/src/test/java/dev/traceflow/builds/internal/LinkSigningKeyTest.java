package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key of signed artifact links outlives the process: what one start signs, the next start accepts. */
class LinkSigningKeyTest {

    @TempDir
    Path dataDir;

    private static final String LINK = "0b6a3f52-1d2e-4c7a-9b1e-3f2a6d8c9e01\nalice\n1764900000";

    @Test
    void aLinkSignedBeforeARestart_isAcceptedAfterIt_withTheKeyGeneratedOnceIntoAnOwnerOnlyFile() throws Exception {
        Path builds = dataDir.resolve("builds");
        LinkSigningKey first = LinkSigningKey.load("", builds);
        String signature = first.sign(LINK);

        Path file = builds.resolve(LinkSigningKey.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        try (var files = Files.list(builds)) {
            assertThat(files).containsExactly(file); // no temporary file left beside it
        }

        LinkSigningKey afterRestart = LinkSigningKey.load(null, builds);
        assertThat(afterRestart.verifies(LINK, signature)).isTrue();
        assertThat(afterRestart.sign(LINK)).isEqualTo(signature);
    }

    @Test
    void tamperedLinksAndSignatures_areRefused() {
        LinkSigningKey key = LinkSigningKey.load("", dataDir);
        String signature = key.sign(LINK);
        assertThat(key.verifies(LINK.replace("alice", "mallory"), signature)).isFalse();
        assertThat(key.verifies(LINK.replace("1764900000", "9764900000"), signature)).isFalse();
        assertThat(key.verifies(LINK, signature.substring(1) + "0")).isFalse();
        assertThat(key.verifies(LINK, null)).isFalse();
    }

    @Test
    void aConfiguredKey_isUsedInsteadOfAFile_andAnotherKeyRefusesItsLinks() {
        String configured = Base64.getEncoder().encodeToString("k".repeat(32).getBytes());
        LinkSigningKey fromSetting = LinkSigningKey.load(configured, dataDir.resolve("a"));
        assertThat(dataDir.resolve("a").resolve(LinkSigningKey.FILE)).doesNotExist();
        // a second server given the same setting accepts the first one's links; a generated key does not
        assertThat(LinkSigningKey.load(configured, dataDir.resolve("b")).verifies(LINK, fromSetting.sign(LINK))).isTrue();
        assertThat(LinkSigningKey.load("", dataDir.resolve("c")).verifies(LINK, fromSetting.sign(LINK))).isFalse();
    }

    @Test
    void aConfiguredKeyThatIsShortOrNotBase64_stopsTheStart() {
        assertThatThrownBy(() -> LinkSigningKey.load(Base64.getEncoder().encodeToString(new byte[16]), dataDir))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> LinkSigningKey.load("not base64!", dataDir))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not base64")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not base64!"));
    }
}
