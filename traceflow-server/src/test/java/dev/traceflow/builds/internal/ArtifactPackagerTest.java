package dev.traceflow.builds.internal;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Packing artifacts with a manifest, and the check every stored archive passes (zip-slip names, links, a manifest that lies). */
class ArtifactPackagerTest {

    @TempDir
    Path dir;

    @Test
    void pack_writesTheManifestFirst_andOnlyMatchedRegularFiles_neverFollowingLinks() throws Exception {
        Path web = dir.resolve("ws/web");
        Files.createDirectories(web.resolve("dist/assets"));
        Files.writeString(web.resolve("dist/index.html"), "<html>");
        Files.writeString(web.resolve("dist/assets/app.js"), "console.log(1)");
        Files.writeString(web.resolve("README.md"), "not an artifact");
        Files.createSymbolicLink(web.resolve("dist/passwd"), Path.of("/etc/passwd"));
        Path out = dir.resolve("a.tar.gz");
        ArtifactPackager.Packed p = ArtifactPackager.pack("b1", "v1", List.of(new ArtifactPackager.Source("web", web, List.of("dist/**"))),
                out, 1_000_000);
        assertThat(p.files()).isEqualTo(2);
        assertThat(p.sha256()).isEqualTo(ArtifactPackager.sha256(out));
        assertThat(ArtifactPackager.verify(out, 1_000_000)).isEqualTo(p.sha256());
    }

    @Test
    void pack_refusesNothingMatched_andTooMuch() throws Exception {
        Path web = dir.resolve("web");
        Files.createDirectories(web.resolve("dist"));
        Files.write(web.resolve("dist/big.bin"), new byte[2048]);
        assertThatThrownBy(() -> ArtifactPackager.pack("b", "r", List.of(new ArtifactPackager.Source("web", web, List.of("out/**"))),
                dir.resolve("x.tar.gz"), 10_000)).isInstanceOf(ArtifactPackager.BadArchive.class).hasMessageContaining("no file matched");
        assertThatThrownBy(() -> ArtifactPackager.pack("b", "r", List.of(new ArtifactPackager.Source("web", web, List.of("dist/**"))),
                dir.resolve("y.tar.gz"), 1000)).isInstanceOf(ArtifactPackager.BadArchive.class).hasMessageContaining("larger than");
    }

    @Test
    void verify_refusesDotDotAbsoluteAndLinkEntries_andAManifestThatDoesNotMatch() throws Exception {
        assertRefused(tar(manifest("../../etc/cron.d/x", "boom"), entry("../../etc/cron.d/x", "boom")), "unsafe name");
        assertRefused(tar(manifest("web/../../x", "boom"), entry("web/../../x", "boom")), "unsafe name");
        assertRefused(tar(manifest("/etc/x", "boom"), entry("/etc/x", "boom")), "unsafe name");
        TarArchiveEntry link = new TarArchiveEntry("web/link", TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("/etc/passwd");
        assertRefused(tar(manifest("web/link", ""), new Entry(link, new byte[0])), "not a plain file");
        TarArchiveEntry hardLink = new TarArchiveEntry("web/passwd", TarArchiveEntry.LF_LINK);
        hardLink.setLinkName("/etc/passwd");
        assertRefused(tar(manifest("web/passwd", ""), new Entry(hardLink, new byte[0])), "not a plain file");
        TarArchiveEntry relativeLink = new TarArchiveEntry("web/up", TarArchiveEntry.LF_SYMLINK);
        relativeLink.setLinkName("../../../../root/.ssh");
        assertRefused(tar(manifest("web/up", ""), new Entry(relativeLink, new byte[0])), "not a plain file");
        assertRefused(tar(manifest("web\\..\\..\\x", "boom"), entry("web\\..\\..\\x", "boom")), "unsafe name");
        assertRefused(tar(manifest("./web/x", "boom"), entry("./web/x", "boom")), "unsafe name");
        assertRefused(tar(manifest("web//x", "boom"), entry("web//x", "boom")), "unsafe name");
        assertRefused(tar(manifest("web/a.js", "original"), entry("web/a.js", "tampered")), "does not match the manifest");
        assertRefused(tar(entry("web/a.js", "x")), "does not start with manifest.json");
        Path garbage = dir.resolve("garbage.tar.gz");
        Files.writeString(garbage, "not gzip");
        assertThatThrownBy(() -> ArtifactPackager.verify(garbage, 1000)).isInstanceOf(ArtifactPackager.BadArchive.class);
    }

    private record Entry(TarArchiveEntry entry, byte[] content) {
    }

    private static Entry entry(String name, String content) {
        return new Entry(new TarArchiveEntry(name, true), content.getBytes(StandardCharsets.UTF_8));
    }

    private static Entry manifest(String path, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
        String json = "{\"files\":[{\"path\":\"" + path.replace("\\", "\\\\") + "\",\"size\":" + bytes.length + ",\"sha256\":\""
                + java.util.HexFormat.of().formatHex(d.digest(bytes)) + "\"}]}";
        return entry(ArtifactPackager.MANIFEST, json);
    }

    private Path tar(Entry... entries) throws IOException {
        Path out = Files.createTempFile(dir, "t", ".tar.gz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(out)))) {
            for (Entry e : entries) {
                e.entry().setSize(e.content().length);
                tar.putArchiveEntry(e.entry());
                tar.write(e.content());
                tar.closeArchiveEntry();
            }
        }
        return out;
    }

    private static void assertRefused(Path archive, String why) {
        assertThatThrownBy(() -> ArtifactPackager.verify(archive, 1_000_000)).isInstanceOf(ArtifactPackager.BadArchive.class)
                .hasMessageContaining(why);
    }
}
