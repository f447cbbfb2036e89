package dev.traceflow.it;

import dev.traceflow.builds.BuildsFixture;
import dev.traceflow.support.TestHttp;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds whose artifacts go to S3 (traceflow.builds.artifacts.type=s3), against a real S3
 * implementation: s3proxy started in this JVM on 127.0.0.1 with a random port, objects in a
 * temporary folder, signatures checked. A build's output and verify steps store the archive in
 * the bucket and read it back; downloads, ranges and signed links read it from there.
 */
// the in-process ITs share one JVM: this class's server is closed after it (see RealtimeNodeIT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class S3ArtifactsIT extends BuildsFixture {

    static final String SECRET = "s3-artifacts-it-" + UUID.randomUUID();
    static Path objects;
    static S3Proxy s3proxy;

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) throws Exception {
        objects = Files.createTempDirectory("traceflow-s3-artifacts-");
        FilesystemNio2BlobStore blobs = new FilesystemNio2BlobStore(objects.toString());
        blobs.createContainer("builds");
        s3proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "traceflow", SECRET).build();
        s3proxy.start();
        while (!"STARTED".equals(s3proxy.getState())) {
            Thread.sleep(10);
        }
        registry.add("traceflow.builds.artifacts.type", () -> "s3");
        registry.add("traceflow.builds.artifacts.endpoint", () -> "http://127.0.0.1:" + s3proxy.getPort());
        registry.add("traceflow.builds.artifacts.bucket", () -> "builds");
        registry.add("traceflow.builds.artifacts.prefix", () -> "ci/");
        registry.add("traceflow.builds.artifacts.path-style", () -> "true");
        registry.add("traceflow.builds.artifacts.access-key", () -> "traceflow");
        registry.add("traceflow.builds.artifacts.secret-key", () -> SECRET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (!"STOPPED".equals(s3proxy.getState())) {
            s3proxy.stop();
        }
    }

    @Test
    void aBuildsArtifact_isStoredInTheBucket_andDownloadedWholeByRangeAndBySignedLink() throws Exception {
        Setup s = setup("build.sh");
        String id = trigger(s);
        JsonNode b = awaitStatus(id, "success");
        assertThat(b.path("artifactRef").asString()).isEqualTo("s3:" + id + "/artifact.tar.gz");
        assertThat(b.path("stages").findValuesAsString("status")).containsOnly("success");
        try (Stream<Path> files = Files.walk(objects)) {
            assertThat(files.map(p -> objects.relativize(p).toString()))
                    .anyMatch(p -> p.startsWith("builds/ci/" + id + "/artifact.tar.gz"));
        }

        TestHttp.Response whole = get("/builds/" + id + "/artifact", auth.admin());
        assertThat(whole.status()).isEqualTo(200);
        byte[] bytes = whole.raw().body();
        assertThat(bytes.length).isEqualTo(b.path("artifact").path("size").asLong());
        assertThat(sha256(bytes)).isEqualTo(b.path("artifact").path("sha256").asString());

        TestHttp.Response part = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin(), "Range", "bytes=20-59");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.header("Content-Range")).isEqualTo("bytes 20-59/" + bytes.length);
        assertThat(part.raw().body()).isEqualTo(Arrays.copyOfRange(bytes, 20, 60));
        TestHttp.Response past = http.get("/builds/" + id + "/artifact", "Authorization", "Bearer " + auth.admin(), "Range",
                "bytes=" + bytes.length + "-");
        assertThat(past.status()).isEqualTo(416);

        String url = status(post("/builds/" + id + "/artifact/link", "", auth.admin()), 200).path("url").asString();
        TestHttp.Response linked = http.get(url, "Range", "bytes=-10");
        assertThat(linked.status()).isEqualTo(206);
        assertThat(linked.raw().body()).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length));
        assertThat(get("/settings", auth.admin()).body()).doesNotContain(SECRET);

        // the storage gone: a 503 to retry, never a 404 that would say the artifact does not exist
        s3proxy.stop();
        refused(get("/builds/" + id + "/artifact", auth.admin()), 503, "ARTIFACT_STORE_UNAVAILABLE");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
