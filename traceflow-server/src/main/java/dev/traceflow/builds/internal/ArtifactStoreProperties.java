package dev.traceflow.builds.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.time.Duration;

/**
 * Where build artifacts are kept ({@code traceflow.builds.artifacts.*}, e.g. {@code TRACEFLOW_BUILDS_ARTIFACTS_TYPE}).
 * The local store's folder is {@code traceflow.builds.queue.artifacts-dir}.
 *
 * @param type      {@code local} (the default: under the data dir) or {@code s3} (any S3-compatible storage)
 * @param endpoint  the S3 endpoint ({@code https://minio.internal:9000}); empty: AWS's endpoint of {@code region}
 * @param bucket    the bucket (required for s3; it must exist)
 * @param prefix    prepended to every object key ({@code traceflow/}); empty: keys start with the build id
 * @param region    the bucket's region (S3-compatible servers mostly ignore it but sign with it)
 * @param pathStyle {@code https://host/bucket/key} instead of {@code https://bucket.host/key} (MinIO, Ceph, s3proxy)
 * @param accessKey the access key id; empty: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, profiles, instance roles)
 * @param secretKey the secret access key ({@code TRACEFLOW_BUILDS_ARTIFACTS_SECRET_KEY}); never logged or returned
 * @param timeout   connect and read timeout of each request to the storage
 * @param linkKey   base64 of at least 32 bytes signing the artifact download links; empty: generated once into
 *                  {@code <data-dir>/builds/link-signing.key}. Servers sharing one metadata database need the same one
 */
@ConfigurationProperties("traceflow.builds.artifacts")
public record ArtifactStoreProperties(@DefaultValue("local") String type,
                                      URI endpoint,
                                      String bucket,
                                      @DefaultValue("") String prefix,
                                      @DefaultValue("us-east-1") String region,
                                      @DefaultValue("false") boolean pathStyle,
                                      @DefaultValue("") String accessKey,
                                      @DefaultValue("") String secretKey,
                                      @DefaultValue("30s") Duration timeout,
                                      @DefaultValue("") String linkKey) {

    /** Without the secret: these settings are printed in start-up failures and by configuration dumps. */
    @Override
    public String toString() {
        return "ArtifactStoreProperties[type=" + type + ", endpoint=" + endpoint + ", bucket=" + bucket + ", prefix=" + prefix
                + ", region=" + region + ", pathStyle=" + pathStyle + ", accessKey=" + accessKey + ", secretKey="
                + (secretKey.isEmpty() ? "" : "(set)") + ", linkKey=" + (linkKey.isEmpty() ? "" : "(set)") + "]";
    }
}
