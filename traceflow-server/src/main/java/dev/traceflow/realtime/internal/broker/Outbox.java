package dev.traceflow.realtime.internal.broker;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A connection's send queue: first in, first out, bounded by {@code capacity} counted messages
 * (see {@link Outgoing.Kind}). When it is full, a volatile event makes room by dropping the
 * oldest queued volatile event (or is itself dropped when none is queued), and a reliable message
 * does not fit: the connection is a slow consumer. Not thread-safe: its connection's lock guards it.
 */
final class Outbox {

    enum Offer {
        ADDED,
        /** added, and a queued volatile event was dropped to make room (or the new volatile event was) */
        DROPPED_VOLATILE,
        /** a reliable message found the queue full: nothing was added */
        FULL
    }

    private final ArrayDeque<Outgoing> items = new ArrayDeque<>(4);
    private final int capacity;
    private int counted;
    private int volatiles;

    Outbox(int capacity) {
        this.capacity = capacity;
    }

    Offer offer(Outgoing item) {
        if (item.kind() == Outgoing.Kind.UNCOUNTED || counted < capacity) {
            add(item);
            return Offer.ADDED;
        }
        if (volatiles > 0) {
            dropOldestVolatile();
            add(item);
            return Offer.DROPPED_VOLATILE;
        }
        return item.kind() == Outgoing.Kind.VOLATILE ? Offer.DROPPED_VOLATILE : Offer.FULL;
    }

    Outgoing peek() {
        return items.peekFirst();
    }

    Outgoing poll() {
        Outgoing item = items.pollFirst();
        if (item != null) {
            forget(item);
        }
        return item;
    }

    /** Empties the queue; returns how many messages it held. */
    int clear() {
        int dropped = items.size();
        items.clear();
        counted = 0;
        volatiles = 0;
        return dropped;
    }

    int size() {
        return items.size();
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    private void add(Outgoing item) {
        items.addLast(item);
        if (item.kind() != Outgoing.Kind.UNCOUNTED) {
            counted++;
        }
        if (item.kind() == Outgoing.Kind.VOLATILE) {
            volatiles++;
        }
    }

    private void dropOldestVolatile() {
        for (Iterator<Outgoing> it = items.iterator(); it.hasNext(); ) {
            Outgoing queued = it.next();
            if (queued.kind() == Outgoing.Kind.VOLATILE) {
                it.remove();
                forget(queued);
                return;
            }
        }
    }

    private void forget(Outgoing item) {
        if (item.kind() != Outgoing.Kind.UNCOUNTED) {
            counted--;
        }
        if (item.kind() == Outgoing.Kind.VOLATILE) {
            volatiles--;
        }
    }
}
