package dev.traceflow;

import dev.traceflow.support.InstalledJdks;
import dev.traceflow.support.Requirements;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decisions of the run command, {@code ./traceflow}, without building or starting anything: the
 * script and {@code bin/find-jdk.sh} are copied into a scratch repository whose {@code mvnw} and JDK
 * are fakes that log how they were called. {@code LauncherIT} runs the real thing end to end; this
 * covers what it cannot reach in reasonable time: when a start builds, that the old jar is gone
 * before the build (else a build that changed only a dependency module could leave it as it was),
 * which JVM options go in which order, and the fallback when no start-up cache can be recorded.
 */
class LauncherScriptTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final String JAR = "traceflow-server/target/traceflow-server.jar";
    private static final List<String> JAR_MODULES =
            List.of("traceflow-core", "traceflow-proto", "traceflow-storage-duckdb", "traceflow-server");

    @TempDir
    Path scratch;

    private Path repo;
    private Path log;
    private Instant start;

    @BeforeEach
    void scratchRepository() throws IOException {
        start = Instant.now();
        repo = Files.createDirectories(scratch.resolve("repo"));
        log = scratch.resolve("calls.log");
        Files.createDirectories(repo.resolve("bin"));
        Files.copy(REPO.resolve("traceflow"), repo.resolve("traceflow"));
        Files.copy(REPO.resolve("bin/find-jdk.sh"), repo.resolve("bin/find-jdk.sh"));
        executable(repo.resolve("traceflow"), Files.readString(repo.resolve("traceflow")));
        olderThanStart(Files.writeString(repo.resolve("pom.xml"), "<project/>"), 3600);
        for (String module : JAR_MODULES) {
            olderThanStart(Files.writeString(Files.createDirectories(repo.resolve(module)).resolve("pom.xml"), "<project/>"), 3600);
            Path source = Files.createDirectories(repo.resolve(module + "/src/main/java")).resolve("Main.java");
            olderThanStart(Files.writeString(source, "class Main {}"), 3600);
            Path test = Files.createDirectories(repo.resolve(module + "/src/test/java")).resolve("MainTest.java");
            olderThanStart(Files.writeString(test, "class MainTest {}"), 3600);
        }
        // the fake build says whether the old jar was still there when it ran, then writes a new one
        executable(repo.resolve("mvnw"), """
                #!/usr/bin/env bash
                if [[ -f %1$s ]]; then state=present; else state=absent; fi
                (IFS=$'\\t'; echo "mvnw	jar-$state	JAVA_HOME=$JAVA_HOME	$*") >> '%2$s'
                mkdir -p "$(dirname %1$s)" && echo new > %1$s
                """.formatted(JAR, log));
    }

    @Test
    void firstStart_buildsTheServerModuleWithTheJdkItFound_thenRunsTheJar() throws Exception {
        Path jdk = fakeJdk("21.0.5");

        Run run = launch(Map.of("JAVA_HOME", jdk.toString()));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).hasSize(2);
        assertThat(run.call(0)).containsExactly("mvnw", "jar-absent", "JAVA_HOME=" + jdk,
                "-B", "-q", "-DskipTests", "-pl", "traceflow-server", "-am", "package");
        assertThat(run.call(1)).containsExactly(jdk + "/bin/java", "--enable-native-access=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:G1PeriodicGCInterval=30000", "-jar", repo.resolve(JAR).toString());
        assertThat(run.output()).contains("building the server");
    }

    @Test
    void aJarNewerThanEverySource_startsWithoutBuilding() throws Exception {
        existingJar(600);

        Run run = launch(Map.of("JAVA_HOME", fakeJdk("21").toString()));

        assertThat(run.calls()).singleElement().satisfies(call -> assertThat(call.getFirst()).endsWith("/bin/java"));
        assertThat(run.output()).doesNotContain("building");
    }

    @Test
    void aMainSourceOfADependencyModuleNewerThanTheJar_deletesTheOldJarBeforeBuilding() throws Exception {
        existingJar(600);
        olderThanStart(repo.resolve("traceflow-core/src/main/java/Main.java"), 60);

        Run run = launch(Map.of("JAVA_HOME", fakeJdk("21").toString()));

        // present here would mean Maven could keep the stale jar: the server module's classes did not change
        assertThat(run.call(0)).startsWith("mvnw", "jar-absent");
        assertThat(run.call(1).getFirst()).endsWith("/bin/java");
    }

    @Test
    void aModulePomNewerThanTheJar_buildsToo() throws Exception {
        existingJar(600);
        olderThanStart(repo.resolve("traceflow-storage-duckdb/pom.xml"), 60);

        assertThat(launch(Map.of("JAVA_HOME", fakeJdk("21").toString())).call(0)).startsWith("mvnw", "jar-absent");
    }

    @Test
    void aTestSourceNewerThanTheJar_doesNotBuild() throws Exception {
        existingJar(600);
        olderThanStart(repo.resolve("traceflow-server/src/test/java/MainTest.java"), 60);

        Run run = launch(Map.of("JAVA_HOME", fakeJdk("21").toString()));

        assertThat(run.calls()).singleElement().satisfies(call -> assertThat(call.getFirst()).endsWith("/bin/java"));
    }

    @Test
    void aDashboardSourceNewerThanTheJar_builds() throws Exception {
        existingJar(600);
        Path page = Files.createDirectories(repo.resolve("traceflow-server/src/main/ui/src")).resolve("main.jsx");
        olderThanStart(Files.writeString(page, "render()"), 60);

        assertThat(launch(Map.of("JAVA_HOME", fakeJdk("21").toString())).call(0)).startsWith("mvnw", "jar-absent");
    }

    /** npm ci and a hand-run vite build write thousands of new files there: neither is a source of the jar. */
    @Test
    void theDashboardsInstalledPackagesAndHandRunBuild_doNotBuild() throws Exception {
        existingJar(600);
        Path ui = repo.resolve("traceflow-server/src/main/ui");
        olderThanStart(Files.writeString(Files.createDirectories(ui.resolve("node_modules/vite")).resolve("index.js"), "x"), 60);
        olderThanStart(Files.writeString(Files.createDirectories(ui.resolve("dist/assets")).resolve("index-abc.js"), "x"), 60);

        Run run = launch(Map.of("JAVA_HOME", fakeJdk("21").toString()));

        assertThat(run.calls()).singleElement().satisfies(call -> assertThat(call.getFirst()).endsWith("/bin/java"));
    }

    @Test
    void rebuild_buildsAnUpToDateJar_andPassesTheOtherArgumentsToTheServer() throws Exception {
        existingJar(600);

        Run run = launch(Map.of("JAVA_HOME", fakeJdk("21").toString()), "--rebuild", "--server.port=0");

        assertThat(run.call(0)).startsWith("mvnw", "jar-absent");
        assertThat(run.call(1)).endsWith("-jar", repo.resolve(JAR).toString(), "--server.port=0").doesNotContain("--rebuild");
    }

    @Test
    void javaOpts_comeAfterTheDefaults_soTheyCanTurnOneOff() throws Exception {
        existingJar(600);

        Run run = launch(Map.of("JAVA_HOME", fakeJdk("21").toString(), "JAVA_OPTS", "-Xmx1g -XX:G1PeriodicGCInterval=0"));

        List<String> java = run.call(0);
        assertThat(java.indexOf("-XX:G1PeriodicGCInterval=0")).isGreaterThan(java.indexOf("-XX:G1PeriodicGCInterval=30000"));
        assertThat(java).containsSubsequence("-Xmx1g", "-XX:G1PeriodicGCInterval=0", "-jar");
    }

    @Test
    void aJvmThatWouldRunTheSerialCollector_getsAYoungGenerationWithRoomForTheEventsAwaitingTheirLoad() throws Exception {
        existingJar(600);

        Run serial = launch(Map.of("JAVA_HOME", fakeJdk("21", true).toString(), "JAVA_OPTS", "-Xmn128m"));
        Run other = launch(Map.of("JAVA_HOME", fakeJdk("21", false).toString()));

        // JAVA_OPTS come after, so an -Xmn of the operator's wins
        assertThat(serial.call(0)).containsSubsequence("-Xmn256m", "-XX:SurvivorRatio=4", "-XX:TargetSurvivorRatio=80",
                "-Xmn128m", "-jar");
        assertThat(other.call(0)).noneMatch(arg -> arg.startsWith("-Xmn") || arg.contains("Survivor"));
    }

    @Test
    void duckDbsAllocator_keepsFreedMemory30Seconds_unlessTheEnvironmentSaysOtherwise() throws Exception {
        existingJar(600);

        launch(Map.of("JAVA_HOME", fakeJdk("21").toString()));
        launch(Map.of("JAVA_HOME", fakeJdk("21").toString(), "DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:-1"));

        assertThat(Files.readAllLines(Path.of(log + ".env")))
                .containsExactly("dirty_decay_ms:30000,muzzy_decay_ms:30000", "dirty_decay_ms:-1");
    }

    @Test
    void jdk25_addsCompactHeaders_andStartsFromThePlainJarWhenNoStartUpCacheCouldBeRecorded() throws Exception {
        existingJar(600);
        Path jdk = fakeJdk("25.0.1");

        Run run = launch(Map.of("JAVA_HOME", jdk.toString()));

        // the fake JDK extracts and trains without writing a cache, like a JVM that refuses to record one
        assertThat(run.calls()).hasSize(3);
        assertThat(run.call(0)).contains("-Djarmode=tools", "extract");
        assertThat(run.call(1)).contains("-XX:+UseCompactObjectHeaders", "-Dspring.context.exit=onRefresh");
        assertThat(run.call(2)).contains("-XX:+UseCompactObjectHeaders")
                .noneMatch(arg -> arg.startsWith("-XX:AOTCache"))
                .endsWith("-jar", repo.resolve(JAR).toString());
        assertThat(run.output()).contains("no start-up cache (starting without it)");
        assertThat(repo.resolve("traceflow-server/target/aot")).doesNotExist();
    }

    @Test
    void tooOldJavaHome_isPassedOver_forTheNewestJdkUnderUsrLibJvm() throws Exception {
        Requirements.require(InstalledJdks.newestUnderUsrLibJvm() >= 21, "a JDK >= 21 under /usr/lib/jvm, as this machine kind has");
        existingJar(600);

        Run run = launch(Map.of("JAVA_HOME", fakeJdk("17.0.12").toString(), "TRACEFLOW_AOT", "off"));

        // that real java ran, not the fake one (which logs every call), and refused the fake jar
        assertThat(run.calls()).isEmpty();
        assertThat(run.output()).doesNotContain("no JDK").contains("Invalid or corrupt jarfile");
    }

    /** A JDK home with a release file and a java that logs its arguments (and exits 0, like a short-lived server). */
    private Path fakeJdk(String version) throws IOException {
        return fakeJdk(version, false);
    }

    /**
     * As {@link #fakeJdk(String)}; asked for its flags ({@code -XX:+PrintFlagsFinal}, not logged) it
     * answers that it would run the Serial collector when {@code serial}, as a JVM on one CPU does.
     */
    private Path fakeJdk(String version, boolean serial) throws IOException {
        Path home = Files.createDirectories(scratch.resolve("jdk-" + version + (serial ? "-serial" : "")));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Fake\"\nJAVA_VERSION=\"" + version + "\"\n");
        Files.createDirectories(home.resolve("bin"));
        executable(home.resolve("bin/java"), """
                #!/usr/bin/env bash
                if [[ " $* " == *" -XX:+PrintFlagsFinal "* ]]; then
                  echo "     bool UseSerialGC                              = %s                                      {product} {ergonomic}"
                  exit 0
                fi
                (IFS=$'\\t'; echo "$0	$*") >> '%s'
                echo "${DUCKDB_JE_MALLOC_CONF-unset}" >> '%s.env'
                """.formatted(serial, log, log));
        return home;
    }

    private void existingJar(long secondsOld) throws IOException {
        Path jar = Files.createDirectories(repo.resolve(JAR).getParent()).resolve("traceflow-server.jar");
        olderThanStart(Files.writeString(jar, "old"), secondsOld);
    }

    private void olderThanStart(Path file, long seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(start.minusSeconds(seconds)));
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(repo.resolve("traceflow").toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(scratch.toFile()).redirectErrorStream(true);
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("DUCKDB_JE_MALLOC_CONF");
        pb.environment().putAll(env);
        Process process = pb.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<List<String>> calls = Files.exists(log)
                ? Files.readAllLines(log).stream().map(line -> List.of(line.split("\t"))).toList()
                : List.of();
        Files.deleteIfExists(log);
        return new Run(process.exitValue(), new String(output), calls);
    }

    private record Run(int exitCode, String output, List<List<String>> calls) {

        List<String> call(int index) {
            assertThat(calls).as(output).hasSizeGreaterThan(index);
            return calls.get(index);
        }
    }
}
