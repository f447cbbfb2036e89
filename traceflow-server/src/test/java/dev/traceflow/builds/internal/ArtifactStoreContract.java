package dev.traceflow.builds.internal;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ArtifactStore} does, written once and run against each one: the local store
 * ({@code LocalArtifactStoreTest}) and S3 against a real s3proxy ({@code S3ArtifactStoreIT}).
 * Stored bytes come back whole and by range; a wrong sha256 or size stores nothing; missing
 * artifacts and foreign references read as missing; the verify step reads the stored object back.
 */
abstract class ArtifactStoreContract {

    @TempDir
    Path dir;

    /** The store under test; each test uses new build ids, so stores may be shared between tests. */
    protected abstract ArtifactStore store();

    /** The kind of reference the store hands out ({@code "local:"}). */
    protected abstract String refPrefix();

    @Test
    void put_storesTheBytes_thatComeBackWholeAndByRange() throws Exception {
        byte[] bytes = bytes(200_000);
        String build = UUID.randomUUID().toString();
        String ref = store().put(build, file(bytes), ArtifactPackager.sha256(file(bytes)), bytes.length);

        assertThat(ref).isEqualTo(refPrefix() + build + "/artifact.tar.gz");
        assertThat(store().exists(ref)).isTrue();
        assertThat(store().length(ref)).hasValue(bytes.length);
        assertThat(read(ref, 0, bytes.length)).isEqualTo(bytes);
        assertThat(read(ref, 0, 10)).isEqualTo(slice(bytes, 0, 10));
        assertThat(read(ref, 123_456, 1000)).isEqualTo(slice(bytes, 123_456, 1000));
        assertThat(read(ref, bytes.length - 1, 1)).isEqualTo(slice(bytes, bytes.length - 1, 1));
        assertThat(read(ref, 5, 0)).isEmpty();
    }

