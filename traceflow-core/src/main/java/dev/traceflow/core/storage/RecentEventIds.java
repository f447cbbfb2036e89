package dev.traceflow.core.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounded memory of recently stored {@code (appId, eventId)} pairs, for backends that cannot
 * de-duplicate in the database cheaply at ingest rates.
 *
 * <p>Keys are kept as 64-bit hashes (FNV-1a over app and id): the chance that two distinct ids
 * among a million collide is about 3e-8, against the 8 bytes per id this costs instead of the
 * strings. Ids are kept in two generations of at most {@code capacity} each: when the newer one is
 * full, the older one is dropped whole and the newer one takes its place. So the last
 * {@code capacity} ids are always remembered, and ids are forgotten once between {@code capacity}
 * and twice that many newer ones came after them; a backend should document the window. Dropping
 * a generation whole, instead of the oldest id at every add, keeps the work per id at a lookup and
 * an insert: the ring and the per-id deletion it replaced were a quarter of the DuckDB loader's CPU.
 *
 * <p>Not thread-safe: the backend's one storing thread owns it.
 */
public final class RecentEventIds {

    private final int capacity;
    private LongHashSet newer;
    private LongHashSet older;

    public RecentEventIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.newer = new LongHashSet(Math.min(capacity, 1 << 16));
        this.older = new LongHashSet(16);
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
        return newer.contains(key) || older.contains(key);
    }

    /**
     * Remembers the key (call it only once the event is durably stored). Callers add keys they
     * just found not {@link #contains contained}, so this does not look again: a key that is in
     * the older generation only is added to the newer one too, which costs a slot, not correctness.
     */
    public void add(long key) {
        if (newer.size() >= capacity) {
            LongHashSet dropped = older;
            older = newer;
            dropped.clear(); // its table is reused: no new allocation of the generation's size
            newer = dropped;
        }
        newer.add(key);
    }

    /** Ids remembered now: between the last {@code min(added, capacity)} and twice the capacity. */
    public int size() {
        return newer.size() + older.size();
    }
}
