package dev.traceflow.builds.internal.run;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs build commands in a bubblewrap sandbox (issue 21, item 5), or, when the settings say
 * {@code none} explicitly, as plain child processes with the same limits on time and output.
 * <p>
 * In the sandbox a command sees a read-only root: {@code /usr} and the system links, a few files
 * of {@code /etc} (name resolution, certificates, users), its own {@code /proc}, {@code /dev} and a
 * size-limited {@code /tmp}, its checkout as the only writable tree, at the same path, and the spec's read-only
 * directories (the checkouts a source depends on), each at its own path. It runs
 * in new user, pid, ipc, uts, cgroup and (unless the spec allows network) network namespaces, so
 * it sees no host process, cannot reach a loopback service and, being pid 1's child in its own pid
 * namespace, leaves nothing behind: when bubblewrap ends, the kernel ends every process of the
 * namespace. When the server runs as root it drops to {@link SandboxProperties#uid()} (setpriv)
 * before bubblewrap starts, with {@code RLIMIT_NPROC} set (prlimit), and hands it the checkout;
 * bubblewrap then has no capability on the host at all.
 * <p>
 * The argument list goes to {@code execve} as is, never through a shell; the environment is the
 * spec's only (the server's own is not inherited).
 */
@Component
public class SandboxedCommandRunner implements CommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxedCommandRunner.class);

    /** system entries that are symlinks into /usr on merged-/usr systems, or directories to bind elsewhere */
    private static final List<String> SYSTEM_PATHS = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");
    /** what programs need of /etc: name resolution, TLS roots, users and groups, the time zone, Debian's alternatives */
    private static final List<String> ETC_PATHS = List.of("/etc/alternatives", "/etc/ssl", "/etc/ca-certificates",
            "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/localtime",
            "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d");

    private final SandboxProperties settings;
    private final RunnerMeters meters;
    private final boolean asRoot;

    public SandboxedCommandRunner(SandboxProperties settings, MeterRegistry registry) {
        this.settings = settings;
        this.meters = new RunnerMeters(registry);
        this.asRoot = runsAsRoot();
        if (settings.mode() == SandboxProperties.Mode.NONE) {
            LOG.warn("Build commands run WITHOUT a sandbox (traceflow.builds.sandbox.mode=none): they can read and write "
                    + "whatever the server's user can, and reach the network");
        } else if (!Files.isExecutable(settings.bwrap())) {
            LOG.warn("Bubblewrap is not at {}: builds will fail until it is installed (apt-get install bubblewrap) "
                    + "or traceflow.builds.sandbox.mode=none is set", settings.bwrap());
        }
    }

    /** The server's own uid is 0: then it drops to the sandbox user itself (bubblewrap would keep root's uid outside). */
    public static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    @Override
    public RunningCommand start(CommandSpec spec, OutputListener output) throws IOException {
        check(spec);
        Path checkout = spec.checkout().toAbsolutePath().normalize();
        List<String> argv = switch (settings.mode()) {
            case NONE -> List.copyOf(spec.argv());
            case BWRAP -> sandboxed(spec, checkout);
        };
        ProcessBuilder builder = new ProcessBuilder(argv).directory(checkout.toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = builder.start();
        meters.started();
        return new RunningProcess(process, spec, output, settings.mode() == SandboxProperties.Mode.BWRAP, settings.gracePeriod(),
                (int) settings.maxLineBytes().toBytes(), meters);
    }

    private static void check(CommandSpec spec) throws IOException {
        if (spec.argv() == null || spec.argv().isEmpty() || spec.argv().getFirst().isEmpty()) {
            throw new IllegalArgumentException("a command needs at least its program");
        }
        if (spec.argv().stream().anyMatch(a -> a == null || a.indexOf('\0') >= 0)
                || spec.environment().entrySet().stream().anyMatch(e -> e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0
                || e.getKey().indexOf('\0') >= 0 || e.getValue() == null || e.getValue().indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("arguments and environment entries may not hold NUL characters (nor names '=')");
        }
        if (spec.timeout() == null || spec.timeout().isNegative() || spec.timeout().isZero() || spec.maxOutputBytes() <= 0
                || spec.maxProcesses() <= 0) {
            throw new IllegalArgumentException("a command needs a positive timeout, output limit and process limit");
        }
        if (!Files.isDirectory(spec.checkout(), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the checkout " + spec.checkout() + " is not a directory");
        }
    }

    private List<String> sandboxed(CommandSpec spec, Path checkout) throws IOException {
        if (!Files.isExecutable(settings.bwrap())) {
            throw new IOException("bubblewrap is not installed at " + settings.bwrap()
                    + " (apt-get install bubblewrap), and the sandbox mode is bwrap");
        }
        List<String> argv = new ArrayList<>();
        if (asRoot) {
            checkReachable(checkout, settings.uid());
            giveTo(checkout, settings.uid(), settings.gid());
            argv.addAll(List.of("/usr/bin/prlimit", "--nproc=" + spec.maxProcesses() + ":" + spec.maxProcesses(), "--",
                    "/usr/bin/setpriv", "--reuid=" + settings.uid(), "--regid=" + settings.gid(), "--clear-groups", "--"));
        } else {
            argv.addAll(List.of("/usr/bin/prlimit", "--nproc=" + spec.maxProcesses() + ":" + spec.maxProcesses(), "--"));
        }
        argv.add(settings.bwrap().toString());
        argv.addAll(List.of("--unshare-all", spec.network() ? "--share-net" : "--unshare-net", "--die-with-parent",
                "--new-session", "--ro-bind", "/usr", "/usr"));
        for (String path : SYSTEM_PATHS) {
            Path p = Path.of(path);
            if (Files.isSymbolicLink(p)) {
                argv.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), path));
            } else if (Files.isDirectory(p)) {
                argv.addAll(List.of("--ro-bind", path, path));
            }
        }
        for (String path : ETC_PATHS) {
            argv.addAll(List.of("--ro-bind-try", path, path));
        }
        for (Path path : settings.readOnlyPaths()) {
            argv.addAll(List.of("--ro-bind-try", path.toAbsolutePath().normalize().toString(), path.toAbsolutePath().normalize().toString()));
        }
        argv.addAll(List.of("--proc", "/proc", "--dev", "/dev",
                "--size", Long.toString(settings.tmpSize().toBytes()), "--tmpfs", "/tmp",
                "--bind", checkout.toString(), checkout.toString()));
        for (Path dir : spec.readOnly()) {
            Path d = dir.toAbsolutePath().normalize();
            argv.addAll(List.of("--ro-bind", d.toString(), d.toString()));
        }
        argv.addAll(List.of(
                // the directories bubblewrap made on its root to reach the checkout stay read-only
                "--remount-ro", "/",
                "--chdir", checkout.toString(), "--"));
        argv.addAll(spec.argv());
        return argv;
    }

    /**
     * Bubblewrap runs as the sandbox user, so it must be able to walk to the checkout: every directory
     * above it needs search permission for others (o+x; reading their listing is not needed).
     */
    private static void checkReachable(Path checkout, int uid) throws IOException {
        for (Path dir = checkout.getParent(); dir != null; dir = dir.getParent()) {
            if (!Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException("the sandbox user " + uid + " cannot reach the checkout " + checkout + ": " + dir
                        + " needs search permission for others (chmod o+x)");
            }
        }
    }

    /** The checkout becomes the sandbox user's; symlinks are changed themselves, never what they point to. */
    private static void giveTo(Path checkout, int uid, int gid) throws IOException {
        UserPrincipalLookupService users = checkout.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = users.lookupPrincipalByName(Integer.toString(uid));
        GroupPrincipal group = users.lookupPrincipalByGroupName(Integer.toString(gid));
        try (Stream<Path> tree = Files.walk(checkout)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }
}
