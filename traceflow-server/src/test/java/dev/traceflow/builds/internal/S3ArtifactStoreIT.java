package dev.traceflow.builds.internal;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The artifact store contract on S3, against a real S3 implementation: s3proxy (from Maven Central)
 * started in this JVM on 127.0.0.1 and a random port, keeping its objects in a temporary folder,
 * with AWS signature checks on. The store talks to it path-style, as to MinIO or Ceph.
 */
class S3ArtifactStoreIT extends ArtifactStoreContract {

    static final String ACCESS_KEY = "traceflow-it";
    static final String SECRET_KEY = "s3proxy-it-secret-" + UUID.randomUUID();
    static Path objects;
    static S3Proxy s3proxy;
    static S3ArtifactStore store;

    @BeforeAll
    static void startS3() throws Exception {
        objects = Files.createTempDirectory("traceflow-s3proxy-");
        FilesystemNio2BlobStore blobs = new FilesystemNio2BlobStore(objects.toString());
        blobs.createContainer("artifacts");
        s3proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        s3proxy.start();
        while (!"STARTED".equals(s3proxy.getState())) {
            Thread.sleep(10);
        }
        store = new S3ArtifactStore(settings("artifacts", SECRET_KEY));
    }

    static ArtifactStoreProperties settings(String bucket, String secret) {
        return new ArtifactStoreProperties("s3", URI.create("http://127.0.0.1:" + s3proxy.getPort()), bucket, "traceflow/",
                "us-east-1", true, ACCESS_KEY, secret, Duration.ofSeconds(10), "");
    }

    @AfterAll
    static void stopS3() throws Exception {
        store.close();
        s3proxy.stop();
    }

    @Override
    protected ArtifactStore store() {
        return store;
    }

    @Override
    protected String refPrefix() {
        return "s3:";
    }

    @Test
    void objectsAreKeyedUnderThePrefix_inTheBucket() throws Exception {
        String build = UUID.randomUUID().toString();
        Path archive = Files.writeString(dir.resolve("a.tar.gz"), "archive");
        store.put(build, archive, ArtifactPackager.sha256(archive), Files.size(archive));
        try (var found = Files.walk(objects)) {
            assertThat(found.map(p -> objects.relativize(p).toString().replace('\\', '/')))
                    .anyMatch(p -> p.startsWith("artifacts/traceflow/" + build + "/artifact.tar.gz"));
        }
    }

    @Test
    void aWrongSecret_orAMissingBucket_isAnIOException_thatNamesNoSecret() throws Exception {
        Path archive = Files.writeString(dir.resolve("b.tar.gz"), "archive");
        String sha = ArtifactPackager.sha256(archive);
        try (S3ArtifactStore wrong = new S3ArtifactStore(settings("artifacts", "not-the-secret"))) {
            assertThatThrownBy(() -> wrong.put(UUID.randomUUID().toString(), archive, sha, Files.size(archive)))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("HTTP 403")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-secret"));
        }
        try (S3ArtifactStore missing = new S3ArtifactStore(settings("no-such-bucket", SECRET_KEY))) {
            assertThatThrownBy(() -> missing.put(UUID.randomUUID().toString(), archive, sha, Files.size(archive)))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("HTTP 404");
        }
        assertThat(settings("artifacts", SECRET_KEY).toString()).doesNotContain(SECRET_KEY);
    }
}
