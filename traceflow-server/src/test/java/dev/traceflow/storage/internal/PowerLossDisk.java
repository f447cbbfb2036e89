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
 * bytes of each file as they were at its last force, the names its folder had at its last force
 * (files created, renamed or deleted since are as they were then); of each write or cut made after
 * a file's last force it may keep all, nothing, or (of a write) a prefix whose end is garbled (a torn
 * write), each independently, as a page cache flushes pages in any order. Thread-safe: the journal
 * thread writes while the loader renames and deletes.
 */
final class PowerLossDisk implements JournalFiles {

    /** A change to a file's bytes since its last force: a write (bytes at) or a cut (bytes null, at = size). */
    private record Change(long at, byte[] bytes) {
    }

    private static final class File {
        String name;
        /** Its name at the folder's last force; null when its entry never reached the disk (or its deletion did). */
        String durableName;
        byte[] content = new byte[0];
        byte[] durable = new byte[0];
        final List<Change> since = new ArrayList<>();
    }

    /** Files by their current name. */
    private final Map<String, File> live = new LinkedHashMap<>();
    /** Every file whose entry may be on the disk: the live ones and those deleted or replaced since the folder's force. */
    private final List<File> all = new ArrayList<>();
    private boolean dead;
    /** Writes and forces left before the power goes by itself; negative: never. */
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
        return new ArrayList<>(live.keySet());
    }

    @Override
    public synchronized Segment open(String name, boolean create) throws IOException {
        alive();
        File f = live.get(name);
        if (f == null) {
            if (!create) {
                throw new IOException("no such file " + name);
            }
            f = new File();
            f.name = name;
            live.put(name, f);
            all.add(f);
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
            public void write(ByteBuffer[] buffers, long position) throws IOException {
                synchronized (PowerLossDisk.this) {
                    alive();
                    countDown();
                    if (position > file.content.length) {
                        throw new IOException("a write at " + position + " past the end of " + file.name);
                    }
                    int at = (int) position;
                    for (ByteBuffer b : buffers) {
                        byte[] bytes = new byte[b.remaining()];
                        b.get(bytes);
                        file.content = written(file.content, at, bytes);
                        file.since.add(new Change(at, bytes));
                        at += bytes.length;
                    }
                }
            }

            @Override
            public void truncate(long size) throws IOException {
                synchronized (PowerLossDisk.this) {
                    alive();
                    file.content = Arrays.copyOf(file.content, (int) Math.min(size, file.content.length));
                    file.since.add(new Change(size, null));
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
                    file.since.clear();
                }
            }

            @Override
            public void close() {
            }
        };
    }

    private static byte[] written(byte[] content, int at, byte[] bytes) {
        byte[] after = content.length >= at + bytes.length ? content.clone() : Arrays.copyOf(content, at + bytes.length);
        System.arraycopy(bytes, 0, after, at, bytes.length);
        return after;
    }

    @Override
    public synchronized void delete(String name) throws IOException {
        alive();
        live.remove(name);
    }

    @Override
    public synchronized void rename(String from, String to) throws IOException {
        alive();
        File f = live.remove(from);
        if (f == null) {
            throw new IOException("no such file " + from);
        }
        if (live.containsKey(to)) {
            live.put(from, f);
            throw new IOException(to + " exists");
        }
        f.name = to;
        live.put(to, f);
    }

    @Override
    public synchronized void forceFolder() throws IOException {
        alive();
        all.removeIf(f -> live.get(f.name) != f);
        all.forEach(f -> f.durableName = f.name);
    }

    @Override
    public synchronized long bytes() {
        return live.values().stream().mapToLong(f -> f.content.length).sum();
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
     * Pulls the plug at the {@code operations}-th write or force from now, before it takes
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
     * Power back: each file under its name at the folder's last force, its bytes as a real disk
     * may have them after the loss. Returns how many files kept a torn write.
     */
    synchronized int powerBack(Random random) {
        int torn = 0;
        live.clear();
        for (var it = all.iterator(); it.hasNext(); ) {
            File f = it.next();
            if (f.durableName == null) {
                it.remove(); // created, but its folder entry never reached the disk
                continue;
            }
            byte[] after = f.durable;
            boolean tornHere = false;
            for (Change change : f.since) {
                int fate = random.nextInt(3); // 0: lost, 1: kept, 2: torn (a write) or kept (a cut)
                if (fate == 0) {
                    continue;
                }
                if (change.bytes() == null) {
                    after = Arrays.copyOf(after, (int) Math.min(change.at(), after.length));
                } else {
                    // past the end when a write before it was lost: the gap reads as zeros
                    byte[] bytes = change.bytes();
                    if (fate == 2 && bytes.length > 0) {
                        bytes = Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length));
                        if (random.nextBoolean()) {
                            // the sectors of the torn end hold something else
                            int garbled = 1 + random.nextInt(Math.min(bytes.length, 64));
                            for (int i = bytes.length - garbled; i < bytes.length; i++) {
                                bytes[i] = (byte) random.nextInt(256);
                            }
                        }
                        tornHere = true;
                    }
                    after = written(after, (int) change.at(), bytes);
                }
            }
            torn += tornHere ? 1 : 0;
            f.since.clear();
            f.name = f.durableName;
            f.content = after.clone();
            f.durable = after.clone();
            live.put(f.name, f);
        }
        dead = false;
        operationsLeft = -1;
        return torn;
    }
}
