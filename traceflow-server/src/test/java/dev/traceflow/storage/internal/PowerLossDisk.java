package dev.traceflow.storage.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A disk for the journal that keeps, when the plug is pulled, only what a real one must keep: the
 * bytes of each file as they were at its last force, files whose folder entry was forced, and
 * deletions that were forced; of what was written after the last force it may keep a prefix, and
 * may garble that prefix's end (a torn write). Thread-safe: the journal thread writes while the
 * loader deletes.
 */
final class PowerLossDisk implements JournalFiles {

    private static final class File {
        byte[] content = new byte[0];
        byte[] durable = new byte[0];
        boolean entryDurable;
        boolean deleted;
    }

    private final Map<String, File> files = new LinkedHashMap<>();
    private boolean dead;
    /** Appends and forces left before the power goes by itself; negative: never. */
    private int operationsLeft = -1;
    /** When set, {@link Segment#force()} waits for it (the ordering test). */
    volatile CountDownLatch forceGate;
    final CountDownLatch forceEntered = new CountDownLatch(1);

    @Override
    public String describe() {
        return "a simulated disk";
    }

    @Override
    public synchronized List<String> list() throws IOException {
        alive();
        List<String> names = new ArrayList<>();
        files.forEach((name, f) -> {
            if (!f.deleted) {
                names.add(name);
            }
        });
        return names;
    }

    @Override
    public synchronized Segment open(String name, boolean create) throws IOException {
        alive();
        File f = files.get(name);
        if (f == null || f.deleted) {
            if (!create) {
                throw new IOException("no such file " + name);
            }
            f = new File();
            files.put(name, f);
        }
        File file = f;
        return new Segment() {
            @Override
            public long size() throws IOException {
                synchronized (PowerLossDisk.this) {
                    alive();
                    return file.content.length;
                }
            }

            @Override
            public int read(ByteBuffer into, long position) throws IOException {
                synchronized (PowerLossDisk.this) {
                    alive();
                    int n = (int) Math.max(0, Math.min(into.remaining(), file.content.length - position));
                    into.put(file.content, (int) position, n);
                    return n;
                }
            }

            @Override
            public void append(ByteBuffer[] buffers) throws IOException {
                synchronized (PowerLossDisk.this) {
                    alive();
                    countDown();
                    for (ByteBuffer b : buffers) {
                        int at = file.content.length;
                        file.content = Arrays.copyOf(file.content, at + b.remaining());
                        b.get(file.content, at, b.remaining());
                    }
                }
            }

            @Override
            public void truncate(long size) throws IOException {
                synchronized (PowerLossDisk.this) {
                    alive();
                    file.content = Arrays.copyOf(file.content, (int) Math.min(size, file.content.length));
                }
            }

            @Override
            public void force() throws IOException {
                forceEntered.countDown();
                CountDownLatch gate = forceGate;
                if (gate != null) {
                    try {
                        gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                synchronized (PowerLossDisk.this) {
                    alive();
                    countDown(); // the power may go before this force makes anything durable
                    file.durable = file.content.clone();
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public synchronized void delete(String name) throws IOException {
        alive();
        File f = files.get(name);
        if (f != null) {
            f.deleted = true;
        }
    }

    @Override
    public synchronized void forceFolder() throws IOException {
        alive();
        files.values().removeIf(f -> f.deleted);
        files.values().forEach(f -> f.entryDurable = true);
    }

    @Override
    public synchronized long bytes() {
        return files.values().stream().filter(f -> !f.deleted).mapToLong(f -> f.content.length).sum();
    }

    private void alive() throws IOException {
        if (dead) {
            throw new IOException("the power is off");
        }
    }

    /** Every operation fails from now on, as on a machine that lost its power. */
    synchronized void pullThePlug() {
        dead = true;
    }

    /**
     * Pulls the plug at the {@code operations}-th append or force from now, before it takes
     * effect: where in the journal's work the power goes is then a function of the seed, not of
     * thread timing.
     */
    synchronized void pullThePlugAt(int operations) {
        operationsLeft = operations;
    }

    synchronized boolean isDead() {
        return dead;
    }

    private void countDown() throws IOException {
        if (operationsLeft > 0 && --operationsLeft == 0) {
            dead = true;
            throw new IOException("the power went");
        }
    }

    /**
     * Power back: each file as a real disk may have it after the loss. Returns how many files
     * kept torn bytes after their durable content.
     */
    synchronized int powerBack(Random random) {
        int torn = 0;
        for (var it = files.entrySet().iterator(); it.hasNext(); ) {
            File f = it.next().getValue();
            if (!f.entryDurable) {
                it.remove(); // created, but its folder entry never reached the disk
                continue;
            }
            f.deleted = false; // a deletion that was not forced did not happen
            byte[] after = f.durable;
            boolean appendedSince = f.content.length > f.durable.length
                    && Arrays.equals(f.content, 0, f.durable.length, f.durable, 0, f.durable.length);
            if (appendedSince && random.nextBoolean()) {
                int kept = 1 + random.nextInt(f.content.length - f.durable.length);
                after = Arrays.copyOf(f.content, f.durable.length + kept);
                if (random.nextBoolean()) {
                    // the sectors of the torn end hold something else
                    int garbled = 1 + random.nextInt(Math.min(kept, 64));
                    for (int i = after.length - garbled; i < after.length; i++) {
                        after[i] = (byte) random.nextInt(256);
                    }
                }
                torn++;
            }
            f.content = after.clone();
            f.durable = after.clone();
        }
        dead = false;
        operationsLeft = -1;
        return torn;
    }
}
