package dev.traceflow.it;

import dev.traceflow.support.InstalledJdks;
import dev.traceflow.support.Requirements;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's run command, {@code ./traceflow}, against the jar built by {@code package}: it finds a
 * JDK by itself, on JDK 25+ records a start-up cache for the build and starts from it, takes the
 * README's first event, and with {@code TRACEFLOW_AOT=off} starts from the plain jar. A start builds
 * only when what goes into the jar changed.
 */
class LauncherIT {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path AOT_DIR = REPO.resolve("traceflow-server/target/aot");

    @TempDir
    Path dir;

    private Process server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void traceflow_startsFromAStartUpCacheOfThisBuild_andStoresTheFirstEvent() throws Exception {
        Requirements.require(jdk25Installed(), "a JDK >= 25 (the start-up cache needs one) under /usr/lib/jvm or as JAVA_HOME");

        TestHttp http = start(Map.of());

        List<String> command = commandLine();
        assertThat(command).anyMatch(arg -> arg.equals("-XX:AOTCache=" + AOT_DIR.resolve("app.aot")));
        assertThat(command).contains(AOT_DIR.resolve("app/traceflow-server.jar").toString());
        assertThat(AOT_DIR.resolve("app.aot")).isNotEmptyFile();
        // recorded with the JDK and the JVM defaults this start uses, so the JVM accepts it
        assertThat(command).contains("-XX:+UseCompactObjectHeaders");
        // gives the heap back after 30 s without a collection; not in the cache's stamp
        assertThat(command).contains("-XX:G1PeriodicGCInterval=30000");
        assertThat(Files.readString(AOT_DIR.resolve("trained-with")).strip())
                .isEqualTo(Path.of(command.getFirst()).getParent().getParent() + " -XX:+UseCompactObjectHeaders");
        assertThat(Files.readString(dir.resolve("server.log"))).doesNotContain("Unable to use", "AOT cache", "[aot");
        // the training start ran in a throwaway directory, not in the caller's working directory
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsOnly("server.log", "data");
        }

        TestHttp.Response r = http.post("/api/collect", "{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"url\":\"https://example.com/pricing\"}",
                "Content-Type", "application/json", "X-TraceFlow-Key", "launcher-test-key");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("accepted").asInt()).isEqualTo(1);
    }

    @Test
    void traceflow_withAotOff_startsFromThePlainJar_withoutRebuildingForANewerTestSource() throws Exception {
        // a test source newer than the jar does not change the jar, so it must not make a start build again
        Path testSource = REPO.resolve("traceflow-server/src/test/java/dev/traceflow/it/LauncherIT.java");
        Files.setLastModifiedTime(testSource, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));

        TestHttp http = start(Map.of("TRACEFLOW_AOT", "off"));

        assertThat(Files.readString(dir.resolve("server.log"))).doesNotContain("building the server");

        List<String> command = commandLine();
        assertThat(command).noneMatch(arg -> arg.startsWith("-XX:AOTCache"));
        assertThat(command).contains(REPO.resolve("traceflow-server/target/traceflow-server.jar").toString());
        assertThat(http.get("/healthz").status()).isEqualTo(200);
    }

    /** The JDK the launcher picks (bin/find-jdk.sh): JAVA_HOME when it is >= 21, else the newest under /usr/lib/jvm. */
    private static boolean jdk25Installed() throws IOException {
        String javaHome = System.getenv("JAVA_HOME");
        int picked = javaHome != null && InstalledJdks.featureVersion(Path.of(javaHome)) >= 21
                ? InstalledJdks.featureVersion(Path.of(javaHome)) : InstalledJdks.newestUnderUsrLibJvm();
        return picked >= 25;
    }

    /** The launcher execs java, so the process it started is the server's JVM. */
    private List<String> commandLine() {
        ProcessHandle.Info info = server.toHandle().info();
        List<String> command = new java.util.ArrayList<>();
        command.add(info.command().orElseThrow());
        command.addAll(List.of(info.arguments().orElseThrow()));
        return command;
    }

    private TestHttp start(Map<String, String> env) throws IOException, InterruptedException {
        int port = ServerProcesses.freePort();
        ProcessBuilder pb = new ProcessBuilder(REPO.resolve("traceflow").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()));
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("TRACEFLOW_DATA_DIR", dir.resolve("data").toString());
        pb.environment().put("TRACEFLOW_BOOTSTRAP_INGEST_KEY", "launcher-test-key");
        pb.environment().put("JAVA_OPTS", "-Xmx512m");
        pb.environment().putAll(env);
        server = pb.start();
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        // a first start after a build also records the cache (~20-30 s on 2 busy cores)
        ServerProcesses.awaitHealthy(server, http, dir.resolve("server.log"), Duration.ofSeconds(180));
        return http;
    }
}
