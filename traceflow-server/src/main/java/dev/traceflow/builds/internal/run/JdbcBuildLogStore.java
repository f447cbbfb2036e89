package dev.traceflow.builds.internal.run;

import dev.traceflow.TraceFlowProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
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
 * Its parts: {@link BuildLogLines} is the table of lines, {@link BuildLogArchive} the archives (their
 * file format is there), {@link RunningBuildLog} a running build's state in memory.
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

    private final BuildLogLines table;
    private final BuildLogArchive archives;
    private final BuildLogProperties settings;
    private final Clock clock;
    private final Map<String, RunningBuildLog> logs = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Counter linesStored;
    private final Counter bytesStored;
    private final Counter secretsMasked;
    private final Counter linesCut;
    private final AppendPhases phases;

    public JdbcBuildLogStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, TransactionTemplate tx, BuildLogProperties settings,
                             TraceFlowProperties properties, Clock clock, MeterRegistry registry) {
        this.table = new BuildLogLines(jdbc, jdbcTemplate, tx);
        Path dir = settings.dir() != null ? settings.dir() : properties.dataDir().resolve("builds").resolve("logs");
        this.archives = new BuildLogArchive(jdbc, tx, table, dir, settings.pruneArchived(), clock);
        this.settings = settings;
        this.clock = clock;
        this.linesStored = Counter.builder("traceflow.builds.log.lines").description("build log lines stored").register(registry);
        this.bytesStored = Counter.builder("traceflow.builds.log.bytes").baseUnit("bytes")
                .description("build log bytes stored (UTF-8, after masking)").register(registry);
        this.secretsMasked = Counter.builder("traceflow.builds.log.masked")
                .description("occurrences of registered secrets masked in build logs").register(registry);
        this.linesCut = Counter.builder("traceflow.builds.log.cut").description("build log lines cut at the line limit").register(registry);
        this.phases = new AppendPhases(registry);
    }

    public void listen(Listener listener) {
        listeners.add(listener);
    }

    private RunningBuildLog log(String buildId) {
        return logs.computeIfAbsent(buildId, id -> {
            RunningBuildLog log = new RunningBuildLog(settings.recentLines(), table.lastCursor(id));
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
        RunningBuildLog log = log(buildId);
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
        RunningBuildLog log = log(buildId);
        long last;
        List<StoredLine> rows;
        synchronized (log) {
            if (log.ended) {
                throw new IllegalStateException("the log of build " + buildId + " has ended");
            }
            long stored = log.lastSeq.computeIfAbsent(attempt, a -> table.lastSeq(buildId, a));
            List<RunningBuildLog.Held> incoming = new ArrayList<>(log.held);
            long seq = firstSeq;
            for (LogLine line : lines) {
                if (seq > stored) {
                    incoming.add(new RunningBuildLog.Held(attempt, seq, line, clean(line.line())));
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

    private void told(String buildId, List<StoredLine> rows) {
        if (!rows.isEmpty()) {
            long start = System.nanoTime();
            for (Listener l : listeners) {
                l.appended(buildId, rows);
            }
            phases.ended(AppendPhases.Phase.TELL, start);
        }
    }

    /**
     * Masks, cuts, stores in one transaction, and only then changes the state (a failed insert changes nothing).
     *
     * @return the lines stored (none when masking holds them all back)
     */
    private List<StoredLine> store(String buildId, RunningBuildLog log, List<RunningBuildLog.Held> incoming, boolean end) {
        long start = System.nanoTime();
        SecretMasker.Result masked = log.masker.mask(incoming.stream().map(RunningBuildLog.Held::text).toList(), end);
        List<StoredLine> rows = new ArrayList<>(masked.released().size());
        List<BuildLogLines.Row> inserts = new ArrayList<>(masked.released().size());
        long cursor = log.lastCursor;
        long bytes = 0;
        int cut = 0;
        for (int i = 0; i < masked.released().size(); i++) {
            RunningBuildLog.Held h = incoming.get(i);
            String text = masked.released().get(i);
            if (text.length() > settings.maxLineChars()) {
                text = text.substring(0, settings.maxLineChars()) + " [cut: " + (text.length() - settings.maxLineChars()) + " more characters]";
                cut++;
            }
            cursor++;
            StoredLine row = new StoredLine(cursor, h.meta().ts().truncatedTo(ChronoUnit.MILLIS), h.meta().level(), h.meta().stage(), text);
            rows.add(row);
            inserts.add(new BuildLogLines.Row(h.attempt(), h.seq(), row));
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
        }
        if (!inserts.isEmpty()) {
            start = phases.ended(AppendPhases.Phase.MASK, start);
            table.insert(buildId, inserts);
            start = phases.ended(AppendPhases.Phase.INSERT, start);
            table.writeOut();
            phases.ended(AppendPhases.Phase.WRITE_OUT, start);
        }
        log.lastCursor = cursor;
        log.held.clear();
        for (int i = masked.released().size(); i < incoming.size(); i++) {
            RunningBuildLog.Held h = incoming.get(i);
            log.held.add(new RunningBuildLog.Held(h.attempt(), h.seq(), h.meta(), masked.held().get(i - masked.released().size())));
        }
        log.rememberLocked(rows);
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
        RunningBuildLog log = log(buildId);
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
            ref = archives.write(buildId, status, log.lastCursor);
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

    /** An ended build's archive. */
    public record Archive(String buildId, String status, String logsRef, long lines, long bytes, String sha256, boolean pruned) {
    }

    public Optional<Archive> archived(String buildId) {
        return archives.find(buildId);
    }

    /** The archive's file; it exists once {@link #archived} says so. */
    public Path archiveFile(Archive archive) {
        return archives.file(archive);
    }

    /** The build's last stored cursor (0 when it has none). */
    public long lastCursor(String buildId) {
        RunningBuildLog log = logs.get(buildId);
        if (log != null) {
            synchronized (log) {
                return log.lastCursor;
            }
        }
        Optional<Archive> archive = archived(buildId);
        if (archive.isPresent()) {
            return archive.get().lines();
        }
        return table.lastCursor(buildId);
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
        RunningBuildLog running = logs.get(buildId);
        if (running != null) {
            // a running build's followers read here at every append: answered from memory without a query when possible
            synchronized (running) {
                List<StoredLine> recent = running.recentLocked(after, limit);
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
            lines = archive.isPresent() && archive.get().pruned() ? archives.read(archive.get(), after, limit)
                    : table.select(buildId, after, limit);
        }
        long next = lines.isEmpty() ? after : lines.getLast().cursor();
        boolean done = archive.isPresent() && next >= archive.get().lines();
        return new LogPage(lines, next, done, archive.map(Archive::status).orElse(null));
    }

    /** From memory when the running build's recent lines reach back to {@code after + 1}; null otherwise. */
    private List<StoredLine> recent(String buildId, long after, int limit) {
        RunningBuildLog log = logs.get(buildId);
        if (log == null) {
            return null;
        }
        synchronized (log) {
            return log.recentLocked(after, limit);
        }
    }
}
