package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.LongHashSet;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.RecentEventIds;
import dev.traceflow.core.storage.WriteResult;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The loader's write path, one round into a fresh DuckDB file, for {@code LoaderBenchmark}: the
 * same instance settings and attachment as the server ({@link EventDatabase}, the migrations), and
 * one of three ways to store each transaction:
 *
 * <ul>
 *   <li>{@code consumer}: {@link DuckDbEventConsumer#store} itself (Arrow import since issue 14),
 *       timed as a whole;</li>
 *   <li>{@code arrow}: the same steps (position, de-duplication, Arrow import, day versions,
 *       commit) copied here so each can be timed;</li>
 *   <li>{@code appender}: those steps with DuckDB's Appender, the store path before issue 14 (a
 *       native call per value), kept here as the baseline.</li>
 * </ul>
 *
 * In the storage package (but built with the harness) because the rows and the consumer are the
 * package's own; the server does not carry it.
 */
public final class LoaderProbe {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * One round's costs, nanoseconds of the storing thread's CPU unless named otherwise.
     *
     * @param append  the Appender's calls, or filling the Arrow vectors
     * @param flush   the Appender's flush, or the {@code INSERT ... SELECT} from the Arrow stream
     * @param commit  the commit
     * @param other   the position update, de-duplication and day versions
     * @param process the whole process's CPU (DuckDB's own threads, GC, JIT included)
     * @param written bytes the process wrote to storage ({@code /proc/self/io})
     */
    public record Round(String variant, long events, long thread, long append, long flush, long commit, long other,
                        long process, long wall, long written, long fileBytes, long walBytes, long rows,
                        String checksum) {
    }

    private LoaderProbe() {
    }

    /** The events as the request threads prepare them for DuckDB. */
    public static PreparedEvents prepare(List<Event> events) {
        return DuckDbRows.encode(events);
    }

    static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /**
     * Stores every transaction into a new database at {@code file} (deleted first), then closes it.
     *
     * @param instanceSettings DuckDB instance settings (threads, memory_limit, checkpoint_threshold...)
     * @param sql              statements run on the storing connection before the first transaction
     */
    public static Round round(String variant, Path file, int rowGroupSize, Properties instanceSettings,
                              List<String> sql, List<List<PreparedEvents>> transactions) throws SQLException, IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + ".wal"));
        long events = 0;
        long[] t = new long[4];
        long written0 = writtenBytes();
        long process0 = OS.getProcessCpuTime();
        long wall0 = System.nanoTime();
        long thread0 = cpu();
        long walBytes = 0;
        try (EventDatabase db = new EventDatabase(file.toString(), rowGroupSize, instanceSettings)) {
            DuckDbSchema.migrate(db.root());
            DuckDBConnection c = db.connect();
            try (Statement st = c.createStatement()) {
                for (String s : sql) {
                    st.execute(s);
                }
            }
            thread0 = cpu();
            process0 = OS.getProcessCpuTime();
            wall0 = System.nanoTime();
            written0 = writtenBytes();
            long position = 0;
            switch (variant) {
                case "consumer" -> {
                    DuckDbEventConsumer consumer = new DuckDbEventConsumer(c, 1_000_000, rowGroupSize, () -> {
                    }, new ReentrantLock());
                    thread0 = cpu();
                    for (List<PreparedEvents> tx : transactions) {
                        WriteResult r = consumer.store(tx, ++position);
                        events += r.stored();
                    }
                    walBytes = walBytes(file);
                    consumer.close();
                }
                case "appender", "arrow" -> {
                    try (Steps steps = new Steps(c, variant.equals("arrow"))) {
                        for (List<PreparedEvents> tx : transactions) {
                            events += steps.store(tx, ++position, t);
                        }
                        walBytes = walBytes(file);
                    }
                }
                default -> throw new IllegalArgumentException("unknown variant " + variant);
            }
        }
        long thread = cpu() - thread0;
        long wall = System.nanoTime() - wall0;
        long process = OS.getProcessCpuTime() - process0;
        long written = writtenBytes() - written0;
        long fileBytes = Files.size(file);
        long rows;
        String checksum;
        // what was stored, whatever the variant: the same rows give the same sum of row hashes
        try (EventDatabase db = new EventDatabase(file.toString(), rowGroupSize, instanceSettings);
             Statement st = db.root().createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(hash(e))::VARCHAR FROM events e")) {
            rs.next();
            rows = rs.getLong(1);
            checksum = rs.getString(2);
        }
        return new Round(variant, events, thread, t[0], t[1], t[2], t[3], process, wall, written, fileBytes, walBytes,
                rows, checksum);
    }

    private static long walBytes(Path file) throws IOException {
        Path wal = Path.of(file + ".wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    /** {@code write_bytes} of {@code /proc/self/io}, or -1 where there is none. */
    static long writtenBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring(12).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {@link DuckDbEventConsumer#store}'s steps, each timed; Appender or Arrow for the rows. */
    private static final class Steps implements AutoCloseable {
        private final DuckDBConnection c;
        private final boolean arrow;
        private final DuckDbDayVersions dayVersions;
        private final PreparedStatement position;
        private final DuckDbArrowImport arrowImport;
        private final RecentEventIds ids = new RecentEventIds(1_000_000);
        private DuckDBAppender appender;

        Steps(DuckDBConnection c, boolean arrow) throws SQLException {
            this.c = c;
            this.arrow = arrow;
            c.setAutoCommit(false);
            this.dayVersions = new DuckDbDayVersions(c);
            this.position = c.prepareStatement(
                    "UPDATE journal_position SET position = CASE WHEN ? >= 0 THEN ? ELSE position END");
            this.arrowImport = arrow ? new DuckDbArrowImport(c) : null;
        }

        long store(List<PreparedEvents> tx, long at, long[] t) throws SQLException {
            long start = cpu();
            List<DuckDbRows.Batch> rows = new ArrayList<>(tx.size());
            for (PreparedEvents p : tx) {
                rows.add((DuckDbRows.Batch) p);
            }
            BitSet duplicates = new BitSet();
            LongHashSet inThisCall = new LongHashSet(1 << 16);
            int row = 0;
            for (DuckDbRows.Batch r : rows) {
                for (int i = 0; i < r.size(); i++, row++) {
                    long key = r.key(i);
                    if (key != 0 && (ids.contains(key) || !inThisCall.add(key))) {
                        duplicates.set(row);
                    }
                }
            }
            position.setLong(1, at);
            position.setLong(2, at);
            position.executeUpdate();
            DuckDbDayVersions.Days days = new DuckDbDayVersions.Days();
            row = 0;
            for (DuckDbRows.Batch r : rows) {
                for (int i = 0; i < r.size(); i++, row++) {
                    if (!duplicates.get(row)) {
                        days.add(r, i);
                    }
                }
            }
            long appendStart = cpu();
            t[3] += appendStart - start;
            long stored = 0;
            long flushStart;
            if (arrow) {
                ArrowReader filled = arrowImport.fill(rows, duplicates);
                flushStart = cpu();
                t[0] += flushStart - appendStart;
                stored = arrowImport.load(filled);
            } else {
                if (appender == null) {
                    appender = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events");
                }
                row = 0;
                for (DuckDbRows.Batch r : rows) {
                    for (int i = 0; i < r.size(); i++, row++) {
                        if (!duplicates.get(row)) {
                            append(appender, r, i);
                            stored++;
                        }
                    }
                }
                flushStart = cpu();
                t[0] += flushStart - appendStart;
                appender.flush();
            }
            long daysStart = cpu();
            t[1] += daysStart - flushStart;
            dayVersions.stored(days);
            long commitStart = cpu();
            t[3] += commitStart - daysStart;
            c.commit();
            long after = cpu();
            t[2] += after - commitStart;
            row = 0;
            for (DuckDbRows.Batch r : rows) {
                for (int i = 0; i < r.size(); i++, row++) {
                    long key = r.key(i);
                    if (key != 0 && !duplicates.get(row)) {
                        ids.add(key);
                    }
                }
            }
            t[3] += cpu() - after;
            return stored;
        }

        /** Row {@code row} of a batch through the Appender, a call per value, in table order ({@link DuckDbRows}). */
        private static void append(DuckDBAppender a, DuckDbRows.Batch b, int row) throws SQLException {
            int r = b.from() + row;
            int s = b.firstCell(row);
            // a copy per value: the Appender takes whole arrays (its cost here is part of what this path measures)
            a.beginRow();
            a.append(b.bytes(s));
            a.append(b.bytes(s + 1));
            a.appendEpochMicros(b.micros()[r]);
            for (int i = 2; i < 8; i++) {
                a.append(b.bytes(s + i));
            }
            append(a, b.values(), r);
            for (int i = 8; i < DuckDbRows.STRINGS; i++) {
                a.append(b.bytes(s + i));
            }
            for (int i = 0; i < DuckDbRows.TRAILING_DOUBLES; i++) {
                append(a, b.trailing(), r * DuckDbRows.TRAILING_DOUBLES + i);
            }
            a.endRow();
        }

        private static void append(DuckDBAppender a, DuckDbRows.Doubles cells, int cell) throws SQLException {
            if (cells.present()[cell]) {
                a.append(cells.values()[cell]);
            } else {
                a.append((Double) null);
            }
        }

        @Override
        public void close() throws SQLException {
            if (appender != null) {
                appender.close();
            }
            position.close();
            dayVersions.close();
            if (arrowImport != null) {
                arrowImport.close();
            }
            c.close();
        }
    }
}
