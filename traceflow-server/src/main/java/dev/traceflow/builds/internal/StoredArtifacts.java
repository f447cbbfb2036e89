package dev.traceflow.builds.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The output and verify steps of a build, the same for in-process workers and for archives that
 * remote workers upload: the archive goes into the {@link ArtifactStore}, is read back from it, and is
 * kept only when what was stored is the packed archive (its sha256, and every entry a safe plain file
 * matching the manifest). A stored artifact that does not verify is deleted before the failure is
 * reported, so a build never names an artifact that is not its own.
 */
final class StoredArtifacts {

    private StoredArtifacts() {
    }

    /**
     * @param maxUnpackedBytes the most the archive's entries may add up to when read back
     * @return the stored artifact's reference
     * @throws ArtifactPackager.BadArchive when the archive or the stored object does not verify (nothing kept)
     */
    static String storeVerified(ArtifactStore store, String buildId, Path archive, String sha256, long size, long maxUnpackedBytes)
            throws IOException, ArtifactPackager.BadArchive {
        String ref;
        try {
            ref = store.put(buildId, archive, sha256, size);
        } catch (ArtifactStore.DigestMismatch e) {
            throw new ArtifactPackager.BadArchive(e.getMessage());
        }
        try {
            long stored = store.length(ref).orElseThrow(() -> new ArtifactPackager.BadArchive("the stored artifact is missing"));
            if (stored != size) {
                throw new ArtifactPackager.BadArchive("the stored artifact has " + stored + " bytes, not " + size);
            }
            String storedSha;
            try (InputStream in = store.open(ref, 0, stored)) {
                storedSha = ArtifactPackager.verify(in, maxUnpackedBytes);
            }
            if (!storedSha.equals(sha256)) {
                throw new ArtifactPackager.BadArchive("sha256 " + storedSha + " of the stored archive is not the packed " + sha256);
            }
            return ref;
        } catch (ArtifactPackager.BadArchive | IOException | RuntimeException e) {
            try {
                store.delete(ref);
            } catch (IOException | RuntimeException notDeleted) {
                e.addSuppressed(notDeleted);
            }
            throw e;
        }
    }
}
