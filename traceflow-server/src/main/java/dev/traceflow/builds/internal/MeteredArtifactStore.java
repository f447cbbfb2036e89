package dev.traceflow.builds.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Times every call to the artifact store ({@code traceflow.builds.artifacts.store{store, operation, outcome}}:
 * outcome {@code ok}, {@code refused} for an archive that is not the expected one, {@code missing} for an
 * artifact that is not there, {@code error} for a
 * store that could not be reached or read), so a slow or failing S3 shows on the dashboards before
 * builds fail on it. {@code open} is timed until the stream is handed over, not while it is read.
 */
final class MeteredArtifactStore implements ArtifactStore, AutoCloseable {

    private final ArtifactStore store;
    private final MeterRegistry registry;
    private final String kind;

    MeteredArtifactStore(ArtifactStore store, String kind, MeterRegistry registry) {
        this.store = store;
        this.kind = kind;
        this.registry = registry;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T timed(String operation, Call<T> call) throws IOException {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = call.run();
            outcome = "ok";
            return result;
        } catch (DigestMismatch e) {
            outcome = "refused";
            throw e;
        } catch (NoSuchFileException e) {
            outcome = "missing";
            throw e;
        } finally {
            Timer.builder("traceflow.builds.artifacts.store").description("calls to the build artifact store")
                    .tags("store", kind, "operation", operation, "outcome", outcome).register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public String put(String buildId, Path archive, String sha256, long size) throws IOException {
        return timed("put", () -> store.put(buildId, archive, sha256, size));
    }

    @Override
    public OptionalLong length(String ref) throws IOException {
        return timed("length", () -> store.length(ref));
    }

    @Override
    public InputStream open(String ref, long offset, long length) throws IOException {
        return timed("open", () -> store.open(ref, offset, length));
    }

    @Override
    public boolean delete(String ref) throws IOException {
        return timed("delete", () -> store.delete(ref));
    }

    @Override
    public void close() throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
