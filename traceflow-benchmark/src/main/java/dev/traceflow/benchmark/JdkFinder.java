package dev.traceflow.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Finds a JDK new enough to run the server, the same way {@code run.sh} does: {@code JAVA_HOME} if
 * its {@code release} file says {@code JAVA_VERSION} is at least the minimum, otherwise the newest
 * such JDK under {@code /usr/lib/jvm}. The machines' default {@code java} is 17, too old for the server.
 */
final class JdkFinder {

    /** The server is built for Java 21. */
    static final int MINIMUM_FEATURE_VERSION = 21;

    private record Candidate(Path home, int feature) {
    }

    private JdkFinder() {
    }

    /**
     * @param javaHome    the {@code JAVA_HOME} value, may be null or blank
     * @param jvmRoot     folder holding installed JDKs, usually {@code /usr/lib/jvm}
     * @param fallback    used when nothing else qualifies (the harness's own runtime), may be null
     * @return the JDK home to use, if any qualifies
     */
    static Optional<Path> find(String javaHome, Path jvmRoot, Path fallback) {
        if (javaHome != null && !javaHome.isBlank()) {
            Path home = Path.of(javaHome);
            if (isUsable(home)) {
                return Optional.of(home);
            }
        }
        if (Files.isDirectory(jvmRoot)) {
            try (Stream<Path> entries = Files.list(jvmRoot)) {
                List<Candidate> candidates = entries
                        .filter(JdkFinder::hasJava)
                        .map(home -> new Candidate(home, featureVersion(home).orElse(0)))
                        .filter(candidate -> candidate.feature() >= MINIMUM_FEATURE_VERSION)
                        .toList();
                Optional<Candidate> newest = candidates.stream()
                        .max(Comparator.comparingInt(Candidate::feature).thenComparing(c -> c.home().toString()));
                if (newest.isPresent()) {
                    return Optional.of(newest.get().home());
                }
            } catch (IOException e) {
                // An unreadable folder just means no candidate there; try the fallback.
            }
        }
        return fallback != null && isUsable(fallback) ? Optional.of(fallback) : Optional.empty();
    }

    /** The JDK the benchmark itself runs on: it needs Java 21 too, so it qualifies as a last resort. */
    static Optional<Path> findForServer() {
        Path own = Path.of(System.getProperty("java.home"));
        return find(System.getenv("JAVA_HOME"), Path.of("/usr/lib/jvm"), own)
                .or(() -> Runtime.version().feature() >= MINIMUM_FEATURE_VERSION ? Optional.of(own) : Optional.empty());
    }

    static Path javaExecutable(Path home) {
        return home.resolve("bin").resolve("java");
    }

    /** The feature version ({@code 21} for {@code 21.0.4}, {@code 8} for {@code 1.8.0_412}) from {@code release}. */
    static OptionalInt featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return OptionalInt.empty();
        }
        try {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return parseFeature(line.substring("JAVA_VERSION=".length()).replace("\"", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable or odd release file: not a candidate.
        }
        return OptionalInt.empty();
    }

    static OptionalInt parseFeature(String version) {
        String[] parts = version.split("[.+_-]");
        try {
            int first = Integer.parseInt(parts[0]);
            if (first == 1 && parts.length > 1) {
                return OptionalInt.of(Integer.parseInt(parts[1]));
            }
            return OptionalInt.of(first);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static boolean isUsable(Path home) {
        return hasJava(home) && featureVersion(home).orElse(0) >= MINIMUM_FEATURE_VERSION;
    }

    private static boolean hasJava(Path home) {
        return Files.isExecutable(javaExecutable(home));
    }
}
