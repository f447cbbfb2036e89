package dev.traceflow.benchmark;

/**
 * A log-linear histogram of latencies in <b>nanoseconds</b>, in the spirit of HdrHistogram but small
 * enough to own: every power-of-two band is split into {@value #SUB_BUCKETS} linear sub-buckets, so a
 * recorded value is reproduced with a relative error below 1/{@value #SUB_BUCKETS} (&lt; 0.8 %) over
 * the whole {@code long} range, in a fixed array of about 7 300 counters (58 KiB).
 *
 * <p>Recording is one array increment and is meant for a single writer thread: each connection owns
 * its histogram and the phase merges them at the end ({@link #add}), so the hot loop has no sharing.
 */
public final class LatencyHistogram {

    /** Linear sub-buckets per power-of-two band; 128 gives a worst-case relative error of 0.78 %. */
    static final int SUB_BUCKETS = 128;
    private static final int SUB_BUCKET_BITS = Integer.numberOfTrailingZeros(SUB_BUCKETS);
    /** Values below this are counted exactly, one bucket per value. */
    private static final long EXACT_LIMIT = 2L * SUB_BUCKETS;
    private static final int BUCKET_COUNT = indexOf(Long.MAX_VALUE) + 1;

    private final long[] counts = new long[BUCKET_COUNT];
    private long totalCount;
    private long minNanos = Long.MAX_VALUE;
    private long maxNanos;

    /** Records one latency in nanoseconds; negative values (clock oddities) are recorded as 0. */
    public void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[indexOf(value)]++;
        totalCount++;
        if (value < minNanos) {
            minNanos = value;
        }
        if (value > maxNanos) {
            maxNanos = value;
        }
    }

    /** Adds every count of {@code other} to this histogram. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKET_COUNT; i++) {
            counts[i] += other.counts[i];
        }
        totalCount += other.totalCount;
        minNanos = Math.min(minNanos, other.minNanos);
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    /** Number of recorded values. */
    public long count() {
        return totalCount;
    }

    /** Largest recorded value in nanoseconds (exact, not bucketed); 0 when empty. */
    public long maxNanos() {
        return maxNanos;
    }

    /**
     * The value in nanoseconds below or at which {@code percentile} percent of the recorded values
     * fall, as the highest value of the bucket holding that rank (clamped to the exact min and max),
     * the same convention as HdrHistogram's {@code getValueAtPercentile}. 0 when empty.
     *
     * @param percentile in [0, 100], e.g. 99.9
     */
    public long valueAtPercentile(double percentile) {
        if (totalCount == 0) {
            return 0;
        }
        double clamped = Math.min(100.0, Math.max(0.0, percentile));
        long rank = Math.max(1, (long) Math.ceil(clamped / 100.0 * totalCount));
        long seen = 0;
        for (int i = 0; i < BUCKET_COUNT; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(maxNanos, Math.max(minNanos, highestValueIn(i)));
            }
        }
        return maxNanos;
    }

    /** {@link #valueAtPercentile} converted to milliseconds. */
    public double millisAtPercentile(double percentile) {
        return valueAtPercentile(percentile) / 1_000_000.0;
    }

    /** {@link #maxNanos} converted to milliseconds. */
    public double maxMillis() {
        return maxNanos / 1_000_000.0;
    }

    static int indexOf(long value) {
        if (value < EXACT_LIMIT) {
            return (int) value;
        }
        // shift brings the value into [SUB_BUCKETS, 2*SUB_BUCKETS): its top bits select the sub-bucket.
        int shift = (63 - Long.numberOfLeadingZeros(value)) - SUB_BUCKET_BITS;
        return shift * SUB_BUCKETS + (int) (value >>> shift);
    }

    static long highestValueIn(int index) {
        if (index < EXACT_LIMIT) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        long subBucket = index - (long) shift * SUB_BUCKETS;
        long lowest = subBucket << shift;
        long width = 1L << shift;
        // The last bucket's upper edge would overflow; Long.MAX_VALUE is its true highest value.
        return lowest > Long.MAX_VALUE - (width - 1) ? Long.MAX_VALUE : lowest + width - 1;
    }
}
