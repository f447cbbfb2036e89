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

    /** Opens a file for reading and writing; creates it (empty) when {@code create} and it is missing. */
    Segment open(String name, boolean create) throws IOException;

    /** Deletes the file if it is there. */
    void delete(String name) throws IOException;

    /** Renames a file; fails when {@code to} exists (whatever it is). Durable once the folder is forced. */
    void rename(String from, String to) throws IOException;

    /** Makes the folder's entries durable, so a file just created survives a power loss. */
    void forceFolder() throws IOException;

    /** Bytes in all files, or -1 when unknown. */
    long bytes();

    /** One open file: read and write anywhere. */
    interface Segment extends Closeable {

        long size() throws IOException;

        /** Reads from {@code position} until {@code into} is full or the file ends; returns the bytes read. */
        int read(ByteBuffer into, long position) throws IOException;

        /** Writes every remaining byte of the buffers, in order, from {@code position} on (at most the file's size). */
        void write(ByteBuffer[] buffers, long position) throws IOException;

        /** Cuts the file to {@code size} bytes. */
        void truncate(long size) throws IOException;

        /** Returns once everything written so far is on the disk (fdatasync). */
        void force() throws IOException;
    }
}
