package dev.traceflow.builds.internal;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The artifact store on S3-compatible storage (AWS S3, MinIO, Ceph, s3proxy...), through the AWS SDK
 * v2 with the JDK's HTTP client: object {@code <prefix><build id>/artifact.tar.gz} in one bucket.
 * The file is hashed before it is sent, so a wrong archive is never uploaded; a PUT replaces the
 * object as a whole, so readers see the old object or the new one. Transfer integrity is checked
 * end to end by the verify step, which reads the stored object back, rather than by the SDK's
 * trailing checksums, which not every S3-compatible server accepts.
 */
final class S3ArtifactStore implements ArtifactStore, AutoCloseable {

    private static final String PREFIX = "s3:";

    private final S3Client s3;
    private final String bucket;
    private final String keyPrefix;

    S3ArtifactStore(ArtifactStoreProperties settings) {
        if (settings.bucket() == null || settings.bucket().isBlank()) {
            throw new IllegalStateException("traceflow.builds.artifacts.bucket is required when traceflow.builds.artifacts.type=s3");
        }
        this.bucket = settings.bucket();
        this.keyPrefix = settings.prefix();
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials(settings))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.timeout())
                        .socketTimeout(settings.timeout()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
    }

    private static AwsCredentialsProvider credentials(ArtifactStoreProperties settings) {
        if (settings.accessKey().isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    }

    @Override
    public String put(String buildId, Path archive, String sha256, long size) throws IOException {
        String name = ArtifactRefs.name(buildId);
        MessageDigest digest = ArtifactRefs.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(archive), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        long actualSize = Files.size(archive);
        if (!actual.equals(sha256) || actualSize != size) {
            throw new DigestMismatch("the archive is sha256 " + actual + ", " + actualSize + " bytes; expected " + sha256 + ", "
                    + size + " bytes");
        }
        try {
            s3.putObject(r -> r.bucket(bucket).key(keyPrefix + name).contentLength(size).contentType("application/gzip"),
                    RequestBody.fromFile(archive));
        } catch (SdkException e) {
            throw failure("store", name, e);
        }
        return PREFIX + name;
    }

    @Override
    public OptionalLong length(String ref) throws IOException {
        Optional<String> key = key(ref);
        if (key.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key.get()));
            return OptionalLong.of(head.contentLength());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return OptionalLong.empty();
            }
            throw failure("look up", key.get(), e);
        } catch (SdkException e) {
            throw failure("look up", key.get(), e);
        }
    }

    @Override
    public InputStream open(String ref, long offset, long length) throws IOException {
        String key = key(ref).orElseThrow(() -> new NoSuchFileException(String.valueOf(ref)));
        if (length <= 0) {
            if (!exists(ref)) {
                throw new NoSuchFileException(key);
            }
            return InputStream.nullInputStream();
        }
        try {
            return s3.getObject(r -> r.bucket(bucket).key(key).range("bytes=" + offset + "-" + (offset + length - 1)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(key);
            }
            throw failure("read", key, e);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public boolean delete(String ref) throws IOException {
        Optional<String> key = key(ref);
        if (key.isEmpty() || !exists(ref)) {
            return false;
        }
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(key.get()));
            return true;
        } catch (SdkException e) {
            throw failure("delete", key.get(), e);
        }
    }

    private Optional<String> key(String ref) {
        return ArtifactRefs.buildId(PREFIX, ref).map(id -> keyPrefix + ArtifactRefs.name(id));
    }

    /** An SDK failure as the IOException callers handle; the message has the status and S3's code, never credentials. */
    private IOException failure(String what, String key, SdkException e) {
        String detail = e instanceof S3Exception s ? " (HTTP " + s.statusCode() + (s.awsErrorDetails() != null
                ? ", " + s.awsErrorDetails().errorCode() : "") + ")" : ": " + e.getClass().getSimpleName();
        return new IOException("could not " + what + " s3://" + bucket + "/" + key + detail, e);
    }

    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return "S3 artifact store, bucket " + bucket;
    }
}
