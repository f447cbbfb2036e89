package dev.traceflow.core.storage;

import java.util.Arrays;

/**
 * An open-addressing hash set of longs with backward-shift deletion (0 is handled apart): no
 * boxing and no node per entry, which made {@code HashSet<Long>} the biggest Java cost of the
 * DuckDB loader (JFR, ingest benchmark). Not thread-safe.
 */
public final class LongHashSet {

    private long[] table;
    private int size;
    private boolean hasZero;

    public LongHashSet(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        table = new long[cap];
    }

    public int size() {
        return size + (hasZero ? 1 : 0);
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    public boolean contains(long k) {
        if (k == 0) return hasZero;
        int mask = table.length - 1;
        for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
            long v = table[i];
            if (v == 0) return false;
            if (v == k) return true;
        }
    }

    public boolean add(long k) {
        if (k == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if ((size + 1) * 2 > table.length) {
            grow();
        }
        int mask = table.length - 1;
        for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
            long v = table[i];
            if (v == k) return false;
            if (v == 0) {
                table[i] = k;
                size++;
                return true;
            }
        }
    }

    public boolean remove(long k) {
        if (k == 0) {
            boolean had = hasZero;
            hasZero = false;
            return had;
        }
        int mask = table.length - 1;
        int i = mix(k) & mask;
        while (table[i] != k) {
            if (table[i] == 0) return false;
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps probe chains intact without tombstones
        int gap = i;
        for (int j = (gap + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
            int home = mix(table[j]) & mask;
            boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
            if (movable) {
                table[gap] = table[j];
                gap = j;
            }
        }
        table[gap] = 0;
        size--;
        return true;
    }

    /** Forgets every key, keeping the table's size. */
    public void clear() {
        Arrays.fill(table, 0L);
        size = 0;
        hasZero = false;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (long v : old) {
            if (v != 0) add(v);
        }
    }
}
