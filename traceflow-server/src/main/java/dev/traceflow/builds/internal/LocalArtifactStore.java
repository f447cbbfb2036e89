package dev.traceflow.builds.internal;

import org.apache.commons.io.input.BoundedInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The artifact store on the local file system (the default): one archive per build under
 * {@code <root>/<build id>/artifact.tar.gz}, where root is {@code traceflow.builds.queue.artifacts-dir}
 * or {@code <data-dir>/builds/artifacts}. An archive is copied to a temporary file beside its target
 * while it is hashed, and moved into place only when it is the expected one, so a reader never sees
 * a half-written or wrong artifact.
 */
final class LocalArtifactStore implements ArtifactStore {

    private static final String PREFIX = "local:";

    private final Path root;

    LocalArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String put(String buildId, Path archive, String sha256, long size) throws IOException {
        Path dir = root.resolve(ArtifactRefs.checkedBuildId(buildId));
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "upload-", ".part");
        try {
            MessageDigest digest = ArtifactRefs.sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), digest)) {
                Files.copy(archive, out);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            long actualSize = Files.size(temp);
            if (!actual.equals(sha256) || actualSize != size) {
                throw new DigestMismatch("the archive is sha256 " + actual + ", " + actualSize + " bytes; expected " + sha256
                        + ", " + size + " bytes");
            }
            Path target = dir.resolve(ArtifactRefs.FILE);
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return PREFIX + ArtifactRefs.name(buildId);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public OptionalLong length(String ref) throws IOException {
        Optional<Path> file = file(ref);
        if (file.isEmpty() || !Files.isRegularFile(file.get())) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Files.size(file.get()));
    }

    @Override
    public InputStream open(String ref, long offset, long length) throws IOException {
        Path file = file(ref).orElseThrow(() -> new NoSuchFileException(String.valueOf(ref)));
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            channel.position(offset);
            return BoundedInputStream.builder().setInputStream(Channels.newInputStream(channel)).setMaxCount(length).get();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public boolean delete(String ref) throws IOException {
        Optional<Path> file = file(ref);
        if (file.isEmpty()) {
            return false;
        }
        boolean deleted = Files.deleteIfExists(file.get());
        try {
            Files.deleteIfExists(file.get().getParent());
        } catch (DirectoryNotEmptyException e) {
            // an upload of the same build is being written beside it: its folder stays
        }
        return deleted;
    }

    /** The file of one of this store's references; empty for any other reference. */
    private Optional<Path> file(String ref) {
        return ArtifactRefs.buildId(PREFIX, ref).map(id -> root.resolve(id).resolve(ArtifactRefs.FILE));
    }

    @Override
    public String toString() {
        return "local artifact store at " + root;
    }
}
