package dev.traceflow.builds.internal;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The package step (issue 21 item 4): a build's artifacts as one tar.gz whose first entry is
 * {@code manifest.json} ({@code {build, release, files: [{path, size, sha256}]}}), and the check of
 * such an archive (the verify step, and archives uploaded by remote workers): every entry a plain
 * file under a safe relative name (no {@code ..}, no absolute path, no link), matching the manifest.
 * Archives are read as streams and never unpacked onto the disk.
 */
final class ArtifactPackager {

    static final String MANIFEST = "manifest.json";

    /** The artifact globs of one source, relative to its checkout folder {@code root}. */
    record Source(String name, Path root, List<String> globs) {
    }

    /** A packed archive: its sha256 and size, and the manifest's files. */
    record Packed(String sha256, long size, int files) {
    }

    /** The archive is not acceptable; the message says why. */
    static final class BadArchive extends Exception {
        BadArchive(String message) {
            super(message, null, false, false);
        }
    }

    private ArtifactPackager() {
    }

    /**
     * Packs the regular files matched by each source's globs (symbolic links are never followed or
     * packed) into {@code out}, named {@code <source>/<path>}.
     *
     * @throws BadArchive when nothing matched, or the files exceed {@code maxBytes}
     */
    static Packed pack(String buildId, String release, List<Source> sources, Path out, long maxBytes) throws IOException, BadArchive {
        Map<String, Path> files = new TreeMap<>();
        for (Source s : sources) {
            Path root = s.root().toAbsolutePath().normalize();
            List<PathMatcher> matchers = s.globs().stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    Path rel = root.relativize(p);
                    if (matchers.stream().anyMatch(m -> m.matches(rel))) {
                        files.put(s.name() + "/" + rel.toString().replace('\\', '/'), p);
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new BadArchive("no file matched the artifact paths");
        }
        ObjectNode manifest = CanonicalJson.JSON.createObjectNode();
        manifest.put("build", buildId);
        manifest.put("release", release);
        ArrayNode list = manifest.putArray("files");
        long total = 0;
        for (Map.Entry<String, Path> f : files.entrySet()) {
            long size = Files.size(f.getValue());
            total += size;
            if (total > maxBytes) {
                throw new BadArchive("the artifacts are larger than " + maxBytes + " bytes");
            }
            list.addObject().put("path", f.getKey()).put("size", size).put("sha256", sha256(f.getValue()));
        }
        MessageDigest digest = sha256();
        try (OutputStream file = Files.newOutputStream(out);
             DigestOutputStream hashed = new DigestOutputStream(file, digest);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(hashed))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            byte[] m = CanonicalJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
            TarArchiveEntry me = new TarArchiveEntry(MANIFEST);
            me.setSize(m.length);
            tar.putArchiveEntry(me);
            tar.write(m);
            tar.closeArchiveEntry();
            for (Map.Entry<String, Path> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(Files.size(f.getValue()));
                e.setMode(Files.isExecutable(f.getValue()) ? 0755 : 0644);
                tar.putArchiveEntry(e);
                Files.copy(f.getValue(), tar);
                tar.closeArchiveEntry();
            }
        }
        return new Packed(HexFormat.of().formatHex(digest.digest()), Files.size(out), files.size());
    }

    /**
     * Reads an archive through and checks it: manifest first, then only plain files with safe
     * names, each listed in the manifest with its size and sha256, and every listed file present.
     *
     * @return the archive's sha256
     * @throws BadArchive naming the first problem
     */
    static String verify(Path archive, long maxBytes) throws IOException, BadArchive {
        try (InputStream file = Files.newInputStream(archive)) {
            return verify(file, maxBytes);
        }
    }

    /** {@link #verify(Path, long)} of an archive read from a stream (a stored artifact read back); the caller closes it. */
    static String verify(InputStream archive, long maxBytes) throws BadArchive {
        MessageDigest whole = sha256();
        try (InputStream file = archive;
             DigestInputStream hashed = new DigestInputStream(file, whole);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(hashed))) {
            TarArchiveEntry first = tar.getNextEntry();
            if (first == null || !first.getName().equals(MANIFEST) || first.getSize() > 10 * 1024 * 1024) {
                throw new BadArchive("the archive does not start with " + MANIFEST);
            }
            JsonNode manifest = CanonicalJson.JSON.readTree(tar.readAllBytes());
            Map<String, JsonNode> listed = new HashMap<>();
            manifest.path("files").forEach(f -> listed.put(f.path("path").asString(), f));
            List<String> seen = new ArrayList<>();
            long total = 0;
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                String problem = entryProblem(e);
                if (problem != null) {
                    throw new BadArchive("entry '" + ApiText.excerpt(e.getName()) + "' " + problem);
                }
                JsonNode f = listed.get(e.getName());
                if (f == null) {
                    throw new BadArchive("entry '" + ApiText.excerpt(e.getName()) + "' is not in the manifest");
                }
                MessageDigest d = sha256();
                long size = 0;
                byte[] buf = new byte[64 * 1024];
                for (int n = tar.read(buf); n >= 0; n = tar.read(buf)) {
                    d.update(buf, 0, n);
                    size += n;
                    total += n;
                    if (total > maxBytes) {
                        throw new BadArchive("the archive unpacks to more than " + maxBytes + " bytes");
                    }
                }
                if (size != f.path("size").asLong(-1) || !HexFormat.of().formatHex(d.digest()).equals(f.path("sha256").asString())) {
                    throw new BadArchive("entry '" + ApiText.excerpt(e.getName()) + "' does not match the manifest");
                }
                seen.add(e.getName());
            }
            if (seen.size() != listed.size()) {
                throw new BadArchive("the manifest lists files the archive lacks");
            }
            hashed.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            // a truncated or corrupt gzip/tar stream: refused like any other bad archive
            throw new BadArchive("the archive cannot be read: " + e.getClass().getSimpleName());
        }
        return HexFormat.of().formatHex(whole.digest());
    }

    /**
     * Why an entry's name or kind is refused, or null: a path that is absolute, has {@code ..},
     * backslashes, NUL or empty segments (zip-slip), or an entry that is not a plain file.
     */
    static String entryProblem(TarArchiveEntry e) {
        if (!e.isFile() || e.isSymbolicLink() || e.isLink()) {
            return "is not a plain file";
        }
        String name = e.getName();
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            return "has an unsafe name";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "has an unsafe name";
            }
        }
        return null;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), d)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
