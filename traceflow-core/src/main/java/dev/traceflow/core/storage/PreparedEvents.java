package dev.traceflow.core.storage;

import dev.traceflow.core.event.Event;

import java.util.List;

/**
 * A batch of events in the form a backend stores fastest ({@link EventConsumer#prepare}); by
 * default the events themselves. Immutable once made.
 */
public interface PreparedEvents {

    /** The number of events in the batch. */
    int size();

    /**
     * Events {@code from} (inclusive) to {@code to} (exclusive) as a batch of their own, so a
     * caller can split a batch across two transactions.
     *
     * @throws IllegalArgumentException when the range is not within the batch
     */
    PreparedEvents slice(int from, int to);

    /** The events as they are, for backends that store {@link Event}s directly. */
    static PreparedEvents of(List<Event> events) {
        return new Plain(List.copyOf(events));
    }

    /** Events not prepared by a backend: {@link #of}. */
    record Plain(List<Event> events) implements PreparedEvents {

        @Override
        public int size() {
            return events.size();
        }

        @Override
        public PreparedEvents slice(int from, int to) {
            checkRange(from, to, events.size());
            return new Plain(events.subList(from, to));
        }
    }

    /** Throws unless {@code [from, to)} lies within a batch of {@code size} events. */
    static void checkRange(int from, int to, int size) {
        if (from < 0 || to > size || from > to) {
            throw new IllegalArgumentException("events " + from + " to " + to + " of a batch of " + size);
        }
    }
}
