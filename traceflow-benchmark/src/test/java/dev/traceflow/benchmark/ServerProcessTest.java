package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerProcessTest {

    @TempDir
    Path dataDir;

    @Test
    void pinsTheServerWithTasksetOnlyWhenCpusAreGiven() {
        Path jdk = Path.of("/jdk");
        var pinned = new ServerProcess.Launch(jdk, Path.of("server.jar"), dataDir, 8080, "k", "0", List.of("-Xmx1g"), "pw");
        var free = new ServerProcess.Launch(jdk, Path.of("server.jar"), dataDir, 8080, "k", null, List.of(), "pw");

        assertThat(ServerProcess.command(pinned)).containsExactly("taskset", "-c", "0", "/jdk/bin/java", "-Xmx1g", "-jar", "server.jar");
        assertThat(ServerProcess.command(free)).containsExactly("/jdk/bin/java", "-jar", "server.jar");
    }

    @Test
    void startsTheServerWithCompactObjectHeadersOnJdk25_asTheLauncherDoes() throws Exception {
        Path jdk25 = fakeJdk("jdk25", "25.0.1");
        Path jdk21 = fakeJdk("jdk21", "21.0.4");

        assertThat(ServerProcess.command(launch(jdk25, List.of("-Xmx1g"))))
                .containsExactly(jdk25.resolve("bin/java").toString(), "-XX:+UseCompactObjectHeaders", "-Xmx1g", "-jar", "server.jar");
        assertThat(ServerProcess.command(launch(jdk25, List.of("-XX:-UseCompactObjectHeaders"))))
                .containsExactly(jdk25.resolve("bin/java").toString(), "-XX:-UseCompactObjectHeaders", "-jar", "server.jar");
        assertThat(ServerProcess.command(launch(jdk21, List.of())))
                .containsExactly(jdk21.resolve("bin/java").toString(), "-jar", "server.jar");
    }

    @Test
    void aServerThatWouldRunTheSerialCollector_getsTheLaunchersYoungGeneration_beforeTheJvmArguments() {
        Path jdk = Path.of("/jdk");

        assertThat(ServerProcess.command(launch(jdk, List.of("-Xmn128m")), true))
                .containsExactly("/jdk/bin/java", "-Xmn256m", "-XX:SurvivorRatio=4", "-XX:TargetSurvivorRatio=80", "-Xmn128m",
                        "-jar", "server.jar");
        assertThat(ServerProcess.command(launch(jdk, List.of()), false)).containsExactly("/jdk/bin/java", "-jar", "server.jar");
    }

    /** The launcher (bash) and the harness (here) each list the options: they must stay the same. */
    @Test
    void theSerialYoungGeneration_isTheOneTheLauncherSets() throws Exception {
        String launcher = Files.readString(Path.of("..", "traceflow"));

        assertThat(launcher).contains("serial_young=(" + String.join(" ", ServerProcess.SERIAL_YOUNG_GENERATION) + ")");
    }

    @Test
    void duckDbsAllocator_keepsFreedMemoryAsTheLauncherHasIt_unlessASettingSaysOtherwise() throws Exception {
        String launcher = Files.readString(Path.of("..", "traceflow"));
        assertThat(launcher).contains("export " + ServerProcess.DUCKDB_ALLOCATOR_VARIABLE + "=\"${"
                + ServerProcess.DUCKDB_ALLOCATOR_VARIABLE + ":-" + ServerProcess.DUCKDB_ALLOCATOR_DEFAULT + "}\"");

        assertThat(ServerProcess.environment(launch(Path.of("jdk"), List.of()))).containsEntry("DUCKDB_JE_MALLOC_CONF",
                System.getenv().getOrDefault("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:30000,muzzy_decay_ms:30000"));
        var never = new ServerProcess.Launch(Path.of("jdk"), Path.of("server.jar"), dataDir, 8080, "k", null, List.of(), "pw",
                Map.of("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:-1"));
        assertThat(ServerProcess.environment(never)).containsEntry("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:-1");
    }

    @Test
    void theCollectorIsAskedOfTheServersJvm_withItsArguments() throws Exception {
        // answers as a JVM on one CPU does, unless told to use G1
        Path jdk = fakeJdkWithJava("""
                #!/usr/bin/env bash
                serial=true
                [[ " $* " == *" -XX:+UseG1GC "* ]] && serial=false
                echo "     bool UseG1GC                                  = false                                     {product} {default}"
                echo "     bool UseSerialGC                              = $serial                                      {product} {ergonomic}"
                """);

        assertThat(ServerProcess.runsSerialCollector(launch(jdk, List.of()))).isTrue();
        assertThat(ServerProcess.runsSerialCollector(launch(jdk, List.of("-XX:+UseG1GC")))).isFalse();
        assertThat(ServerProcess.isSerial("     bool UseSerialGC      = false   {product} {default}")).isFalse();
    }

    /** A JDK home whose {@code bin/java} is {@code script}. */
    private Path fakeJdkWithJava(String script) throws Exception {
        Path jdk = Files.createDirectories(dataDir.resolve("fake-jdk/bin")).getParent();
        Path executable = jdk.resolve("bin/java");
        Files.writeString(executable, script);
        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
        return jdk;
    }

    private ServerProcess.Launch launch(Path jdk, List<String> jvmArgs) {
        return new ServerProcess.Launch(jdk, Path.of("server.jar"), dataDir, 8080, "k", null, jvmArgs, "pw");
    }

    private Path fakeJdk(String name, String version) throws Exception {
        Path home = Files.createDirectories(dataDir.resolve(name));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    @Test
    void configuresTheServerThroughTheContractsEnvironmentVariables() {
        var launch = new ServerProcess.Launch(Path.of("/jdk"), Path.of("server.jar"), dataDir, 8123, "key-1", null, List.of(), "admin-pw-1");

        assertThat(ServerProcess.environment(launch))
                .containsEntry("SERVER_PORT", "8123")
                .containsEntry("TRACEFLOW_DATA_DIR", dataDir.toString())
                .containsEntry("TRACEFLOW_BOOTSTRAP_INGEST_KEY", "key-1")
                .containsEntry("TRACEFLOW_BENCHMARK_NOOP_ENDPOINT", "true")
                .containsEntry("TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD", "admin-pw-1");
    }

    @Test
    void passesFurtherSettings_butNeverInPlaceOfTheContractsOwn() {
        var launch = new ServerProcess.Launch(Path.of("/jdk"), Path.of("server.jar"), dataDir, 8123, "key-1", null, List.of(),
                "admin-pw-1", Map.of("TRACEFLOW_ALERTS_TICK", "1s", "SERVER_PORT", "1"));

        assertThat(ServerProcess.environment(launch))
                .containsEntry("TRACEFLOW_ALERTS_TICK", "1s")
                .containsEntry("SERVER_PORT", "8123");
    }

    @Test
    void missingJarIsReportedWithHowToBuildIt() {
        var launch = new ServerProcess.Launch(Path.of(System.getProperty("java.home")), dataDir.resolve("absent.jar"),
                dataDir, 8080, "k", null, List.of(), "pw");

        assertThatThrownBy(() -> ServerProcess.start(launch, Duration.ofSeconds(5)))
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("server jar not found").hasMessageContaining("mvnw");
    }

    @Test
    void serverThatExitsEarlyIsReportedWithItsLog() throws Exception {
        Path notAJar = Files.writeString(dataDir.resolve("broken.jar"), "not a jar");
        var launch = new ServerProcess.Launch(Path.of(System.getProperty("java.home")), notAJar,
                dataDir, FreePort.pick(), "k", null, List.of(), "pw");

        assertThatThrownBy(() -> ServerProcess.start(launch, Duration.ofSeconds(30)))
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("server.log");
    }

    @Test
    void aStartedServer_saysTheCommandItRan_withTheSerialYoungGenerationItWasGiven() throws Exception {
        // a JDK whose JVM would run Serial, and whose "server" answers /healthz: what the harness prints
        // is the command that ran, not the one before the collector was asked (which lacked -Xmn)
        Path jdk = fakeJdkWithJava("""
                #!/usr/bin/env bash
                if [[ " $* " == *" -XX:+PrintFlagsFinal "* ]]; then
                  echo "     bool UseSerialGC                              = true                                      {product} {ergonomic}"
                  exit 0
                fi
                exec python3 -c 'import http.server as h, os
                class Ok(h.BaseHTTPRequestHandler):
                    def do_GET(self):
                        self.send_response(200); self.end_headers()
                h.HTTPServer(("127.0.0.1", int(os.environ["SERVER_PORT"])), Ok).serve_forever()'
                """);
        Path jar = Files.writeString(dataDir.resolve("server.jar"), "a jar");
        var launch = new ServerProcess.Launch(jdk, jar, dataDir, FreePort.pick(), "k", null, List.of("-Dmarker=1"), "pw");

        ServerProcess server = ServerProcess.start(launch, Duration.ofSeconds(30));
        try {
            assertThat(server.command()).containsSubsequence(jdk.resolve("bin/java").toString(), "-Xmn256m", "-XX:SurvivorRatio=4",
                    "-XX:TargetSurvivorRatio=80", "-Dmarker=1", "-jar", jar.toString());
        } finally {
            server.stop(Duration.ofSeconds(10));
        }
    }
}
