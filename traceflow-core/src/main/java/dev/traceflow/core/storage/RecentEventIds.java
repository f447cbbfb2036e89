package dev.traceflow.core.storage;

import java.nio.charset.StandardCharsets;

/**
 * A bounded memory of recently stored {@code (appId, eventId)} pairs, for backends that cannot
 * de-duplicate in the database cheaply at ingest rates.
 *
 * <p>Keys are kept as 64-bit hashes (FNV-1a over app and id): the chance that two distinct ids
 * among a million collide is about 3e-8, against the 8 bytes per id this costs instead of the
 * strings. When the capacity is reached the oldest ids are forgotten first, so the guarantee
 * is "stored once within the last {@code capacity} ids", which a backend should document.
 *
 * <p>Not thread-safe: callers lock around it (the DuckDB backend's {@code EventIdClaims} does).
 */
public final class RecentEventIds {

    private final int capacity;
    private final LongHashSet set;
    /** insertion order, as a ring: {@code ring[next]} is the oldest once the ring is full */
    private long[] ring;
    private int next;
    private int filled;

    public RecentEventIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.set = new LongHashSet(Math.min(capacity, 1 << 16));
        this.ring = new long[Math.min(capacity, 1 << 16)];
    }

    public static long key(String appId, String eventId) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, appId);
        h = (h ^ 0x1f) * 0x100000001b3L; // separator so ("ab","c") != ("a","bc")
        h = fnv(h, eventId);
        return h;
    }

    /** FNV-1a over the UTF-8 bytes; an ASCII string's chars are those bytes, so it needs no copy. */
    private static long fnv(long h, String s) {
        long ascii = h;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return fnvUtf8(h, s);
            }
            ascii ^= c;
            ascii *= 0x100000001b3L;
        }
        return ascii;
    }

    private static long fnvUtf8(long h, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }

    public boolean contains(long key) {
        return set.contains(key);
    }

    /** Remembers the key (call it only once the event is durably stored), forgetting the oldest when full. */
    public void add(long key) {
        if (!set.add(key)) {
            return;
        }
        if (filled < capacity && filled == ring.length) {
            ring = java.util.Arrays.copyOf(ring, (int) Math.min(capacity, ring.length * 2L));
        }
        if (filled == capacity) {
            set.remove(ring[next]);
        } else {
            filled++;
        }
        ring[next] = key;
        next = (next + 1) % capacity;
    }

    public int size() {
        return set.size();
    }
}
