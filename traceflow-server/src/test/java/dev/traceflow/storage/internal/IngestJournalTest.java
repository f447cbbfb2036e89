package dev.traceflow.storage.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestJournalTest {

    /** The name of the format-2 batch fixture's one segment, a segment of format 1. */
    private static final String FORMAT_ONE_SEGMENT = "00000000000000000000.journal";

    @TempDir
    Path dir;

    private static IngestJournal.Entry entry(String text) {
        return new IngestJournal.Entry("app-é", text.length(), text.getBytes(StandardCharsets.UTF_8));
    }

    private List<IngestJournal.Replayed> reopen(long loaded) throws IOException {
        List<IngestJournal.Replayed> replayed = new ArrayList<>();
        IngestJournal.open(dir, 1 << 20, loaded, replayed::add).close();
        return replayed;
    }

    private Path onlySegment() throws IOException {
        List<String> names = names();
        assertThat(names).hasSize(1);
        return dir.resolve(names.getFirst());
    }

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> texts(List<IngestJournal.Replayed> replayed) {
        return replayed.stream().map(r -> new String(r.entry().batch(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void append_thenReopen_replaysEveryRecordAfterTheLoadedPosition() throws IOException {
        long[] positions;
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            positions = journal.append(List.of(entry("one"), entry("two"), entry("three")));
        }
        assertThat(positions).isSorted();

        assertThat(texts(reopen(-1))).containsExactly("one", "two", "three");
        assertThat(texts(reopen(positions[0]))).containsExactly("two", "three");
        assertThat(reopen(positions[2])).isEmpty();
        IngestJournal.Replayed first = reopen(-1).getFirst();
        assertThat(first.entry().appId()).isEqualTo("app-é");
        assertThat(first.entry().events()).isEqualTo(3);
        assertThat(first.position()).isEqualTo(positions[0]);
    }

    @Test
    void tornTail_isOverwrittenByTheNextAppend() throws IOException {
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            journal.append(List.of(entry("kept")));
        }
        Path segment = onlySegment();
        // a crash in the middle of a write: a header promising more than what follows
        Files.write(segment, new byte[]{0, 0, 0, 50, 1, 2, 3, 4, 9, 9}, StandardOpenOption.APPEND);

        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            journal.append(List.of(entry("after")));
        }

        assertThat(texts(reopen(-1))).containsExactly("kept", "after");
    }

    @Test
    void corruptRecord_stopsTheReplayThere() throws IOException {
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            journal.append(List.of(entry("good"), entry("flipped")));
        }
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 2] ^= 0x20; // inside the second record's payload: its CRC no longer matches
        Files.write(segment, bytes);

        assertThat(texts(reopen(-1))).containsExactly("good");
    }

    @Test
    void segments_rollAndLoadedOnesBecomeSparesOrAreDeleted() throws IOException {
        long last;
        try (IngestJournal journal = IngestJournal.open(dir, 64, -1, r -> { })) {
            for (int i = 0; i < 10; i++) {
                journal.append(List.of(entry("record-number-" + i + "-with-some-padding")));
            }
            last = journal.end();
            assertThat(names()).hasSizeGreaterThan(5);
            journal.deleteLoadedSegments(last);
        }
        assertThat(names()).filteredOn(n -> n.endsWith(".journal")).hasSize(1); // the one being written
        assertThat(names()).filteredOn(n -> n.endsWith(".journal.spare")).hasSize(IngestJournal.SPARES);
        assertThat(reopen(last)).isEmpty();
    }

    @Test
    void spares_becomeTheNextSegmentsAndTheirOldRecordsAreNeverReplayed() throws IOException {
        long loaded;
        try (IngestJournal journal = IngestJournal.open(dir, 64, -1, r -> { })) {
            // records of one size: three to a segment, so a reused file holds whole old records
            // exactly where the new ones end, which only their CRC's position tells apart
            for (int i = 0; i < 9; i++) {
                journal.append(List.of(entry("old-" + i)));
            }
            loaded = journal.end();
            journal.deleteLoadedSegments(loaded);
            List<String> spares = names().stream().filter(n -> n.endsWith(".spare")).toList();
            assertThat(spares).hasSize(IngestJournal.SPARES);
            long spareBytes = Files.size(dir.resolve(spares.getFirst()));

            for (int i = 0; i < 4; i++) {
                journal.append(List.of(entry("new-" + i)));
            }
            assertThat(names()).as("a spare was taken").filteredOn(n -> n.endsWith(".spare")).hasSize(IngestJournal.SPARES - 1);
            assertThat(Files.size(dir.resolve(names().getLast())))
                    .as("the reused file keeps its size (overwritten, not grown)").isEqualTo(spareBytes);
        }

        assertThat(texts(reopen(loaded))).containsExactly("new-0", "new-1", "new-2", "new-3");
        try (IngestJournal journal = IngestJournal.open(dir, 64, loaded, r -> { })) {
            journal.append(List.of(entry("after-a-restart")));
        }
        assertThat(texts(reopen(loaded))).containsExactly("new-0", "new-1", "new-2", "new-3", "after-a-restart");
    }

    @Test
    void segmentWhoseHeaderNamesAnotherPosition_holdsNothingAndIsWrittenAfresh() throws IOException {
        // a spare renamed into place whose new header the power took: its records are another position's
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            journal.append(List.of(entry("of-another-position"), entry("also")));
        }
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuffer.wrap(bytes).putLong(8, 4_096); // the header's position
        Files.write(segment, bytes);

        assertThat(reopen(-1)).isEmpty();
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            assertThat(journal.end()).isZero();
            journal.append(List.of(entry("new")));
        }
        assertThat(texts(reopen(-1))).containsExactly("new");
    }

    @Test
    void unknownSegmentFormat_isRefusedWithAClearMessageAndNothingDeleted() throws IOException {
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            journal.append(List.of(entry("written-by-a-newer-build")));
        }
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuffer.wrap(bytes).putShort(6, (short) 3);
        Files.write(segment, bytes);

        assertThatThrownBy(() -> reopen(-1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("segment format 3")
                .hasMessageContaining("Nothing was deleted");
        assertThat(Files.readAllBytes(segment)).isEqualTo(bytes);
    }

    /** A segment of format 1, as a build before segment format 2 wrote it: the format-2 batch fixture's. */
    private byte[] formatOneSegment() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/journal-fixtures/format-2/" + FORMAT_ONE_SEGMENT)) {
            return in.readAllBytes();
        }
    }

    @Test
    void zerosWhereARecordShouldBe_endTheReplayInsteadOfFailingIt() throws IOException {
        // a format-1 segment whose tail reads as zeros (a hole left by a crash): length 0 and CRC 0
        // pass the CRC of an empty payload, which has no app id to read
        byte[] old = formatOneSegment();
        byte[] withHole = Arrays.copyOf(old, old.length + 16);
        Files.write(dir.resolve(FORMAT_ONE_SEGMENT), withHole);

        assertThat(reopen(-1)).hasSize(2);
    }

    @Test
    void segmentOfFormat1_isReplayedAndNeverWrittenTo() throws IOException {
        // written by a build before segment format 2 (the format-2 batch fixture is such a segment)
        byte[] old = formatOneSegment();
        Files.write(dir.resolve(FORMAT_ONE_SEGMENT), old);

        List<IngestJournal.Replayed> replayed = new ArrayList<>();
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, replayed::add)) {
            assertThat(replayed).hasSize(2);
            assertThat(journal.end()).isEqualTo(old.length);
            journal.append(List.of(entry("next")));
        }

        assertThat(Files.readAllBytes(dir.resolve(FORMAT_ONE_SEGMENT))).isEqualTo(old);
        assertThat(names()).hasSize(2);
        assertThat(reopen(-1)).hasSize(3);
        assertThat(texts(reopen(old.length))).containsExactly("next");
    }

    @Test
    void storeAheadOfAnEmptiedJournal_newRecordsStartAfterTheStoredPosition() throws IOException {
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, 5_000, r -> { })) {
            long[] positions = journal.append(List.of(entry("new")));
            assertThat(positions[0]).isGreaterThan(5_000);
        }
        assertThat(texts(reopen(5_000))).containsExactly("new");
    }

    @Test
    void segmentThatCannotBeCreated_appendsStillSucceedInTheCurrentOne() throws IOException {
        long[] first;
        try (IngestJournal journal = IngestJournal.open(dir, 64, -1, r -> { })) {
            first = journal.append(List.of(entry("record-one-with-padding-to-fill")));
            // the next append fills the segment; block the file the roll would create
            long recordSize = first[0];
            Path blocker = Files.createDirectory(dir.resolve(String.format("%020d.journal", 2 * recordSize)));

            journal.append(List.of(entry("record-two-with-padding-to-fill")));
            journal.append(List.of(entry("record-three")));

            Files.delete(blocker);
        }

        assertThat(texts(reopen(-1))).containsExactly("record-one-with-padding-to-fill", "record-two-with-padding-to-fill", "record-three");
        assertThat(texts(reopen(first[0]))).containsExactly("record-two-with-padding-to-fill", "record-three");
    }
}
