package dev.traceflow.storage.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The few file operations the ingest journal needs, in one folder, so that a test can stand in
 * for the disk and pull the plug: keep only what was forced, tear the last write.
 * {@link FileJournalFiles} is the real one.
 */
interface JournalFiles {

    /** Where the files are, for messages. */
    String describe();

    /** The names of the regular files in the folder. */
    List<String> list() throws IOException;

    /** Opens a file for reading and appending; creates it (empty) when {@code create} and it is missing. */
    Segment open(String name, boolean create) throws IOException;

    /** Deletes the file if it is there. */
    void delete(String name) throws IOException;

    /** Makes the folder's entries durable, so a file just created survives a power loss. */
    void forceFolder() throws IOException;

    /** Bytes in all files, or -1 when unknown. */
    long bytes();

    /** One open file: read anywhere, write only at its end. */
    interface Segment extends Closeable {

        long size() throws IOException;

        /** Reads from {@code position} until {@code into} is full or the file ends; returns the bytes read. */
        int read(ByteBuffer into, long position) throws IOException;

        /** Writes every remaining byte of the buffers at the end of the file. */
        void append(ByteBuffer[] buffers) throws IOException;

        /** Cuts the file to {@code size} bytes; the next append continues there. */
        void truncate(long size) throws IOException;

        /** Returns once everything written so far is on the disk (fdatasync). */
        void force() throws IOException;
    }
}
