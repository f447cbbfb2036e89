package dev.traceflow.builds.internal.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Ended builds' logs as archives: one text file per build, {@code <dir>/<buildId>.log}, one line per
 * log line ({@code <ts> <level> <stage> <line>}, ISO-8601 UTC, the line as stored; line n of the file
 * is cursor n), and one row of {@code build_log_archives} per file, with its size and SHA-256.
 */
final class BuildLogArchive {

    private static final Logger LOG = LoggerFactory.getLogger(BuildLogArchive.class);
    /** lines read from the database per query while a file is written */
    private static final int PAGE = 5000;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final BuildLogLines lines;
    private final Path dir;
    private final boolean pruneArchived;
    private final Clock clock;

    BuildLogArchive(JdbcClient jdbc, TransactionTemplate tx, BuildLogLines lines, Path dir, boolean pruneArchived, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.lines = lines;
        this.dir = dir;
        this.pruneArchived = pruneArchived;
        this.clock = clock;
    }

    /**
     * Writes the file (atomically: a temporary file renamed), then its row; then, when configured, prunes the rows.
     *
     * @param lineCount the build's last cursor: how many lines the file holds
     * @return the archive's reference (its file name in the directory)
     */
    String write(String buildId, String status, long lineCount) {
        String ref = buildId + ".log";
        Path file = dir.resolve(ref);
        long bytes;
        String sha256;
        try {
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, buildId, ".part");
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (DigestOutputStream out = new DigestOutputStream(Files.newOutputStream(temporary), digest);
                 BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
                long after = 0;
                while (true) {
                    List<StoredLine> page = lines.select(buildId, after, PAGE);
                    for (StoredLine line : page) {
                        writer.write(line.ts() + " " + line.level() + " " + line.stage() + " " + line.line());
                        writer.write('\n');
                    }
                    if (page.size() < PAGE) {
                        break;
                    }
                    after = page.getLast().cursor();
                }
            }
            bytes = Files.size(temporary);
            sha256 = HexFormat.of().formatHex(digest.digest());
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not archive the log of build " + buildId, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        tx.executeWithoutResult(s -> {
            jdbc.sql("INSERT INTO build_log_archives (build_id, status, logs_ref, lines, bytes, sha256, lines_pruned, finished_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(buildId, status, ref, lineCount, bytes, sha256, pruneArchived,
                            OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)).update();
            if (pruneArchived) {
                lines.deleteAll(buildId);
            }
        });
        LOG.debug("Archived the log of build {}: {} lines, {} bytes", buildId, lineCount, bytes);
        return ref;
    }

    Optional<JdbcBuildLogStore.Archive> find(String buildId) {
        return jdbc.sql("SELECT build_id, status, logs_ref, lines, bytes, sha256, lines_pruned FROM build_log_archives WHERE build_id = ?")
                .param(buildId).query((rs, n) -> new JdbcBuildLogStore.Archive(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getLong(4), rs.getLong(5), rs.getString(6), rs.getBoolean(7))).optional();
    }

    /** The archive's file; it exists once {@link #find} finds the archive. */
    Path file(JdbcBuildLogStore.Archive archive) {
        return dir.resolve(archive.logsRef());
    }

    /** Up to {@code limit} lines after cursor {@code after}, read from the archive's file. */
    List<StoredLine> read(JdbcBuildLogStore.Archive archive, long after, int limit) {
        List<StoredLine> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file(archive), StandardCharsets.UTF_8)) {
            long cursor = 0;
            for (String text = reader.readLine(); text != null && out.size() < limit; text = reader.readLine()) {
                if (++cursor <= after) {
                    continue;
                }
                String[] parts = text.split(" ", 4);
                out.add(new StoredLine(cursor, Instant.parse(parts[0]), parts[1], parts[2], parts.length > 3 ? parts[3] : ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the archived log of build " + archive.buildId(), e);
        }
        return out;
    }
}
