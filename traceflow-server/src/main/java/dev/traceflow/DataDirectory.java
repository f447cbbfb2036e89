package dev.traceflow;

import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates the data dir owner-only ({@code rwx------}) before anything writes into it (H2, DuckDB,
 * the journal, a generated master key): whatever modes those files get, other users of the
 * machine cannot reach them. An existing data dir that others may enter is left as the operator
 * made it, with a warning.
 */
public class DataDirectory implements EnvironmentPostProcessor, Ordered {

    private static final Set<PosixFilePermission> OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);

    private final Log log;

    public DataDirectory(DeferredLogFactory logs) {
        this.log = logs.getLog(DataDirectory.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String dir = environment.getProperty("traceflow.data-dir");
        if (dir != null && !dir.isBlank()) {
            prepare(Path.of(dir));
        }
    }

    /** Creates {@code dir} (and missing parents) owner-only, or warns when an existing one is open to others. */
    void prepare(Path dir) {
        try {
            if (!Files.exists(dir)) {
                createOwnerOnly(dir);
                return;
            }
            Set<PosixFilePermission> modes = Files.getPosixFilePermissions(dir);
            if (modes.stream().anyMatch(OTHERS::contains)) {
                log.warn("The data dir " + dir + " is open to other users (" + PosixFilePermissions.toString(modes)
                        + "): it holds the metadata database and, unless kept apart, the master key; chmod 700 it");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the operator's ACLs decide
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data dir " + dir, e);
        }
    }

    /** Creates a directory (and missing parents) readable by its owner only, where the file system knows modes. */
    public static void createOwnerOnly(Path dir) throws IOException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /** After the config files and the environment are read, so the data dir is the one the server will use. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
