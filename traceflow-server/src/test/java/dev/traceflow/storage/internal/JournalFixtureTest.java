package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.storage.tests.InMemoryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Journals written by earlier builds replay into this one, into any backend: committed fixtures
 * of every journal format (README in src/test/resources/journal-fixtures), replayed at start into
 * the in-memory reference backend, must give back exactly the events they were written from.
 */
class JournalFixtureTest {

    private static final String SEGMENT = "00000000000000000000.journal";

    @TempDir
    Path dir;

    private Path fixture(String format) throws IOException {
        Path journal = dir.resolve("journal");
        Files.createDirectories(journal);
        try (InputStream in = getClass().getResourceAsStream("/journal-fixtures/" + format + "/" + SEGMENT)) {
            assertThat(in).as("fixture " + format).isNotNull();
            Files.write(journal.resolve(SEGMENT), in.readAllBytes());
        }
        return journal;
    }

    private JournaledWriteQueue start(InMemoryStorage storage, Path journal) {
        var settings = new JournaledWriteQueue.Settings(journal, 1 << 20, 10_000, 1L << 40, 5_000, Duration.ZERO, Duration.ZERO);
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, signal -> { }, new SimpleMeterRegistry(), Clock.systemUTC());
        q.start();
        return q;
    }

    private static List<String> described(List<Event> events) {
        return events.stream().map(JournalFixtureEvents::describe).toList();
    }

    @Test
    void format1_writtenByBuildA37ae83_replaysEveryEventWithEveryStoredField() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        JournaledWriteQueue q = start(storage, fixture("format-1"));
        q.stop();

        assertThat(described(storage.events())).containsExactlyElementsOf(described(JournalFixtureEvents.all()));
    }

    @Test
    void format2_replaysEveryEventWithEveryField() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        JournaledWriteQueue q = start(storage, fixture("format-2"));
        q.stop();

        assertThat(described(storage.events())).containsExactlyElementsOf(described(JournalFixtureEvents.all()));
    }

    @Test
    void segmentFormat2_replaysEveryEventWithEveryField() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        JournaledWriteQueue q = start(storage, fixture("segment-2"));
        q.stop();

        assertThat(described(storage.events())).containsExactlyElementsOf(described(JournalFixtureEvents.all()));
    }

    @Test
    void unknownFutureFormat_isRefusedWithAClearMessageAndNothingDeleted() throws Exception {
        Path journal = fixture("format-2");
        byte[] bytes = Files.readAllBytes(journal.resolve(SEGMENT));
        byte[] future = patchSecondRecordFormat(bytes, (byte) 3);
        Files.write(journal.resolve(SEGMENT), future);
        InMemoryStorage storage = new InMemoryStorage();

        assertThatThrownBy(() -> start(storage, journal))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("format 3")
                .hasMessageContaining("which this TraceFlow does not know")
                .hasMessageContaining("Nothing was deleted");

        assertThat(storage.events()).as("not even the record before it").isEmpty();
        assertThat(Files.readAllBytes(journal.resolve(SEGMENT))).isEqualTo(future);
    }

    /**
     * Rewrites the format byte of the second record and its CRC, as a future build would have
     * written it: a well-formed record of an unknown format, not a torn one.
     */
    private static byte[] patchSecondRecordFormat(byte[] segment, byte format) {
        ByteBuffer b = ByteBuffer.wrap(segment);
        int firstLength = b.getInt(0);
        int second = 8 + firstLength;
        int length = b.getInt(second);
        int payload = second + 8;
        int appLength = b.getShort(payload) & 0xffff;
        int formatAt = payload + 2 + appLength + 4;
        byte[] copy = segment.clone();
        copy[formatAt] = format;
        CRC32C crc = new CRC32C();
        crc.update(copy, payload, length);
        ByteBuffer.wrap(copy).putInt(second + 4, (int) crc.getValue());
        return copy;
    }

    /**
     * Writes the format-2 fixture from {@link JournalFixtureEvents}; run once when the format is
     * introduced, never again for the same format (today's build would write it in segment format
     * 2, which the fixture {@code segment-2} holds):
     * {@code ./mvnw test -pl traceflow-server -am -Dtest=JournalFixtureTest -Dtraceflow.writeFixtures=true -Dsurefire.failIfNoSpecifiedTests=false}.
     */
    @Test
    @EnabledIfSystemProperty(named = "traceflow.writeFixtures", matches = "true")
    void writeFormat2Fixture() throws Exception {
        writeFixture(Path.of("src/test/resources/journal-fixtures/format-2"));
    }

    /**
     * Writes the segment-format-2 fixture (a segment with a header, records whose CRC covers their
     * position; batches in format 2); run once, when that segment format was introduced:
     * {@code ./mvnw test -pl traceflow-server -am -Dtest=JournalFixtureTest -Dtraceflow.writeFixtures=segment-2 -Dsurefire.failIfNoSpecifiedTests=false}.
     */
    @Test
    @EnabledIfSystemProperty(named = "traceflow.writeFixtures", matches = "segment-2")
    void writeSegmentFormat2Fixture() throws Exception {
        writeFixture(Path.of("src/test/resources/journal-fixtures/segment-2"));
    }

    private static void writeFixture(Path out) throws Exception {
        Files.createDirectories(out);
        List<Event> events = JournalFixtureEvents.all();
        int first = JournalFixtureEvents.FIRST_REQUEST;
        try (IngestJournal journal = IngestJournal.open(out, 1 << 20, -1, r -> { })) {
            journal.append(List.of(new IngestJournal.Entry("demo", first, JournalEventCodec.encode(events.subList(0, first)))));
            journal.append(List.of(new IngestJournal.Entry("demo", events.size() - first,
                    JournalEventCodec.encode(events.subList(first, events.size())))));
        }
    }
}
