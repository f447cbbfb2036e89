package dev.traceflow.storage.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * An append-only log of accepted ingest requests, written and fsynced before the 202, so that the
 * answer does not wait for the event store's (much dearer) commit. A loader moves records into the
 * store later, in big transactions, and records there how far it got; after a crash the journal
 * replays only the records after that position.
 *
 * <p>Records live in segment files named by the journal position where they start
 * ({@code 00000000000000000000.journal}); a position is a byte offset over all records ever
 * written, so it only grows; a record's position is the offset just after it. The files' bytes,
 * their header and their records, are {@link JournalSegmentFormat}'s.
 *
 * <p>Loaded segments are kept as spares ({@code <name>.spare}, at most {@value #SPARES}) and renamed
 * into the next segment, whose records then overwrite the old ones instead of growing a file: ext4
 * commits its own journal for every size change, and an {@code fdatasync} after an append cost
 * twice what it costs after an overwrite (README, "Query benchmark", nineteenth session). The old
 * records left after the last new one cannot pass for new ones, since their CRC covers another
 * position. Segments of format 1 (no header; written before 2026-12-07) are still read, never
 * written to again.
 *
 * <p>One thread appends. {@link #deleteLoadedSegments} may run on another (the loader): it only
 * retires segments that end at or before the loaded position, which no append touches again,
 * since a segment is closed for writing before the next one (whose name is its end) exists; and
 * the appending thread only takes spares, which the other never touches once made.
 */
final class IngestJournal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestJournal.class);
    private static final String SUFFIX = ".journal";
    private static final String SPARE_SUFFIX = ".spare";
    /** Loaded segments kept for reuse: at the maximum ingest rate a 64 MiB segment fills in ~3 s, about a load's period. */
    static final int SPARES = 2;

    /** One accepted request: its app, how many events, and the events in a journal format. */
    record Entry(String appId, int events, byte[] batch) {
    }

    /** An entry read back at start, with its position and the position where its record starts. */
    record Replayed(Entry entry, long start, long position) {
    }

    private final JournalFiles files;
    private final long segmentBytes;
    private JournalFiles.Segment active;
    /** Read by the loader thread in deleteLoadedSegments while the journal thread rolls. */
    private volatile long activeBase;
    private long end;
    /** The active segment holds no record: its header goes with the next append. */
    private boolean headerPending;
    /** The last append failed: the next one starts a fresh segment first (see {@link #append}). */
    private boolean failed;

    private IngestJournal(JournalFiles files, long segmentBytes) {
        this.files = files;
        this.segmentBytes = segmentBytes;
    }

    /** {@link #open(JournalFiles, long, long, Consumer)} on the real files of {@code dir}, created when missing. */
    static IngestJournal open(Path dir, long segmentBytes, long loadedPosition, Consumer<Replayed> replay) throws IOException {
        return open(new FileJournalFiles(dir), segmentBytes, loadedPosition, replay);
    }

    /**
     * Opens the journal and hands every record after {@code loadedPosition} to {@code replay},
     * oldest first. A record cut short or garbled by a crash (it was never acknowledged: the answer
     * waits for the force) ends its segment's replay: in a segment of format 1 it is cut off the
     * file with everything after it, in one of format 2 the next append overwrites it.
     */
    static IngestJournal open(JournalFiles files, long segmentBytes, long loadedPosition, Consumer<Replayed> replay)
            throws IOException {
        IngestJournal journal = new IngestJournal(files, segmentBytes);
        List<Long> bases = segmentBases(files.list());
        long end = 0;
        boolean lastHeaded = false;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            if (base < end) {
                throw new IOException("journal segment " + name(base) + " overlaps the one before it; the journal folder "
                        + files.describe() + " was modified by hand");
            }
            Scanned scanned = journal.scan(base, loadedPosition, replay);
            end = scanned.end();
            lastHeaded = scanned.headed();
        }
        journal.end = end;
        if (end < loadedPosition) {
            // the store is ahead of this journal (its folder was emptied): continue after the
            // store's position, or new records would look loaded already after a crash
            journal.end = loadedPosition;
            journal.roll(false);
        } else if (lastHeaded && end - bases.getLast() < segmentBytes) {
            JournalFiles.Segment last = files.open(name(bases.getLast()), false);
            journal.start(last, bases.getLast());
        } else {
            // a segment of format 1 is not written to again: records of two formats in one file
            // would have to be told apart by more than their CRC
            journal.roll(false);
        }
        return journal;
    }

    /**
     * Reads one segment, replays its records past {@code loadedPosition}; returns its end. In a
     * segment of format 1 a torn tail is cut; the cut is not forced on its own: should a crash
     * bring the torn bytes back, the next start cuts them again. A segment of format 2 keeps what
     * follows its last record (a torn record, or a spare's old records): the next append
     * overwrites it, and no CRC of it matches its position.
     */
    private Scanned scan(long base, long loadedPosition, Consumer<Replayed> replay) throws IOException {
        String file = name(base);
        try (JournalFiles.Segment segment = files.open(file, false)) {
            int format = JournalSegmentFormat.of(segment, file);
            if (format != 1 && JournalSegmentFormat.headerPosition(segment) != base) {
                // renamed from a spare, and the power went before its new header was forced (so
                // before any of its records was acknowledged): it holds nothing yet
                return new Scanned(base, true);
            }
            long offset = JournalSegmentFormat.readRecords(segment, format, base, loadedPosition, replay);
            long size = segment.size();
            if (format == 1 && offset < size) {
                log.warn("journal segment {}: cutting {} bytes of an unfinished record at offset {} (written by a crash "
                        + "before it was acknowledged)", file, size - offset, offset);
                segment.truncate(offset);
            }
            return new Scanned(base + offset - JournalSegmentFormat.firstRecord(format), format != 1);
        }
    }

    /** A segment's end, and whether it has a header (format 2), so that records may follow. */
    private record Scanned(long end, boolean headed) {
    }

    /**
     * Appends the entries and makes them durable (force) before returning.
     *
     * @return each entry's position, in order
     */
    long[] append(List<Entry> entries) throws IOException {
        if (failed) {
            // After a failed write the segment may end in records we could not cut, or its file
            // may be unusable: continue in a new segment at the last good position (the same file
            // again when that segment held nothing good). Throws while the disk still refuses, so
            // each request in the meantime gets its own error.
            roll(true);
            failed = false;
        }
        long[] positions = new long[entries.size()];
        int first = headerPending ? 1 : 0;
        ByteBuffer[] buffers = new ByteBuffer[first + entries.size() * 2];
        if (headerPending) {
            buffers[0] = JournalSegmentFormat.header(activeBase);
        }
        long offset = end;
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            ByteBuffer head = JournalSegmentFormat.recordHead(entry, offset);
            buffers[first + 2 * i] = head;
            buffers[first + 2 * i + 1] = ByteBuffer.wrap(entry.batch());
            offset += head.remaining() + entry.batch().length;
            positions[i] = offset;
        }
        try {
            active.write(buffers, headerPending ? 0 : fileOffset(end));
            active.force();
            headerPending = false;
        } catch (IOException e) {
            // cut what part of the group reached the file: those records were not acknowledged,
            // and whole ones would pass their CRC at the next start
            try {
                active.truncate(fileOffset(end));
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            failed = true;
            throw e;
        }
        end = offset;
        if (end - activeBase >= segmentBytes) {
            try {
                roll(false);
            } catch (IOException e) {
                // the records are durable already: this append succeeded. Keep writing to the
                // current segment and try a new one after the next append.
                log.warn("starting a new journal segment failed, the current one grows: {}", e.getMessage());
            }
        }
        return positions;
    }

    /** The position after the last record written. */
    long end() {
        return end;
    }

    /**
     * Retires the segments whose records are all at or before {@code loadedPosition}, never the one
     * being written: the oldest become spares while fewer than {@value #SPARES} are kept, the rest
     * are deleted.
     */
    void deleteLoadedSegments(long loadedPosition) throws IOException {
        List<String> names = files.list();
        List<Long> bases = segmentBases(names);
        long spares = names.stream().filter(IngestJournal::isSpare).count();
        for (int i = 0; i + 1 < bases.size(); i++) {
            long segmentEnd = bases.get(i + 1);
            if (segmentEnd <= loadedPosition && bases.get(i) != activeBase) {
                String name = name(bases.get(i));
                if (spares < SPARES) {
                    // not forced: should the rename be lost, the segment is found loaded again at start
                    files.rename(name, name + SPARE_SUFFIX);
                    spares++;
                } else {
                    files.delete(name);
                }
            }
        }
    }

    /** Bytes on disk in all segments. */
    long diskBytes() {
        return files.bytes();
    }

    @Override
    public void close() throws IOException {
        if (active != null) {
            active.close();
            active = null;
        }
    }

    /**
     * Starts the next segment at {@link #end}, in a spare when there is one; the current one stays
     * in use when the new file cannot be made. After a failure, {@code emptied}: the file of that
     * name is used and emptied, whatever it held (see {@link #append}).
     */
    private void roll(boolean emptied) throws IOException {
        String name = name(end);
        JournalFiles.Segment next = emptied ? null : takeSpare(name);
        if (next == null) {
            next = files.open(name, true);
            if (emptied) {
                try {
                    next.truncate(0);
                } catch (IOException e) {
                    next.close();
                    throw e;
                }
            }
        }
        start(next, end);
        // the new file's folder entry must be durable too, or a power loss could lose the whole segment
        files.forceFolder();
    }

    /**
     * Makes {@code segment} the one written, from {@code base}. A segment that holds no record yet
     * gets a fresh header with its first records, forced with them; a header lost before that
     * names another position, which {@link #scan} reads as a segment holding nothing.
     */
    private void start(JournalFiles.Segment segment, long base) throws IOException {
        if (active != null && active != segment) {
            active.close();
        }
        active = segment;
        activeBase = base;
        headerPending = end == base;
    }

    /** A spare renamed to {@code name}, open; null when there is none (or the name is taken, or the rename failed). */
    private JournalFiles.Segment takeSpare(String name) {
        try {
            List<String> names = files.list();
            if (names.contains(name)) {
                return null;
            }
            for (String spare : names) {
                if (isSpare(spare)) {
                    files.rename(spare, name);
                    return files.open(name, false);
                }
            }
        } catch (IOException e) {
            log.warn("reusing a spare journal segment failed, starting a new file: {}", e.getMessage());
        }
        return null;
    }

    private long fileOffset(long position) {
        return position - activeBase + JournalSegmentFormat.HEADER_BYTES;
    }

    private static boolean isSpare(String name) {
        return name.endsWith(SUFFIX + SPARE_SUFFIX);
    }

    private static List<Long> segmentBases(List<String> names) {
        return names.stream()
                .filter(n -> n.endsWith(SUFFIX) && n.length() == 20 + SUFFIX.length())
                .map(n -> Long.parseLong(n.substring(0, 20)))
                .sorted()
                .toList();
    }

    private static String name(long base) {
        return String.format("%020d%s", base, SUFFIX);
    }
}
