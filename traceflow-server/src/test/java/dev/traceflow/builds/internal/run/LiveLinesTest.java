package dev.traceflow.builds.internal.run;

import dev.traceflow.realtime.PreparedText;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class LiveLinesTest {

    private final AtomicInteger renders = new AtomicInteger();
    private final LiveLines live = new LiveLines(10, line -> {
        renders.incrementAndGet();
        return "m" + line.cursor();
    });

    @Test
    void eachLine_isRenderedOnce_whateverTheNumberOfFollowersThatTakeIt() {
        live.add(lines(1, 5));
        for (int follower = 0; follower < 100; follower++) {
            assertThat(after(0, 100)).containsExactly("m1", "m2", "m3", "m4", "m5");
        }
        assertThat(renders).hasValue(5);
    }

    @Test
    void after_givesTheLinesAfterTheCursor_upToTheLimit_andNothingOnceCaughtUp() {
        live.add(lines(1, 3));
        live.add(lines(4, 6));
        assertThat(after(2, 3)).containsExactly("m3", "m4", "m5");
        assertThat(after(5, 100)).containsExactly("m6");
        assertThat(after(6, 100)).isEmpty();
        assertThat(after(9, 100)).isEmpty(); // a follower that read ahead from the store
    }

    @Test
    void caughtUp_onlyAtOrPastTheLastLineHeld_andNeverOnceTheLogEnded() {
        assertThat(live.caughtUp(0)).isFalse(); // nothing held: the store says what there is
        live.add(lines(1, 3));
        assertThat(live.caughtUp(2)).isFalse();
        assertThat(live.caughtUp(3)).isTrue();
        assertThat(live.caughtUp(5)).isTrue(); // read ahead from the store: the lines' own tells wake it
        live.ended();
        assertThat(live.caughtUp(3)).isFalse(); // the end is read from the store
    }

    @Test
    void linesOlderThanTheCapacity_areLeftToTheStore() {
        live.add(lines(1, 25));
        assertThat(after(0, 100)).isEmpty();
        assertThat(after(14, 100)).isEmpty(); // line 15 is gone: only 16..25 are held
        assertThat(after(15, 100)).containsExactly("m16", "m17", "m18", "m19", "m20", "m21", "m22", "m23", "m24", "m25");
    }

    @Test
    void linesToldOutOfOrder_restartTheRun_andTheGapIsLeftToTheStore() {
        live.add(lines(1, 3));
        live.add(lines(7, 8)); // 4..6 were stored but told later
        assertThat(after(3, 100)).isEmpty();
        assertThat(after(6, 100)).containsExactly("m7", "m8");
        live.add(lines(4, 6)); // late: older than the held run, skipped
        assertThat(after(6, 100)).containsExactly("m7", "m8");
        assertThat(after(3, 100)).isEmpty();
    }

    @Test
    void linesHeldAlready_areNotAddedTwice() {
        live.add(lines(1, 4));
        live.add(lines(3, 6));
        assertThat(after(0, 100)).containsExactly("m1", "m2", "m3", "m4", "m5", "m6");
    }

    @Test
    void beforeAnyLine_nothingIsHeld() {
        assertThat(after(0, 100)).isEmpty();
        live.add(List.of());
        assertThat(after(0, 100)).isEmpty();
    }

    /** The held messages' JSON (the lines are rendered as "m" + cursor here). */
    private List<String> after(long after, int limit) {
        return live.after(after, limit).stream().map(PreparedText::json).toList();
    }

    private static List<StoredLine> lines(long from, long to) {
        List<StoredLine> out = new ArrayList<>();
        LongStream.rangeClosed(from, to).forEach(c -> out.add(new StoredLine(c, Instant.EPOCH, "info", "build", "line " + c)));
        return out;
    }
}
