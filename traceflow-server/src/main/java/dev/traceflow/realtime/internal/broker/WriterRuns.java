package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.PreparedText;

import java.util.ArrayList;
import java.util.List;

/**
 * What a connection's writer takes from its queue at once, so that the transport writes a burst in one
 * go instead of one message at a time: a run of prepared messages (another feature's stream), or a run
 * of events. Under the connection's lock, on the {@link Outbox} it guards.
 */
final class WriterRuns {

    /** the most messages handed to the transport in one call (a follower's burst is up to half the queue) */
    static final int MAX_RUN = 256;

    private WriterRuns() {
    }

    /** {@code first} (a prepared message just taken) and the prepared messages queued right behind it, taken too. */
    static List<PreparedText> prepared(Outbox outbox, Outgoing first) {
        List<PreparedText> run = new ArrayList<>();
        run.add(first.prepared());
        for (Outgoing next = outbox.peek(); next != null && next.prepared() != null && run.size() < MAX_RUN; next = outbox.peek()) {
            run.add(outbox.poll().prepared());
        }
        return run;
    }

    /** Whether {@code item} is an event to a subscription (a first send, a redelivery or a replay), not a reply or last words. */
    static boolean isEvent(Outgoing item) {
        return item.subscription() != null && item.close() == null && item.prepared() == null;
    }

    /**
     * {@code first} (an event just taken, its subscription active) and the events queued right behind it
     * that may go now, taken too, in order. Reliable first sends stop the run where the client's window
     * would be full, as the writer stops before them; events the writer would skip (a redelivery settled
     * meanwhile, a subscription ended) are taken out and left out.
     *
     * @param windowLeft how many more reliable first sends the client may have unacknowledged, {@code first} included
     */
    static List<Outgoing> events(Outbox outbox, Outgoing first, int windowLeft) {
        List<Outgoing> run = new ArrayList<>();
        run.add(first);
        int left = isFirstSend(first) ? windowLeft - 1 : windowLeft;
        for (Outgoing next = outbox.peek(); next != null && isEvent(next) && run.size() < MAX_RUN; next = outbox.peek()) {
            if ((next.redelivery() != null && next.redelivery().settled) || !next.subscription().active) {
                outbox.poll();
                continue;
            }
            if (isFirstSend(next)) {
                if (left <= 0) {
                    break;
                }
                left--;
            }
            run.add(outbox.poll());
        }
        return run;
    }

    private static boolean isFirstSend(Outgoing item) {
        return item.event() != null && item.redelivery() == null;
    }
}
