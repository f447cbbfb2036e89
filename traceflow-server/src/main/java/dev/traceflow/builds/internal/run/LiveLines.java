package dev.traceflow.builds.internal.run;

import dev.traceflow.realtime.PreparedText;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The last lines of one followed build as the {@code log} messages sent for them, rendered and
 * encoded once as they are stored ({@link PreparedText}) and then handed to every follower that is
 * live: 100 followers of a line cost one serialization, one encoding and no store read. It holds one contiguous run of cursors, at most {@code capacity}
 * of them; what it does not hold (older lines, or lines whose append was told out of order) a follower
 * reads from the store, which has them all, so a follower continues from its own cursor wherever it
 * reads and never skips or repeats a line. Thread-safe.
 */
final class LiveLines {

    private final PreparedText[] messages;
    private final Function<StoredLine, String> render;
    /** the held run is (lowest - 1, last]; empty while last < lowest */
    private long lowest = 1;
    private long last;
    /** the build's log ended: its last lines were added before */
    private boolean ended;

    LiveLines(int capacity, Function<StoredLine, String> render) {
        this.messages = new PreparedText[Math.max(1, capacity)];
        this.render = render;
    }

    /**
     * Adds lines just stored (in cursor order, gapless). Lines that do not continue the held run
     * restart it at them (the store still has the ones between), and lines it holds already are skipped.
     */
    void add(List<StoredLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        // rendered outside the lock: the writer's thread pays for it once, followers only copy references
        PreparedText[] rendered = new PreparedText[lines.size()];
        for (int i = 0; i < rendered.length; i++) {
            rendered[i] = PreparedText.of(render.apply(lines.get(i)));
        }
        long first = lines.getFirst().cursor();
        synchronized (this) {
            if (first > last + 1 || last < lowest) {
                lowest = first;
                last = first - 1;
            }
            for (int i = 0; i < rendered.length; i++) {
                long cursor = first + i;
                if (cursor == last + 1) {
                    messages[slot(cursor)] = rendered[i];
                    last = cursor;
                }
            }
            lowest = Math.max(lowest, last - messages.length + 1);
        }
    }

    /**
     * Up to {@code limit} messages of the lines after {@code after}, in cursor order; empty when the
     * line after it is not held (not stored yet, not told yet, or older than the held run): the store
     * answers then.
     */
    synchronized List<PreparedText> after(long after, int limit) {
        if (after >= last || after + 1 < lowest) {
            return List.of();
        }
        int count = (int) Math.min(limit, last - after);
        List<PreparedText> out = new ArrayList<>(count);
        for (long c = after + 1; c <= after + count; c++) {
            out.add(messages[slot(c)]);
        }
        return out;
    }

    /** The build's log ended (after its last lines were {@link #add added}): followers now read the end from the store. */
    synchronized void ended() {
        ended = true;
    }

    /**
     * Whether a follower that delivered up to {@code after} has every line told so far and nothing else to
     * do until the next lines are added or the log ends: the held run is not empty, {@code after} is at or
     * past its last line, and the log goes on. Such a follower need not ask the store (every stored line is
     * told after it is stored, and that wakes it); asking it took the build's lock, which an append holds
     * through its insert and write-out, and a hundred followers waiting there spun on the server's CPU.
     */
    synchronized boolean caughtUp(long after) {
        return !ended && last >= lowest && after >= last;
    }

    private int slot(long cursor) {
        return (int) ((cursor - 1) % messages.length);
    }
}
