package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DuckDbAllocatorCheckTest {

    @Test
    void onLinuxX86_withoutTheVariable_warnsNamingItAndTheValueToSet() {
        assertThat(DuckDbAllocatorCheck.warning("Linux", "amd64", null)).hasValueSatisfying(w -> assertThat(w)
                .contains("DUCKDB_JE_MALLOC_CONF is not set")
                .contains("DUCKDB_JE_MALLOC_CONF=dirty_decay_ms:30000,muzzy_decay_ms:30000"));
        assertThat(DuckDbAllocatorCheck.warning("Linux", "x86_64", " ")).as("blank is unset").isPresent();
    }

    @Test
    void whenTheVariableIsSet_whateverItSays_noWarning() {
        assertThat(DuckDbAllocatorCheck.warning("Linux", "amd64", "dirty_decay_ms:-1")).isEmpty();
    }

    @Test
    void whereDuckDbShipsWithoutJemalloc_noWarning() {
        assertThat(DuckDbAllocatorCheck.warning("Linux", "aarch64", null)).isEmpty();
        assertThat(DuckDbAllocatorCheck.warning("Mac OS X", "x86_64", null)).isEmpty();
        assertThat(DuckDbAllocatorCheck.warning("Windows 11", "amd64", null)).isEmpty();
    }

    @Test
    void theLauncherSetsTheValueTheWarningRecommends() throws Exception {
        // the module's folder is the working directory of its tests; ./traceflow is at the root
        String launcher = Files.readString(Path.of("..", "traceflow"));

        assertThat(launcher).contains("export " + DuckDbAllocatorCheck.VARIABLE + "=\"${" + DuckDbAllocatorCheck.VARIABLE
                + ":-" + DuckDbAllocatorCheck.RECOMMENDED + "}\"");
    }
}
