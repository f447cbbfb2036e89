package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.LongHashSet;
import dev.traceflow.core.storage.RecentEventIds;

import java.util.BitSet;

/**
 * The de-duplication index: stored ids (a bounded {@link RecentEventIds}) plus ids claimed by a
 * write that has not committed yet. A writer claims its events' ids before appending; the ids that
 * are stored, claimed by another write in flight, or repeated in the same list are its duplicates. After the commit it {@link #commit}s the claims, or {@link #release}s them when the
 * commit failed, so a retry can store them. Thread-safe (one lock; the work under it is a few
 * hash look-ups per event).
 */
final class EventIdClaims {

    private final RecentEventIds stored;
    private final LongHashSet inFlight = new LongHashSet(64);

    EventIdClaims(int capacity) {
        this.stored = new RecentEventIds(capacity);
    }

    /**
     * Claims ids by their {@link RecentEventIds#key}; 0 stands for an event without id.
     *
     * @return the claim, with the positions that are duplicates
     */
    synchronized Claim claim(long[] keys) {
        BitSet duplicates = new BitSet();
        BitSet claimed = new BitSet();
        for (int i = 0; i < keys.length; i++) {
            long key = keys[i];
            if (key == 0) {
                continue;
            }
            if (stored.contains(key) || !inFlight.add(key)) {
                duplicates.set(i);
            } else {
                claimed.set(i);
            }
        }
        return new Claim(keys, claimed, duplicates);
    }

    /** The claimed ids are durable now. */
    synchronized void commit(Claim claim) {
        for (int i = claim.claimed.nextSetBit(0); i >= 0; i = claim.claimed.nextSetBit(i + 1)) {
            inFlight.remove(claim.keys[i]);
            stored.add(claim.keys[i]);
        }
    }

    /** The write failed: nothing of it is stored, its ids may come again. */
    synchronized void release(Claim claim) {
        for (int i = claim.claimed.nextSetBit(0); i >= 0; i = claim.claimed.nextSetBit(i + 1)) {
            inFlight.remove(claim.keys[i]);
        }
    }

    /** Loads an id that is already stored (at start). */
    synchronized void remember(String appId, String eventId) {
        stored.add(RecentEventIds.key(appId, eventId));
    }

    synchronized int size() {
        return stored.size();
    }

    record Claim(long[] keys, BitSet claimed, BitSet duplicates) {
    }
}
