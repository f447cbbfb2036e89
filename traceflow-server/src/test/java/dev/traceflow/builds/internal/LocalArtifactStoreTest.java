package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The artifact store contract on the local file system, and where its files go. */
class LocalArtifactStoreTest extends ArtifactStoreContract {

    private LocalArtifactStore store;

    @Override
    protected ArtifactStore store() {
        if (store == null) {
            store = new LocalArtifactStore(dir.resolve("artifacts"));
        }
        return store;
    }

    @Override
    protected String refPrefix() {
        return "local:";
    }

    @Test
    void anArtifactIsOneFilePerBuild_andAFailedPutLeavesNoPartialFile() throws Exception {
        String build = UUID.randomUUID().toString();
        Path archive = Files.writeString(dir.resolve("a.tar.gz"), "archive");
        store().put(build, archive, ArtifactPackager.sha256(archive), Files.size(archive));
        assertThat(Files.readString(dir.resolve("artifacts").resolve(build).resolve("artifact.tar.gz"))).isEqualTo("archive");
        String other = UUID.randomUUID().toString();
        assertThatThrownBy(() -> store().put(other, archive, "0".repeat(64), Files.size(archive)))
                .isInstanceOf(ArtifactStore.DigestMismatch.class);
        try (var left = Files.list(dir.resolve("artifacts").resolve(other))) {
            assertThat(left).isEmpty();
        }
    }
}
