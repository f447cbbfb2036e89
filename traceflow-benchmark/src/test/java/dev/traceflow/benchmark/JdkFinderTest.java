package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkFinderTest {

    @TempDir
    Path jvms;

    @Test
    void readsFeatureVersionFromOldAndNewVersionStrings() {
        assertThat(JdkFinder.parseFeature("25.0.3")).hasValue(25);
        assertThat(JdkFinder.parseFeature("21")).hasValue(21);
        assertThat(JdkFinder.parseFeature("1.8.0_412")).hasValue(8);
        assertThat(JdkFinder.parseFeature("weird")).isEmpty();
    }

    @Test
    void prefersJavaHomeWhenItIsNewEnough() throws IOException {
        Path home = fakeJdk("java-21", "21.0.4");
        fakeJdk("java-25", "25.0.3");

        assertThat(JdkFinder.find(home.toString(), jvms, null)).hasValue(home);
    }

    @Test
    void fallsBackToTheNewestQualifyingJdkWhenJavaHomeIsTooOld() throws IOException {
        Path old = fakeJdk("java-17", "17.0.15");
        fakeJdk("java-21", "21.0.4");
        Path newest = fakeJdk("java-25", "25.0.3");

        assertThat(JdkFinder.find(old.toString(), jvms, null)).hasValue(newest);
    }

    @Test
    void findsNothingWhenOnlyOldJdksExist() throws IOException {
        Path old = fakeJdk("java-17", "17.0.15");

        assertThat(JdkFinder.find(old.toString(), jvms, null)).isEmpty();
    }

    private Path fakeJdk(String name, String version) throws IOException {
        Path home = jvms.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}
