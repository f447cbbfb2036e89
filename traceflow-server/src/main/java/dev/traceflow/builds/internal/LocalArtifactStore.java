package dev.traceflow.builds.internal;

import dev.traceflow.TraceFlowProperties;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The artifact store on the local file system (issue 21 item 7, the default): one archive per build
 * under {@code <data-dir>/builds/artifacts/<build id>/artifact.tar.gz}. References are
 * {@code local:<build id>/artifact.tar.gz}; a reference is only ever resolved after its build id is
 * checked, so no reference reaches outside the store.
 */
@Component
class LocalArtifactStore {

    private static final Pattern BUILD_ID = Pattern.compile("[0-9a-f-]{36}");
    private static final String FILE = "artifact.tar.gz";

    private final Path root;

    LocalArtifactStore(BuildQueueProperties settings, TraceFlowProperties properties) {
        this.root = (settings.artifactsDir() != null ? settings.artifactsDir()
                : properties.dataDir().resolve("builds").resolve("artifacts")).toAbsolutePath().normalize();
    }

    /** Moves a packed archive into the store (atomically where the file system can). @return its reference */
    String put(String buildId, Path archive) throws IOException {
        Path dir = root.resolve(checked(buildId));
        Files.createDirectories(dir);
        Path target = dir.resolve(FILE);
        Path temp = Files.createTempFile(dir, "upload-", ".part");
        Files.copy(archive, temp, StandardCopyOption.REPLACE_EXISTING);
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return "local:" + buildId + "/" + FILE;
    }

    /** The stored file of a reference, if the reference is one of this store's and the file is there. */
    Optional<Path> file(String ref) {
        if (ref == null || !ref.startsWith("local:") || !ref.endsWith("/" + FILE)) {
            return Optional.empty();
        }
        String buildId = ref.substring("local:".length(), ref.length() - FILE.length() - 1);
        if (!BUILD_ID.matcher(buildId).matches()) {
            return Optional.empty();
        }
        Path p = root.resolve(buildId).resolve(FILE);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    private static String checked(String buildId) {
        if (!BUILD_ID.matcher(buildId).matches()) {
            throw new IllegalArgumentException("not a build id");
        }
        return buildId;
    }
}
