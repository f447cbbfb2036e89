package dev.traceflow.builds.internal.run;

import dev.traceflow.TraceFlowProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * The durable build log (issue 21, item 6) on the metadata database: {@code build_log_lines}, one
 * row per masked line with its gapless per-build cursor, and {@code build_log_archives}, one row per
 * ended build whose log was archived as one text file.
 * <p>
 * One ordered store for everyone: REST reads, follower replays and live delivery all read lines by
 * cursor from here (running builds' recent lines from memory, the rest from the database), so a
 * follower that replays and then goes live sees each line once (Concourse's lesson).
 * <p>
 * Writes of one build are serialised on its state; lines are committed before {@link #append}
 * returns. Masking holds back lines that may be the start of a secret the next lines complete: those
 * are accepted (a resend skips them) but stored with the next append or at {@link #finish}; a server
 * that dies in between loses them, at most the few lines that end in a secret's beginning. The
 * secrets themselves live only in memory: the worker registers them at the start of every attempt.
 * <p>
 * The archive is {@code <dir>/<buildId>.log}, one line per log line: {@code <ts> <level> <stage> <line>}
 * (ISO-8601 UTC, the line as stored); line n of the file is cursor n.
 */
@Component
public class JdbcBuildLogStore implements BuildLogSink {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBuildLogStore.class);
    private static final Pattern BUILD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,35}");
    private static final Set<String> LEVELS = Set.of("info", "warn", "error");
    private static final Set<String> STAGES = Set.of("fetch", "replace", "build", "package", "output", "verify");
    private static final Set<String> STATUSES = Set.of("success", "fail", "canceled");
    private static final Duration ENDED_KEPT = Duration.ofMinutes(2);

    /** Told after lines were stored and after a log ended; called outside the build's lock, must not block. */
    public interface Listener {
        /**
         * Lines were committed: {@code lines} (not empty, in cursor order, gapless) as they are stored. Calls for
         * one build may overlap, and in rare races come out of order; a listener that keeps lines checks the cursors.
         */
        void appended(String buildId, List<StoredLine> lines);

        /** The log ended with {@code status}; the lines stored at the end were told to {@link #appended} before. */
        void ended(String buildId, String status);
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final TransactionTemplate tx;
    private final BuildLogProperties settings;
    private final Path dir;
    private final Clock clock;
    private final Map<String, BuildLog> logs = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Counter linesStored;
    private final Counter bytesStored;
    private final Counter secretsMasked;
    private final Counter linesCut;
    private volatile Boolean onH2;

    public JdbcBuildLogStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, TransactionTemplate tx, BuildLogProperties settings,
                             TraceFlowProperties properties, Clock clock, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.tx = tx;
        this.settings = settings;
        this.dir = settings.dir() != null ? settings.dir() : properties.dataDir().resolve("builds").resolve("logs");
        this.clock = clock;
        this.linesStored = Counter.builder("traceflow.builds.log.lines").description("build log lines stored").register(registry);
        this.bytesStored = Counter.builder("traceflow.builds.log.bytes").baseUnit("bytes")
                .description("build log bytes stored (UTF-8, after masking)").register(registry);
        this.secretsMasked = Counter.builder("traceflow.builds.log.masked")
                .description("occurrences of registered secrets masked in build logs").register(registry);
        this.linesCut = Counter.builder("traceflow.builds.log.cut").description("build log lines cut at the line limit").register(registry);
    }

    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** A running build's log state: what masking holds back, the writers' last seq, the recent lines. Guarded by itself. */
    private static final class BuildLog {
        BuildLog(int recentLines) {
            recent = new StoredLine[Math.max(1, recentLines)];
        }

        final SecretMasker masker = new SecretMasker();
        final Map<Integer, Long> lastSeq = new HashMap<>();
        final List<Held> held = new ArrayList<>();
        /** the last lines stored since this state was made: cursor c in slot (c - 1) % length */
        final StoredLine[] recent;
        long firstInMemory;
        int secrets;
        long lastCursor;
        volatile boolean ended;
        String status;
        volatile long endedAt;
    }

    private record Held(int attempt, long seq, LogLine meta, String text) {
    }

    private BuildLog log(String buildId) {
        return logs.computeIfAbsent(buildId, id -> {
            BuildLog log = new BuildLog(settings.recentLines());
            log.lastCursor = jdbc.sql("SELECT COALESCE(MAX(cursor), 0) FROM build_log_lines WHERE build_id = ?").param(id)
                    .query(Long.class).single();
            log.firstInMemory = log.lastCursor + 1;
            Optional<Archive> archive = archived(id);
            log.ended = archive.isPresent();
            log.status = archive.map(Archive::status).orElse(null);
            log.endedAt = clock.millis();
            return log;
        });
    }

    static void checkBuildId(String buildId) {
        if (buildId == null || !BUILD_ID.matcher(buildId).matches()) {
            throw new IllegalArgumentException("a build id is 1-36 letters, digits, '-' or '_'");
        }
    }

    @Override
    public void registerSecrets(String buildId, Collection<String> secrets) {
        checkBuildId(buildId);
        BuildLog log = log(buildId);
        synchronized (log) {
            if (log.secrets + secrets.size() > settings.maxSecretsPerBuild()) {
                throw new IllegalArgumentException("a build may register at most " + settings.maxSecretsPerBuild() + " secrets");
            }
            log.secrets += log.masker.add(secrets, settings.minSecretChars());
        }
    }

    @Override
    public long append(String buildId, int attempt, long firstSeq, List<LogLine> lines) {
        checkBuildId(buildId);
        if (attempt < 1 || firstSeq < 1) {
            throw new IllegalArgumentException("attempt and seq count from 1");
        }
        if (lines.size() > settings.maxLinesPerAppend()) {
            throw new IllegalArgumentException("an append carries at most " + settings.maxLinesPerAppend() + " lines");
        }
        for (LogLine line : lines) {
            check(line);
        }
        BuildLog log = log(buildId);
        long last;
        List<StoredLine> rows;
        synchronized (log) {
            if (log.ended) {
                throw new IllegalStateException("the log of build " + buildId + " has ended");
            }
            long stored = log.lastSeq.computeIfAbsent(attempt, a -> jdbc.sql(
                    "SELECT COALESCE(MAX(seq), 0) FROM build_log_lines WHERE build_id = ? AND attempt = ?").params(buildId, a)
                    .query(Long.class).single());
            List<Held> incoming = new ArrayList<>(log.held);
            long seq = firstSeq;
            for (LogLine line : lines) {
                if (seq > stored) {
                    incoming.add(new Held(attempt, seq, line, clean(line.line())));
                }
                seq++;
            }
            if (incoming.size() == log.held.size()) {
                return log.lastCursor; // a resend of what is stored (or held) already
            }
            rows = store(buildId, log, incoming, false);
            log.lastSeq.put(attempt, Math.max(stored, firstSeq + lines.size() - 1));
            last = log.lastCursor;
        }
        told(buildId, rows);
        return last;
    }

    /**
     * H2 keeps committed changes in memory for up to its write delay (500 ms) before it writes them to
     * its file, so a server killed with SIGKILL would lose lines it already acknowledged; a checkpoint
     * writes them out before the append answers (PostgreSQL's commit is durable by itself).
     */
    private void writtenOut() {
        Boolean h2 = onH2;
        if (h2 == null) {
            h2 = jdbcTemplate.execute((ConnectionCallback<Boolean>) c -> c.getMetaData().getDatabaseProductName().equals("H2"));
            onH2 = h2;
        }
        if (Boolean.TRUE.equals(h2)) {
            jdbcTemplate.execute("CHECKPOINT");
        }
    }

    private void told(String buildId, List<StoredLine> rows) {
        if (!rows.isEmpty()) {
            for (Listener l : listeners) {
                l.appended(buildId, rows);
            }
        }
    }

    /**
     * Masks, cuts, stores in one transaction, and only then changes the state (a failed insert changes nothing).
     *
     * @return the lines stored (none when masking holds them all back)
     */
    private List<StoredLine> store(String buildId, BuildLog log, List<Held> incoming, boolean end) {
        SecretMasker.Result masked = log.masker.mask(incoming.stream().map(Held::text).toList(), end);
        List<StoredLine> rows = new ArrayList<>(masked.released().size());
        List<Object[]> params = new ArrayList<>(masked.released().size());
        long cursor = log.lastCursor;
        long bytes = 0;
        int cut = 0;
        for (int i = 0; i < masked.released().size(); i++) {
            Held h = incoming.get(i);
            String text = masked.released().get(i);
            if (text.length() > settings.maxLineChars()) {
                text = text.substring(0, settings.maxLineChars()) + " [cut: " + (text.length() - settings.maxLineChars()) + " more characters]";
                cut++;
            }
            cursor++;
            StoredLine row = new StoredLine(cursor, h.meta().ts().truncatedTo(ChronoUnit.MILLIS), h.meta().level(), h.meta().stage(), text);
            rows.add(row);
            params.add(new Object[]{buildId, cursor, h.attempt(), h.seq(), OffsetDateTime.ofInstant(row.ts(), ZoneOffset.UTC),
                    row.level(), row.stage(), text});
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
        }
        if (!params.isEmpty()) {
            tx.executeWithoutResult(s -> jdbcTemplate.batchUpdate(
                    "INSERT INTO build_log_lines (build_id, cursor, attempt, seq, ts, level, stage, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    params));
            writtenOut();
        }
        log.lastCursor = cursor;
        log.held.clear();
        for (int i = masked.released().size(); i < incoming.size(); i++) {
            Held h = incoming.get(i);
            log.held.add(new Held(h.attempt(), h.seq(), h.meta(), masked.held().get(i - masked.released().size())));
        }
        for (StoredLine row : rows) {
            log.recent[(int) ((row.cursor() - 1) % log.recent.length)] = row;
        }
        linesStored.increment(rows.size());
        bytesStored.increment(bytes);
        secretsMasked.increment(masked.found());
        linesCut.increment(cut);
        return List.copyOf(rows);
    }

    private static void check(LogLine line) {
        if (line == null || line.ts() == null || line.line() == null) {
            throw new IllegalArgumentException("a log line has a ts and a line");
        }
        if (!LEVELS.contains(line.level())) {
            throw new IllegalArgumentException("level is info, warn or error");
        }
        if (!STAGES.contains(line.stage())) {
            throw new IllegalArgumentException("stage is fetch, replace, build, package, output or verify");
        }
    }

    /** One line stays one line (the archive has one per row); NUL, which PostgreSQL's text refuses, becomes U+FFFD. */
    private static String clean(String line) {
        if (line.indexOf('\n') < 0 && line.indexOf('\r') < 0 && line.indexOf('\0') < 0) {
            return line;
        }
        return line.replace('\n', ' ').replace('\r', ' ').replace('\0', '\uFFFD');
    }

    @Override
    public String finish(String buildId, String status) {
        checkBuildId(buildId);
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("status is success, fail or canceled");
        }
        BuildLog log = log(buildId);
        String ref;
        List<StoredLine> rows = List.of();
        synchronized (log) {
            Optional<Archive> existing = archived(buildId);
            if (existing.isPresent()) {
                log.ended = true;
                return existing.get().logsRef();
            }
            if (!log.held.isEmpty()) {
                rows = store(buildId, log, new ArrayList<>(log.held), true);
            }
            ref = archive(buildId, status, log.lastCursor);
            log.status = status;
            log.endedAt = clock.millis();
            log.ended = true;
        }
        // an ended log stays in memory a while: its followers are often still reading its last lines
        long forgetBefore = clock.millis() - ENDED_KEPT.toMillis();
        logs.values().removeIf(l -> l.ended && l.endedAt < forgetBefore);
        told(buildId, rows);
        for (Listener l : listeners) {
            l.ended(buildId, status);
        }
        return ref;
    }

    /** Writes the file (atomically: a temporary file renamed), then its row; then, when configured, prunes the rows. */
    private String archive(String buildId, String status, long lines) {
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
                    List<StoredLine> page = select(buildId, after, 5000);
                    for (StoredLine line : page) {
                        writer.write(line.ts() + " " + line.level() + " " + line.stage() + " " + line.line());
                        writer.write('\n');
                    }
                    if (page.size() < 5000) {
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
                    .params(buildId, status, ref, lines, bytes, sha256, settings.pruneArchived(),
                            OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)).update();
            if (settings.pruneArchived()) {
                jdbc.sql("DELETE FROM build_log_lines WHERE build_id = ?").param(buildId).update();
            }
        });
        LOG.debug("Archived the log of build {}: {} lines, {} bytes", buildId, lines, bytes);
        return ref;
    }

    /** An ended build's archive. */
    public record Archive(String buildId, String status, String logsRef, long lines, long bytes, String sha256, boolean pruned) {
    }

    public Optional<Archive> archived(String buildId) {
        return jdbc.sql("SELECT build_id, status, logs_ref, lines, bytes, sha256, lines_pruned FROM build_log_archives WHERE build_id = ?")
                .param(buildId).query((rs, n) -> new Archive(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), rs.getString(6), rs.getBoolean(7))).optional();
    }

    /** The archive's file; it exists once {@link #archived} says so. */
    public Path archiveFile(Archive archive) {
        return dir.resolve(archive.logsRef());
    }

    /** The build's last stored cursor (0 when it has none). */
    public long lastCursor(String buildId) {
        BuildLog log = logs.get(buildId);
        if (log != null) {
            synchronized (log) {
                return log.lastCursor;
            }
        }
        Optional<Archive> archive = archived(buildId);
        if (archive.isPresent()) {
            return archive.get().lines();
        }
        return jdbc.sql("SELECT COALESCE(MAX(cursor), 0) FROM build_log_lines WHERE build_id = ?").param(buildId)
                .query(Long.class).single();
    }

    /**
     * Up to {@code limit} lines after {@code after}, in cursor order, with whether the log has ended
     * there. The ended state is read before the lines, so {@code done} is never true while a line
     * after the page could still come.
     */
    public LogPage read(String buildId, long after, int limit) {
        return read(buildId, after, limit, null);
    }

    /**
     * As {@link #read(String, long, int)}; what must come from the database waits for a permit of
     * {@code databaseReads} (null: none), so that many followers catching up at once leave the
     * connection pool to the writers and everyone else. Lines memory holds never wait.
     */
    public LogPage read(String buildId, long after, int limit, Semaphore databaseReads) {
        checkBuildId(buildId);
        BuildLog running = logs.get(buildId);
        if (running != null) {
            // a running build's followers read here at every append: answered from memory without a query when possible
            synchronized (running) {
                List<StoredLine> recent = recentLocked(running, after, limit);
                if (recent != null) {
                    long next = recent.isEmpty() ? after : recent.getLast().cursor();
                    return new LogPage(recent, next, running.ended && next >= running.lastCursor, running.ended ? running.status : null);
                }
            }
        }
        if (databaseReads != null) {
            databaseReads.acquireUninterruptibly();
        }
        try {
            return readStored(buildId, after, limit);
        } finally {
            if (databaseReads != null) {
                databaseReads.release();
            }
        }
    }

    private LogPage readStored(String buildId, long after, int limit) {
        Optional<Archive> archive = archived(buildId);
        List<StoredLine> lines = recent(buildId, after, limit);
        if (lines == null) {
            lines = archive.isPresent() && archive.get().pruned() ? fromArchive(archive.get(), after, limit) : select(buildId, after, limit);
        }
        long next = lines.isEmpty() ? after : lines.getLast().cursor();
        boolean done = archive.isPresent() && next >= archive.get().lines();
        return new LogPage(lines, next, done, archive.map(Archive::status).orElse(null));
    }

    /** From memory when the running build's recent lines reach back to {@code after + 1}; null otherwise. */
    private List<StoredLine> recent(String buildId, long after, int limit) {
        BuildLog log = logs.get(buildId);
        if (log == null) {
            return null;
        }
        synchronized (log) {
            return recentLocked(log, after, limit);
        }
    }

    /** The lines after {@code after} that memory holds, or null when it does not reach back that far. */
    private static List<StoredLine> recentLocked(BuildLog log, long after, int limit) {
        if (after >= log.lastCursor) {
            return List.of();
        }
        long lowest = Math.max(log.firstInMemory, log.lastCursor - log.recent.length + 1);
        if (after + 1 < lowest) {
            return null;
        }
        long last = Math.min(log.lastCursor, after + limit);
        List<StoredLine> out = new ArrayList<>((int) (last - after));
        for (long c = after + 1; c <= last; c++) {
            out.add(log.recent[(int) ((c - 1) % log.recent.length)]);
        }
        return out;
    }

    private List<StoredLine> select(String buildId, long after, int limit) {
        return jdbc.sql("SELECT cursor, ts, level, stage, line FROM build_log_lines WHERE build_id = ? AND cursor > ? "
                        + "ORDER BY cursor LIMIT ?")
                .params(buildId, after, limit).query(JdbcBuildLogStore::row).list();
    }

    private static StoredLine row(ResultSet rs, int n) throws SQLException {
        return new StoredLine(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3), rs.getString(4),
                rs.getString(5));
    }

    private List<StoredLine> fromArchive(Archive archive, long after, int limit) {
        List<StoredLine> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(archiveFile(archive), StandardCharsets.UTF_8)) {
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
