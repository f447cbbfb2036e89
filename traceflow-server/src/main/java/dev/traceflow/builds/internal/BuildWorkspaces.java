package dev.traceflow.builds.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where builds are checked out when {@code traceflow.builds.queue.workspaces-dir} is not set.
 * <p>
 * A server that runs as root runs each build step as the sandbox user, who must walk to the checkout;
 * the data dir is owner-only ({@code DataDirectory}), so a checkout below it could never be reached and
 * every build failed in its build step. Opening the data dir to others would expose the metadata
 * database's files, which keep the default umask. So such a server checks out under the system's
 * temporary directory instead, in a folder of its own ({@code rwx--x--x}: others may pass through,
 * not list), named after the data dir so two servers never share one; a folder of that name that
 * another user made first, or a symbolic link there, is refused, since its owner could swap the
 * checkouts. A server that builds as its own user keeps its checkouts in the data dir.
 */
final class BuildWorkspaces {

    private BuildWorkspaces() {
    }

    static Path defaultDir(Path dataDir, boolean buildsRunAsAnotherUser) {
        if (!buildsRunAsAnotherUser) {
            return dataDir.resolve("builds").resolve("workspaces");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "traceflow-workspaces-" + shortHash(dataDir.toAbsolutePath().normalize()));
    }

    /**
     * Makes the folder if it is missing (others may pass through it, not list it), and checks that one
     * under a shared temporary directory is ours: a real directory this process's user owns.
     *
     * @throws IOException naming the folder and why it cannot hold checkouts
     */
    static void prepare(Path workspaces) throws IOException {
        if (!Files.exists(workspaces, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(workspaces.getParent());
            try {
                Files.createDirectory(workspaces, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            } catch (FileAlreadyExistsException raced) {
                // another build made it meanwhile: checked below like any existing one
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(workspaces);
                return;
            }
        }
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(workspaces, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException notPosix) {
            return;
        }
        if (!attributes.isDirectory()) {
            throw new IOException("the build workspaces folder " + workspaces + " is not a directory (a symbolic link or a file is there)");
        }
        String me = workspaces.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name")).getName();
        if (!attributes.owner().getName().equals(me)) {
            throw new IOException("the build workspaces folder " + workspaces + " belongs to " + attributes.owner().getName()
                    + ", not to the server's user: remove it, or set TRACEFLOW_BUILDS_QUEUE_WORKSPACES_DIR");
        }
    }

    private static String shortHash(Path dataDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(dataDir.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
