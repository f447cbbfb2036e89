package dev.traceflow.builds.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Where build artifacts are kept (issue 21 item 7): one archive per build, named by a reference that
 * the store hands out ({@code local:<build id>/artifact.tar.gz}, {@code s3:<build id>/artifact.tar.gz}).
 * Chosen by {@code traceflow.builds.artifacts.type}: {@link LocalArtifactStore} (the default) or
 * {@link S3ArtifactStore}. Every method takes references of its own kind only: another store's
 * reference, or one whose build id is not a build id, is treated as missing and never reaches the
 * file system or the bucket. Implementations are thread-safe.
 */
interface ArtifactStore {

    /**
     * Stores a packed archive as the build's artifact, replacing an earlier one of the same build.
     * The bytes stored are exactly the file's: its sha256 and size are checked against the expected
     * ones before the artifact becomes visible, and nothing is kept when they differ.
     *
     * @return the artifact's reference
     * @throws DigestMismatch when the file is not the expected sha256 or size (nothing stored)
     * @throws IllegalArgumentException when {@code buildId} is not a build id
     */
    String put(String buildId, Path archive, String sha256, long size) throws IOException;

    /** The stored artifact's size in bytes; empty when there is none under that reference. */
    OptionalLong length(String ref) throws IOException;

    /** Whether an artifact is stored under the reference. */
    default boolean exists(String ref) throws IOException {
        return length(ref).isPresent();
    }

    /**
     * Opens {@code length} bytes of the stored artifact from {@code offset} (both within the
     * artifact: callers check against {@link #length}). The caller closes the stream.
     *
     * @throws java.nio.file.NoSuchFileException when there is no artifact under the reference
     */
    InputStream open(String ref, long offset, long length) throws IOException;

    /** Removes the artifact. @return whether there was one */
    boolean delete(String ref) throws IOException;

    /** The archive to store is not the one expected; the message names both digests or sizes. */
    final class DigestMismatch extends IOException {
        DigestMismatch(String message) {
            super(message);
        }
    }
}
