package dev.traceflow.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the launcher's JDK search (bin/find-jdk.sh) sees on this machine, for tests that depend on it. */
public final class InstalledJdks {

    private InstalledJdks() {
    }

    /** The newest feature version among the JDKs under /usr/lib/jvm, 0 when none. */
    public static int newestUnderUsrLibJvm() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return 0;
        }
        try (var homes = Files.list(jvms)) {
            return homes.mapToInt(InstalledJdks::featureVersion).max().orElse(0);
        }
    }

    /** 21 for a JDK home whose release file says 21.0.5; 0 for anything that is not a JDK home. */
    public static int featureVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[._+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // not a JDK
        }
        return 0;
    }
}
