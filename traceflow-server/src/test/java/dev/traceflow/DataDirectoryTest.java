package dev.traceflow;

import org.apache.commons.logging.impl.NoOpLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DataDirectoryTest {

    private final List<Object> warnings = new ArrayList<>();
    private final DataDirectory dataDirectory = new DataDirectory(destination -> new NoOpLog() {
        @Override
        public void warn(Object message) {
            warnings.add(message);
        }
    });

    @Test
    void aNewDataDir_isCreatedOwnerOnly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        dataDirectory.postProcessEnvironment(new MockEnvironment().withProperty("traceflow.data-dir", dir.toString()), null);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(warnings).isEmpty();
    }

    @Test
    void anExistingDataDirOpenToOthers_isWarnedAbout_notChanged(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        dataDirectory.prepare(dir);
        assertThat(warnings).singleElement().asString().contains("open to other users").contains("chmod 700");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
    }
}
