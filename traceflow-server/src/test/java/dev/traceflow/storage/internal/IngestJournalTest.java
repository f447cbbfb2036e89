package dev.traceflow.storage.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IngestJournalTest {

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
    void tornTail_isCutAndAppendsContinueAfterTheLastWholeRecord() throws IOException {
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            journal.append(List.of(entry("kept")));
        }
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.findFirst().orElseThrow();
        }
        long whole = Files.size(segment);
        // a crash in the middle of a write: a header promising more than what follows
        Files.write(segment, new byte[]{0, 0, 0, 50, 1, 2, 3, 4, 9, 9}, StandardOpenOption.APPEND);

        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            assertThat(Files.size(segment)).isEqualTo(whole);
            journal.append(List.of(entry("after")));
        }

        assertThat(texts(reopen(-1))).containsExactly("kept", "after");
    }

    @Test
    void corruptRecord_stopsTheReplayThere() throws IOException {
        try (IngestJournal journal = IngestJournal.open(dir, 1 << 20, -1, r -> { })) {
            journal.append(List.of(entry("good"), entry("flipped")));
        }
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 2] ^= 0x20; // inside the second record's payload: its CRC no longer matches
        Files.write(segment, bytes);

        assertThat(texts(reopen(-1))).containsExactly("good");
    }

    @Test
    void segments_rollAndLoadedOnesAreDeleted() throws IOException {
        long last;
        try (IngestJournal journal = IngestJournal.open(dir, 64, -1, r -> { })) {
            for (int i = 0; i < 10; i++) {
                journal.append(List.of(entry("record-number-" + i + "-with-some-padding")));
            }
            last = journal.end();
            try (var files = Files.list(dir)) {
                assertThat(files.count()).isGreaterThan(5);
            }
            journal.deleteLoadedSegments(last);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(1); // the one being written
        }
        assertThat(reopen(last)).isEmpty();
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
