package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BuildWorkspacesTest {

    @TempDir
    Path temp;

    @Test
    void aServerBuildingAsItsOwnUser_checksOutInItsDataDir() {
        Path dataDir = temp.resolve("data");

        assertThat(BuildWorkspaces.defaultDir(dataDir, false)).isEqualTo(dataDir.resolve("builds").resolve("workspaces"));
    }

    @Test
    void aServerBuildingAsTheSandboxUser_checksOutOutsideItsOwnerOnlyDataDir_inAFolderPerDataDir() {
        Path one = BuildWorkspaces.defaultDir(temp.resolve("one"), true);
        Path two = BuildWorkspaces.defaultDir(temp.resolve("two"), true);

        assertThat(one.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
        assertThat(one.getFileName().toString()).startsWith("traceflow-workspaces-");
        assertThat(one).isNotEqualTo(two).isEqualTo(BuildWorkspaces.defaultDir(temp.resolve("one"), true));
    }

    @Test
    void prepare_makesTheFolderPassableButNotListableByOthers() throws IOException {
        Path workspaces = temp.resolve("ws");

        BuildWorkspaces.prepare(workspaces);
        BuildWorkspaces.prepare(workspaces);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(workspaces))).isEqualTo("rwx--x--x");
    }

    @Test
    void prepare_refusesASymbolicLinkInItsPlace() throws IOException {
        Path elsewhere = Files.createDirectory(temp.resolve("elsewhere"));
        Path workspaces = Files.createSymbolicLink(temp.resolve("ws"), elsewhere);

        assertThatThrownBy(() -> BuildWorkspaces.prepare(workspaces)).isInstanceOf(IOException.class).hasMessageContaining("not a directory");
    }

    @Test
    void prepare_refusesAFolderAnotherUserMadeFirst() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a folder to another user");
        Path workspaces = Files.createDirectory(temp.resolve("ws"));
        UserPrincipal nobody = workspaces.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534");
        Files.setOwner(workspaces, nobody);

        assertThatThrownBy(() -> BuildWorkspaces.prepare(workspaces)).isInstanceOf(IOException.class)
                .hasMessageContaining("not to the server's user");
    }
}
