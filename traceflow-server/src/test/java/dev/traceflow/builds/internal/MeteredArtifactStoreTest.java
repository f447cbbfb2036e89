package dev.traceflow.builds.internal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Calls to the artifact store are timed by operation and outcome; a refused archive and a missing one are told apart from a failing store. */
class MeteredArtifactStoreTest {

    @TempDir
    Path dir;

    @Test
    void everyCall_isTimedByOperationAndOutcome() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ArtifactStore store = new MeteredArtifactStore(new LocalArtifactStore(dir.resolve("store")), "local", registry);
        Path archive = Files.writeString(dir.resolve("a.tar.gz"), "archive");
        String ref = store.put(UUID.randomUUID().toString(), archive, ArtifactPackager.sha256(archive), Files.size(archive));
        store.open(ref, 0, 3).close();
        store.length(ref);
        assertThatThrownBy(() -> store.put(UUID.randomUUID().toString(), archive, "0".repeat(64), Files.size(archive)))
                .isInstanceOf(ArtifactStore.DigestMismatch.class);
        store.delete(ref);

        assertThat(count(registry, "put", "ok")).isEqualTo(1);
        assertThat(count(registry, "put", "refused")).isEqualTo(1);
        assertThat(count(registry, "open", "ok")).isEqualTo(1);
        assertThat(count(registry, "length", "ok")).isEqualTo(1);
        assertThat(count(registry, "delete", "ok")).isEqualTo(1);
        assertThatThrownBy(() -> store.open("local:" + UUID.randomUUID() + "/artifact.tar.gz", 0, 1))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(count(registry, "open", "missing")).isEqualTo(1);
    }

    private static long count(SimpleMeterRegistry registry, String operation, String outcome) {
        var timer = registry.find("traceflow.builds.artifacts.store").tags("store", "local", "operation", operation, "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }
}