    @Test
    void put_again_replacesTheBuildsArtifact() throws Exception {
        String build = UUID.randomUUID().toString();
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);
        byte[] second = "the second archive".getBytes(StandardCharsets.UTF_8);
        String ref = store().put(build, file(first), ArtifactPackager.sha256(file(first)), first.length);
        assertThat(store().put(build, file(second), ArtifactPackager.sha256(file(second)), second.length)).isEqualTo(ref);
        assertThat(read(ref, 0, second.length)).isEqualTo(second);
    }

    @Test
    void put_ofAnArchiveThatIsNotTheExpectedOne_storesNothing() throws Exception {
        byte[] bytes = bytes(5000);
        Path f = file(bytes);
        String sha = ArtifactPackager.sha256(f);
        String build = UUID.randomUUID().toString();
        assertThatThrownBy(() -> store().put(build, f, "0".repeat(64), bytes.length)).isInstanceOf(ArtifactStore.DigestMismatch.class)
                .hasMessageContaining(sha);
        assertThatThrownBy(() -> store().put(build, f, sha, bytes.length + 1)).isInstanceOf(ArtifactStore.DigestMismatch.class);
        assertThat(store().exists(refPrefix() + build + "/artifact.tar.gz")).isFalse();
        assertThatThrownBy(() -> store().put("../../etc", f, sha, bytes.length)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void missingArtifacts_andForeignReferences_readAsMissing() throws Exception {
        String missing = refPrefix() + UUID.randomUUID() + "/artifact.tar.gz";
        assertThat(store().length(missing)).isEqualTo(OptionalLong.empty());
        assertThat(store().exists(missing)).isFalse();
        assertThat(store().delete(missing)).isFalse();
        assertThatThrownBy(() -> store().open(missing, 0, 10)).isInstanceOf(NoSuchFileException.class);

        byte[] bytes = bytes(100);
        String build = UUID.randomUUID().toString();
        store().put(build, file(bytes), ArtifactPackager.sha256(file(bytes)), bytes.length);
        for (String foreign : List.of("other:" + build + "/artifact.tar.gz", refPrefix() + build + "/other.tar.gz",
                refPrefix() + "../" + build + "/artifact.tar.gz", refPrefix() + "../../../../etc/passwd/artifact.tar.gz", "")) {
            assertThat(store().exists(foreign)).as(foreign).isFalse();
            assertThatThrownBy(() -> store().open(foreign, 0, 1)).as(foreign).isInstanceOf(NoSuchFileException.class);
            assertThat(store().delete(foreign)).as(foreign).isFalse();
        }
        assertThat(store().exists(null)).isFalse();
    }

    @Test
    void delete_removesTheArtifact() throws Exception {
        byte[] bytes = bytes(1000);
        String ref = store().put(UUID.randomUUID().toString(), file(bytes), ArtifactPackager.sha256(file(bytes)), bytes.length);
        assertThat(store().delete(ref)).isTrue();
        assertThat(store().exists(ref)).isFalse();
        assertThat(store().delete(ref)).isFalse();
        assertThatThrownBy(() -> store().open(ref, 0, 10)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void storeVerified_keepsAnArchiveThatVerifiesWhenReadBack() throws Exception {
        Path archive = archive("web/index.html", "<h1>shop</h1>");
        String build = UUID.randomUUID().toString();
        String ref = StoredArtifacts.storeVerified(store(), build, archive, ArtifactPackager.sha256(archive), Files.size(archive), 1_000_000);
        assertThat(store().length(ref)).hasValue(Files.size(archive));
    }

    @Test
    void storeVerified_refusesAZipSlipArchive_andKeepsNothing() throws Exception {
        Path archive = archive("../../etc/cron.d/evil", "boom");
        String build = UUID.randomUUID().toString();
        assertThatThrownBy(() -> StoredArtifacts.storeVerified(store(), build, archive, ArtifactPackager.sha256(archive),
                Files.size(archive), 1_000_000)).isInstanceOf(ArtifactPackager.BadArchive.class).hasMessageContaining("unsafe name");
        assertThat(store().exists(refPrefix() + build + "/artifact.tar.gz")).isFalse();
    }

    /** The verify step checks what the store gives back, not the file it was handed: a store that garbles reads fails it. */
    @Test
    void storeVerified_readsTheStoredObjectBack_andDeletesOneThatDoesNotVerify() throws Exception {
        Path archive = archive("web/index.html", "<h1>shop</h1>");
        String build = UUID.randomUUID().toString();
        ArtifactStore garbling = new ArtifactStore() {
            @Override
            public String put(String buildId, Path a, String sha256, long size) throws IOException {
                return store().put(buildId, a, sha256, size);
            }

            @Override
            public OptionalLong length(String ref) throws IOException {
                return store().length(ref);
            }

            @Override
            public InputStream open(String ref, long offset, long length) throws IOException {
                try (InputStream in = store().open(ref, offset, length)) {
                    byte[] b = in.readAllBytes();
                    b[b.length - 20] ^= 0x55; // a flipped bit in the gzip stream's tail
                    return new ByteArrayInputStream(b);
                }
            }

            @Override
            public boolean delete(String ref) throws IOException {
                return store().delete(ref);
            }
        };
        assertThatThrownBy(() -> StoredArtifacts.storeVerified(garbling, build, archive, ArtifactPackager.sha256(archive),
                Files.size(archive), 1_000_000)).isInstanceOf(ArtifactPackager.BadArchive.class);
        assertThat(store().exists(refPrefix() + build + "/artifact.tar.gz")).isFalse();
    }

    private byte[] read(String ref, long offset, long length) throws IOException {
        try (InputStream in = store().open(ref, offset, length)) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(n).nextBytes(b);
        return b;
    }

    private static byte[] slice(byte[] b, int from, int length) {
        return java.util.Arrays.copyOfRange(b, from, from + length);
    }

    private Path file(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "a", ".bin"), bytes);
    }

    /** A tar.gz with a manifest listing its one file, as the package step writes it. */
    private Path archive(String name, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        byte[] manifest = ("{\"files\":[{\"path\":\"" + name + "\",\"size\":" + bytes.length + ",\"sha256\":\"" + sha + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        Path out = Files.createTempFile(dir, "artifact", ".tar.gz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(out)))) {
            for (var e : List.of(java.util.Map.entry(ArtifactPackager.MANIFEST, manifest), java.util.Map.entry(name, bytes))) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out;
    }
}
