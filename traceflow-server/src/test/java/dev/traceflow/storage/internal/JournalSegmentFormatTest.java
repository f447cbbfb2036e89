package dev.traceflow.storage.internal;

import dev.traceflow.storage.internal.IngestJournal.Entry;
import dev.traceflow.storage.internal.IngestJournal.Replayed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

/** The bytes of one segment; which segments exist and how they roll is {@link IngestJournalTest}'s. */
class JournalSegmentFormatTest {

    @TempDir
    Path dir;

    private static Entry entry(String text) {
        return new Entry("app-é", text.length(), text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a header for {@code base} and the entries as records starting there; returns the record positions. */
    private static long[] write(JournalFiles.Segment segment, long base, Entry... entries) throws IOException {
        List<ByteBuffer> buffers = new ArrayList<>(List.of(JournalSegmentFormat.header(base)));
        long[] positions = new long[entries.length];
        long position = base;
        for (int i = 0; i < entries.length; i++) {
            ByteBuffer head = JournalSegmentFormat.recordHead(entries[i], position);
            position += head.remaining() + entries[i].batch().length;
            positions[i] = position;
            buffers.add(head);
            buffers.add(ByteBuffer.wrap(entries[i].batch()));
        }
        segment.write(buffers.toArray(ByteBuffer[]::new), 0);
        return positions;
    }

    private static List<Replayed> read(JournalFiles.Segment segment, long base, long after) throws IOException {
        List<Replayed> out = new ArrayList<>();
        JournalSegmentFormat.readRecords(segment, JournalSegmentFormat.of(segment, "s"), base, after, out::add);
        return out;
    }

    @Test
    void recordsWrittenAfterAHeader_readBackWithTheirPositions_onlyThoseEndingAfterTheAskedPosition() throws Exception {
        try (JournalFiles.Segment segment = new FileJournalFiles(dir).open("s", true)) {
            long[] positions = write(segment, 1000, entry("one"), entry("two"), entry("three"));

            assertThat(JournalSegmentFormat.of(segment, "s")).isEqualTo(JournalSegmentFormat.CURRENT);
            assertThat(JournalSegmentFormat.headerPosition(segment)).isEqualTo(1000);
            List<Replayed> all = read(segment, 1000, 0);
            assertThat(all).extracting(r -> new String(r.entry().batch(), StandardCharsets.UTF_8), r -> r.entry().appId(),
                    Replayed::position).containsExactly(
                    tuple("one", "app-é", positions[0]),
                    tuple("two", "app-é", positions[1]),
                    tuple("three", "app-é", positions[2]));
            assertThat(all).extracting(Replayed::start).containsExactly(1000L, positions[0], positions[1]);
            assertThat(read(segment, 1000, positions[1])).extracting(Replayed::position).containsExactly(positions[2]);
        }
    }

    @Test
    void recordsWhoseCrcCoversAnotherPosition_endTheReading() throws Exception {
        try (JournalFiles.Segment segment = new FileJournalFiles(dir).open("s", true)) {
            // a reused file: its records were written for position 0, its header now says 500
            write(segment, 0, entry("old"), entry("older"));
            segment.write(new ByteBuffer[] {JournalSegmentFormat.header(500)}, 0);

            assertThat(read(segment, 500, -1)).isEmpty();
        }
    }

    @Test
    void aSegmentWithoutTheMagic_isFormatOne_andAnUnknownFormatIsRefused() throws Exception {
        try (JournalFiles.Segment segment = new FileJournalFiles(dir).open("s", true)) {
            assertThat(JournalSegmentFormat.of(segment, "s")).as("empty").isEqualTo(1);
            ByteBuffer future = JournalSegmentFormat.header(0);
            future.putShort(6, (short) 3);
            segment.write(new ByteBuffer[] {future}, 0);

            assertThatThrownBy(() -> JournalSegmentFormat.of(segment, "s"))
                    .isInstanceOf(IOException.class).hasMessageContaining("segment format 3").hasMessageContaining("Nothing was deleted");
        }
    }
}
