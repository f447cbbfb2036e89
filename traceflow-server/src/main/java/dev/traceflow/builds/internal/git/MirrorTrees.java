package dev.traceflow.builds.internal.git;

import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A verified commit's tree written out as files (for {@link GitRemote#checkout}): no history, nothing outside the target. */
final class MirrorTrees {

    private MirrorTrees() {
    }

    /**
     * Symbolic links whose target leaves {@code target}, and submodules, are left out.
     *
     * @return the number of files written
     * @throws GitUnavailable when the files would hold more than {@code maxBytes} together
     */
    static int write(Repository repo, RevCommit c, Path target, long maxBytes) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        Files.createDirectories(root);
        int files = 0;
        long bytes = 0;
        List<Path> links = new ArrayList<>();
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(c.getTree());
            tw.setRecursive(true);
            while (tw.next()) {
                FileMode mode = tw.getFileMode(0);
                Path out = root.resolve(tw.getPathString()).normalize();
                if (!out.startsWith(root) || mode == FileMode.GITLINK) {
                    continue;
                }
                Files.createDirectories(out.getParent());
                ObjectLoader loader = repo.open(tw.getObjectId(0));
                bytes += loader.getSize();
                if (bytes > maxBytes) {
                    throw new GitUnavailable("the checkout is larger than " + maxBytes + " bytes");
                }
                if (mode == FileMode.SYMLINK) {
                    Path link = Path.of(new String(loader.getBytes(), StandardCharsets.UTF_8));
                    if (!link.isAbsolute() && out.getParent().resolve(link).normalize().startsWith(root)) {
                        Files.createSymbolicLink(out, link);
                        links.add(out);
                    }
                    continue;
                }
                try (var in = loader.openStream()) {
                    Files.copy(in, out);
                }
                if (mode == FileMode.EXECUTABLE_FILE) {
                    out.toFile().setExecutable(true, false);
                }
                files++;
            }
        }
        // a link's text can look inside and still lead out through another link ("c/.." where c -> ".."):
        // once every link exists, each is followed for real, and one that leaves the checkout is removed
        Path realRoot = root.toRealPath();
        for (Path link : links) {
            if (!CheckoutLinks.staysInside(realRoot, link)) {
                Files.delete(link);
            }
        }
        return files;
    }
}
