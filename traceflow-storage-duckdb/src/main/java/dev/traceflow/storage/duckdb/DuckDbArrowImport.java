package dev.traceflow.storage.duckdb;

import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Inserts prepared rows ({@link DuckDbRows}) through DuckDB's Arrow import: the rows of one
 * transaction are copied into Arrow vectors (a VarChar vector per string column, from the UTF-8
 * arrays the request threads made), exported as a C-data stream, registered as a view on the
 * connection and inserted with one {@code INSERT INTO events SELECT * FROM} that view, inside the
 * caller's transaction. DuckDB's Appender took a native call per value (strings under a lock);
 * here the loader makes a few native calls per transaction, and the storing thread's CPU per event
 * fell by about a quarter (README "The loader's write path (issue 14)").
 *
 * <p>Arrow's memory module needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (the server
 * jar's manifest carries it for {@code java -jar}; the launcher and the test forks pass it). The
 * vectors live off the heap only while {@link #insert} runs. One thread at a time.
 */
final class DuckDbArrowImport {

    static {
        // before any Arrow class touches sun.misc.Unsafe: its JDK warning as a JSON log line
        UnsafeMemoryAccessNotice.logOnce();
    }

    private static final String VIEW = "traceflow_arrow_load";
    private static final String[] STRING_NAMES = {"app_id", "type", "event_id", "session_id", "user_id",
            "anonymous_id", "path", "name", "fingerprint", "release", "environment", "browser", "os",
            "device_type", "country", "traffic_source", "properties", "data", "kind", "metric_id"};
    private static final String[] TRAILING_NAMES = {"transfer_size", "click_x", "click_y", "viewport_width",
            "viewport_height"};
    /** Table order: 2 strings, ts, 6 strings, value, 12 strings, 5 doubles (see {@link DuckDbRows}). */
    static final Schema SCHEMA = schema();

    private final DuckDBConnection connection;
    private final BufferAllocator allocator;

    DuckDbArrowImport(DuckDBConnection connection) {
        this.connection = connection;
        this.allocator = new RootAllocator();
    }

    private static Schema schema() {
        List<Field> fields = new ArrayList<>();
        FieldType utf8 = FieldType.nullable(new ArrowType.Utf8());
        FieldType dbl = FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        for (int i = 0; i < DuckDbRows.BEFORE_TS; i++) {
            fields.add(new Field(STRING_NAMES[i], utf8, null));
        }
        fields.add(new Field("ts", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)), null));
        for (int i = DuckDbRows.BEFORE_TS; i < DuckDbRows.BEFORE_VALUE; i++) {
            fields.add(new Field(STRING_NAMES[i], utf8, null));
        }
        fields.add(new Field("value", dbl, null));
        for (int i = DuckDbRows.BEFORE_VALUE; i < DuckDbRows.STRINGS; i++) {
            fields.add(new Field(STRING_NAMES[i], utf8, null));
        }
        for (String name : TRAILING_NAMES) {
            fields.add(new Field(name, dbl, null));
        }
        return new Schema(fields);
    }

    /**
     * Inserts the rows not marked in {@code duplicates} (row numbers run over all batches) in the
     * connection's open transaction; on an exception the caller rolls back.
     *
     * @return rows inserted
     */
    long insert(List<DuckDbRows.Batch> batches, BitSet duplicates) throws SQLException {
        if (count(batches, duplicates) == 0) {
            return 0;
        }
        return load(fill(batches, duplicates));
    }

    private static int count(List<DuckDbRows.Batch> batches, BitSet duplicates) {
        int n = 0;
        int row = 0;
        for (DuckDbRows.Batch b : batches) {
            for (int i = 0; i < b.size(); i++, row++) {
                if (!duplicates.get(row)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The rows to insert, in vectors held by a reader of one batch; {@link #load} frees them. */
    ArrowReader fill(List<DuckDbRows.Batch> batches, BitSet duplicates) {
        int n = count(batches, duplicates);
        OneBatch reader = new OneBatch(allocator);
        try {
            fill(reader.getVectorSchemaRoot(), batches, duplicates, n);
            return reader;
        } catch (IOException e) {
            closeQuietly(reader, e);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            closeQuietly(reader, e);
            throw e;
        }
    }

    /** Inserts what {@link #fill} made; the stream's release (DuckDB's, or ours on failure) frees the vectors. */
    long load(ArrowReader rows) throws SQLException {
        try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            try {
                Data.exportArrayStream(allocator, rows, stream);
            } catch (RuntimeException e) {
                closeQuietly(rows, e);
                throw e;
            }
            // registering the same name again replaces the view of the previous (consumed) stream
            connection.registerArrowStream(VIEW, stream);
            try (Statement st = connection.createStatement()) {
                return st.executeLargeUpdate("INSERT INTO events SELECT * FROM " + VIEW);
            }
        }
    }

    private static void closeQuietly(ArrowReader reader, Exception failure) {
        try {
            reader.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Frees the allocator; fails loudly if vectors were not given back (a leak). */
    void close() {
        allocator.close();
    }

    private static void fill(VectorSchemaRoot root, List<DuckDbRows.Batch> batches, BitSet duplicates, int n) {
        VarCharVector[] strings = new VarCharVector[DuckDbRows.STRINGS];
        int column = 0;
        for (int c = 0; c < DuckDbRows.STRINGS; c++) {
            if (c == DuckDbRows.BEFORE_TS) {
                fillTimes((TimeStampMicroVector) root.getVector(column++), batches, duplicates, n);
            } else if (c == DuckDbRows.BEFORE_VALUE) {
                fillDoubles((Float8Vector) root.getVector(column++), batches, duplicates, n, -1);
            }
            strings[c] = (VarCharVector) root.getVector(column++);
        }
        fillStrings(strings, batches, duplicates, n);
        for (int t = 0; t < DuckDbRows.TRAILING_DOUBLES; t++) {
            fillDoubles((Float8Vector) root.getVector(column++), batches, duplicates, n, t);
        }
        root.setRowCount(n);
    }

    /**
     * The string columns row after row (a row's 20 cells lie side by side, so one pass reads them
     * in memory order), straight into the vectors' memory: offsets and bytes by address, validity
     * a byte per eight rows. Column after column with {@code VarCharVector.set} (bounds checks,
     * the previous offset read back, a bit set per call, the row arrays read 20 times) took about
     * three times as long.
     */
    private static void fillStrings(VarCharVector[] vectors, List<DuckDbRows.Batch> batches, BitSet duplicates, int n) {
        final int columns = DuckDbRows.STRINGS;
        long[] bytes = new long[columns];
        boolean anyDuplicate = !duplicates.isEmpty();
        int row = 0;
        for (DuckDbRows.Batch b : batches) {
            int[] lengths = b.lengths();
            int at = b.firstCell(0);
            for (int i = 0; i < b.size(); i++, row++, at += columns) {
                if (anyDuplicate && duplicates.get(row)) {
                    continue;
                }
                for (int c = 0; c < columns; c++) {
                    int length = lengths[at + c];
                    if (length != DuckDbRows.NULL_LENGTH) {
                        bytes[c] += length;
                    }
                }
            }
        }
        long[] offsets = new long[columns];
        long[] data = new long[columns];
        ArrowBuf[] validity = new ArrowBuf[columns];
        int[] end = new int[columns];
        int[] bits = new int[columns];
        for (int c = 0; c < columns; c++) {
            vectors[c].allocateNew(Math.max(1, bytes[c]), n);
            offsets[c] = vectors[c].getOffsetBufferAddress();
            data[c] = vectors[c].getDataBufferAddress();
            validity[c] = vectors[c].getValidityBuffer();
            MemoryUtil.putInt(offsets[c], 0);
        }
        row = 0;
        int out = 0;
        for (DuckDbRows.Batch b : batches) {
            byte[] text = b.text();
            int[] starts = b.starts();
            int[] lengths = b.lengths();
            int at = b.firstCell(0);
            for (int i = 0; i < b.size(); i++, row++, at += columns) {
                if (anyDuplicate && duplicates.get(row)) {
                    continue;
                }
                int bit = 1 << (out & 7);
                long offsetAt = 4L * (out + 1);
                for (int c = 0; c < columns; c++) {
                    int length = lengths[at + c];
                    if (length != DuckDbRows.NULL_LENGTH) {
                        MemoryUtil.copyToMemory(text, starts[at + c], data[c] + end[c], length);
                        end[c] += length;
                        bits[c] |= bit;
                    }
                    MemoryUtil.putInt(offsets[c] + offsetAt, end[c]);
                }
                out++;
                if ((out & 7) == 0) {
                    for (int c = 0; c < columns; c++) {
                        validity[c].setByte((out - 1) >> 3, bits[c]);
                        bits[c] = 0;
                    }
                }
            }
        }
        for (int c = 0; c < columns; c++) {
            if ((out & 7) != 0) {
                validity[c].setByte(out >> 3, bits[c]);
            }
            vectors[c].setLastSet(n - 1);
            vectors[c].setValueCount(n);
        }
    }

    private static void fillTimes(TimeStampMicroVector v, List<DuckDbRows.Batch> batches, BitSet duplicates, int n) {
        v.allocateNew(n);
        int row = 0;
        int out = 0;
        for (DuckDbRows.Batch b : batches) {
            for (int i = 0; i < b.size(); i++, row++) {
                if (!duplicates.get(row)) {
                    v.set(out++, b.micros()[b.from() + i]);
                }
            }
        }
        v.setValueCount(n);
    }

    /** {@code trailing} -1: the {@code value} column, else that trailing double. */
    private static void fillDoubles(Float8Vector v, List<DuckDbRows.Batch> batches, BitSet duplicates, int n,
                                    int trailing) {
        v.allocateNew(n);
        int row = 0;
        int out = 0;
        for (DuckDbRows.Batch b : batches) {
            DuckDbRows.Doubles d = trailing < 0 ? b.values() : b.trailing();
            for (int i = 0; i < b.size(); i++, row++) {
                if (duplicates.get(row)) {
                    continue;
                }
                int cell = trailing < 0 ? b.from() + i : (b.from() + i) * DuckDbRows.TRAILING_DOUBLES + trailing;
                if (d.present()[cell]) {
                    v.set(out, d.values()[cell]);
                } else {
                    v.setNull(out);
                }
                out++;
            }
        }
        v.setValueCount(n);
    }

    /** A reader of the one batch already filled into its root; closing the stream frees the vectors. */
    private static final class OneBatch extends ArrowReader {
        private boolean handedOut;

        OneBatch(BufferAllocator allocator) {
            super(allocator);
        }

        @Override
        public boolean loadNextBatch() {
            if (handedOut) {
                return false;
            }
            handedOut = true;
            return true;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() {
            return SCHEMA;
        }
    }
}
