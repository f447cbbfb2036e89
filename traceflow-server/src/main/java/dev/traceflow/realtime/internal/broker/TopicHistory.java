package dev.traceflow.realtime.internal.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A topic's recent events in seq order, for resume: at most {@code maxEvents}, none older than the
 * history TTL, and none that the shared byte budget cannot hold (the publishing topic gives up its
 * own oldest first, so a flood on one topic shortens its history rather than the others'). Not
 * thread-safe: its {@link Topic} guards it.
 */
final class TopicHistory {

    private final ArrayDeque<PublishedEvent> events = new ArrayDeque<>();
    private final int maxEvents;
    private final HistoryBudget budget;

    TopicHistory(int maxEvents, HistoryBudget budget) {
        this.maxEvents = maxEvents;
        this.budget = budget;
    }

    void append(PublishedEvent event) {
        events.addLast(event);
        budget.add(event.bytes());
        while (events.size() > maxEvents || (budget.exceeded() && events.size() > 1)) {
            dropOldest();
        }
    }

    /** Forgets events sequenced before {@code oldestKeptMillis}. */
    void expire(long oldestKeptMillis) {
        while (!events.isEmpty() && events.peekFirst().ts() < oldestKeptMillis) {
            dropOldest();
        }
    }

    /** Releases every event's bytes: the topic is being forgotten. */
    void clear() {
        while (!events.isEmpty()) {
            dropOldest();
        }
    }

    private void dropOldest() {
        budget.release(events.removeFirst().bytes());
    }

    /**
     * The events after {@code lastSeq}, in order, when the history still holds every one of them;
     * null when some were already dropped (the client must reload).
     *
     * @param currentSeq the topic's last seq
     */
    List<PublishedEvent> after(long lastSeq, long currentSeq) {
        if (lastSeq > currentSeq) {
            return null;
        }
        if (lastSeq == currentSeq) {
            return List.of();
        }
        if (events.isEmpty() || events.peekFirst().seq() > lastSeq + 1) {
            return null;
        }
        List<PublishedEvent> missed = new ArrayList<>((int) (currentSeq - lastSeq));
        for (PublishedEvent e : events) {
            if (e.seq() > lastSeq) {
                missed.add(e);
            }
        }
        return missed;
    }

    int size() {
        return events.size();
    }

    boolean isEmpty() {
        return events.isEmpty();
    }
}
