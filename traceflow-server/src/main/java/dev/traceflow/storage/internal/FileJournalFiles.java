package dev.traceflow.storage.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** The journal's files on the real file system, through {@link FileChannel}. */
final class FileJournalFiles implements JournalFiles {

    private static final Logger log = LoggerFactory.getLogger(FileJournalFiles.class);

    private final Path dir;

    FileJournalFiles(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    @Override
    public List<String> list() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
    }

    @Override
    public Segment open(String name, boolean create) throws IOException {
        FileChannel channel = create
                ? FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(dir.resolve(name), StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new ChannelSegment(channel);
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name));
    }

    @Override
    public void rename(String from, String to) throws IOException {
        // no ATOMIC_MOVE: on Linux it replaces an existing target; a move within one folder is a rename(2) anyway
        Files.move(dir.resolve(from), dir.resolve(to));
    }

    @Override
    public void forceFolder() {
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
            folder.force(true);
        } catch (IOException e) {
            log.debug("fsync of the journal folder is not supported here: {}", e.getMessage());
        }
    }

    @Override
    public long bytes() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private record ChannelSegment(FileChannel channel) implements Segment {

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public int read(ByteBuffer into, long position) throws IOException {
            int total = 0;
            while (into.hasRemaining()) {
                int n = channel.read(into, position + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        }

        @Override
        public void write(ByteBuffer[] buffers, long position) throws IOException {
            // one writer per segment (the journal thread): the channel's position is its own
            channel.position(position);
            long remaining = 0;
            for (ByteBuffer b : buffers) {
                remaining += b.remaining();
            }
            while (remaining > 0) {
                remaining -= channel.write(buffers);
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
        }

        @Override
        public void force() throws IOException {
            // data and the size needed to read it back: what a record's durability needs
            channel.force(false);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
