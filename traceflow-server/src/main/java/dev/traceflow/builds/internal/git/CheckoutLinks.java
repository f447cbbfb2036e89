package dev.traceflow.builds.internal.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where a symbolic link of a checkout leads, followed one name at a time through the links it
 * meets (as the kernel would), without needing its target to exist: the check that keeps a
 * checked-out tree from pointing outside itself (zip-slip through links).
 */
final class CheckoutLinks {

    /** Links followed before a path counts as a loop (the kernel's limit is 40 too). */
    private static final int MAX_HOPS = 40;

    private CheckoutLinks() {
    }

    /**
     * @param root the checkout's real path ({@link Path#toRealPath})
     * @param link a symbolic link inside it
     * @return whether following the link, and every link it leads through, stays inside {@code root};
     *         false for absolute targets, loops, and any step above {@code root}
     */
    static boolean staysInside(Path root, Path link) throws IOException {
        Path current = link.getParent().toRealPath();
        Path first = Files.readSymbolicLink(link);
        if (first.isAbsolute()) {
            return false;
        }
        Deque<String> names = new ArrayDeque<>();
        push(names, first);
        int hops = 0;
        while (!names.isEmpty()) {
            String name = names.pop();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                current = current.getParent();
            } else {
                Path next = current.resolve(name);
                if (Files.isSymbolicLink(next)) {
                    Path target = Files.readSymbolicLink(next);
                    if (target.isAbsolute() || ++hops > MAX_HOPS) {
                        return false;
                    }
                    push(names, target);
                    continue;
                }
                current = next;
            }
            if (current == null || !current.startsWith(root)) {
                return false;
            }
        }
        return true;
    }

    /** Puts a link's names in front of the ones still to follow, in order. */
    private static void push(Deque<String> names, Path target) {
        for (int i = target.getNameCount() - 1; i >= 0; i--) {
            names.push(target.getName(i).toString());
        }
    }
}
