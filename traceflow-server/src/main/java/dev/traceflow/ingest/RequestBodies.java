package dev.traceflow.ingest;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.brotli.dec.BrotliInputStream;
import org.springframework.http.HttpStatus;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Reads an ingest body within the limits: at most {@code maxCompressed} bytes on the wire and
 * {@code maxDecompressed} after {@code Content-Encoding} (gzip, deflate, br) is undone, its bytes
 * arriving within {@code timeout} of waiting for them. Decoding stops as soon as a limit is
 * passed. Memory is taken from the request's
 * {@link IngestByteBudget.Lease} a chunk at a time as bytes arrive, never from the declared
 * {@code Content-Length} (which costs a client nothing to announce), and a compressed body is
 * decoded as it streams in, so only its decoded form is held.
 */
final class RequestBodies {

    /**
     * The first chunk of a body, taken from the budget before it is filled: small, because a
     * connection that sends slowly holds it until its body times out, and 500 such connections
     * holding 64 KiB each spent the whole budget of a 256 MiB heap (IngestMemoryBoundIT).
     */
    static final int FIRST_CHUNK = 8 * 1024;
    /** Chunks double from {@link #FIRST_CHUNK} up to this size. */
    static final int CHUNK = 64 * 1024;

    private final long maxCompressed;
    private final long maxDecompressed;
    private final long timeoutNanos;
    private final Runnable betweenChunks;

    static RequestBodies of(TraceFlowProperties.Ingest settings) {
        return new RequestBodies(settings.maxCompressedBytes(), settings.maxDecompressedBytes(), settings.bodyTimeout());
    }

    /**
     * @param timeout the longest the server waits, in all, for a body's bytes to arrive (time spent
     *                decoding what arrived does not count)
     */
    RequestBodies(long maxCompressed, long maxDecompressed, Duration timeout) {
        this(maxCompressed, maxDecompressed, timeout, Thread::yield);
    }

    /**
     * @param betweenChunks run after each full chunk, before the next: {@link Thread#yield} (see
     *                      {@link #readAtMost}); tests count the calls
     */
    RequestBodies(long maxCompressed, long maxDecompressed, Duration timeout, Runnable betweenChunks) {
        this.maxCompressed = maxCompressed;
        this.maxDecompressed = maxDecompressed;
        this.timeoutNanos = timeout.toNanos();
        this.betweenChunks = betweenChunks;
    }

    /**
     * @param lease where the body's memory is taken from; it keeps the body's bytes until closed
     * @throws ApiException 413 over a limit, 415 for an unknown encoding, 400 for a corrupt stream,
     *                      408 when the body is slower than the timeout, 503 when the server's
     *                      byte budget is spent
     */
    byte[] read(HttpServletRequest request, IngestByteBudget.Lease lease) {
        String encoding = request.getHeader("Content-Encoding");
        encoding = encoding == null ? "identity" : encoding.strip().toLowerCase(Locale.ROOT);
        long declared = request.getContentLengthLong();
        if (declared > maxCompressed) {
            throw ApiException.tooLarge("the body is " + declared + " bytes; the limit is " + maxCompressed);
        }
        try {
            InputStream wire = new Wire(request.getInputStream(), maxCompressed, timeoutNanos);
            return switch (encoding) {
                case "identity", "" -> {
                    long limit = Math.min(maxCompressed, maxDecompressed);
                    if (declared > limit) {
                        throw ApiException.tooLarge("the body is " + declared + " bytes; the limit is " + limit);
                    }
                    yield readAtMost(wire, limit, "", lease, declared);
                }
                case "gzip", "x-gzip" -> decode(wire, "gzip", lease);
                case "deflate" -> decode(wire, "deflate", lease);
                case "br" -> decode(wire, "br", lease);
                default -> throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_ENCODING",
                        "Content-Encoding '" + truncate(encoding) + "' is not supported; use gzip, deflate, br or none");
            };
        } catch (IOException e) {
            throw ApiException.malformed("the request body could not be read: " + truncate(e.getMessage()));
        }
    }

    private byte[] decode(InputStream wire, String encoding, IngestByteBudget.Lease lease) throws IOException {
        try (InputStream in = switch (encoding) {
            case "gzip" -> new GZIPInputStream(wire, 8192);
            // Google's decoder reports corrupt input as a plain IOException ("Brotli stream decoding failed",
            // "Corrupted reserved bit"...), so every IOException it raises while decoding is the body's fault
            case "br" -> brotli(wire, lease);
            default -> inflater(wire);
        }) {
            return readAtMost(in, maxDecompressed, " decompressed", lease, -1);
        } catch (ZipException | EOFException | Brotli.Corrupt e) {
            throw ApiException.malformed("the body is not valid " + encoding + " data");
        }
    }

    /**
     * A brotli decoder over the wire, its window charged to the lease first: the stream's first byte
     * names a window of up to 16 MiB (RFC 7932, 9.1), which the decoder allocates whole however
     * short the body, so a few hundred tiny bodies could otherwise ask for gigabytes.
     */
    private static InputStream brotli(InputStream wire, IngestByteBudget.Lease lease) throws IOException {
        PushbackInputStream in = new PushbackInputStream(wire, 1);
        int first = in.read();
        if (first < 0) {
            throw ApiException.malformed("the body is not valid br data: it is empty");
        }
        in.unread(first);
        lease.take(1L << brotliWindowBits(first));
        return new Brotli(new BrotliInputStream(in));
    }

    /** WBITS of a brotli stream from its first byte (RFC 7932, section 9.1; bits are read least significant first). */
    static int brotliWindowBits(int firstByte) {
        if ((firstByte & 1) == 0) {
            return 16;
        }
        int n = (firstByte >> 1) & 7;
        if (n != 0) {
            return 17 + n;
        }
        int m = (firstByte >> 4) & 7;
        return m != 0 ? 8 + m : 17;
    }

    /**
     * Tells a corrupt brotli stream apart from a connection that failed: both are IOExceptions from
     * the decoder, but only the first is the client's 400. Reads from the wire happen inside the
     * decoder, so the wire's own exceptions (ApiException: too large, too slow) pass unchanged.
     */
    private static final class Brotli extends FilterInputStream {

        static final class Corrupt extends IOException {
            Corrupt(IOException cause) {
                super(cause.getMessage(), cause);
            }
        }

        Brotli(InputStream decoder) {
            super(decoder);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new Corrupt(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new Corrupt(e);
            }
        }
    }

    /** HTTP "deflate" is zlib-wrapped (RFC 9110), but some clients send raw deflate: accept both. */
    private static InputStream inflater(InputStream wire) throws IOException {
        PushbackInputStream in = new PushbackInputStream(wire, 2);
        byte[] head = in.readNBytes(2);
        in.unread(head);
        boolean zlib = head.length == 2 && (head[0] & 0x0f) == 8 && (((head[0] & 0xff) << 8) | (head[1] & 0xff)) % 31 == 0;
        return new InflaterInputStream(in, new Inflater(!zlib), 8192);
    }

    /**
     * Gathers the stream in chunks growing from {@link #FIRST_CHUNK} to {@link #CHUNK}, each taken
     * from the lease before it is filled, then joins them into one array (taken too) and gives the
     * chunks back: the lease ends up holding the body's size.
     *
     * <p>Between full chunks the thread yields. A virtual thread keeps its carrier (one per core)
     * until it blocks, and decoding a body that has already arrived never blocks: a flood of
     * 10 MiB gzip bodies kept every carrier busy and {@code /healthz} unanswered for seconds
     * (IngestMemoryBoundIT). A body within the first chunk, the usual one, never yields.
     *
     * <p>With a declared length, once the rest of the body fits in what the next chunk would take,
     * the rest is read into the body's own array instead ({@link #readDeclaredRest}): the same bytes
     * held at most, without the last chunk and the join's second copy. A request of the ingest
     * benchmark (19 KB) allocated 8 + 16 KiB of chunks and the body again.
     *
     * @param declared the body's declared length (within {@code limit}), or -1 when it has none (chunked, or decoded)
     */
    private byte[] readAtMost(InputStream in, long limit, String what, IngestByteBudget.Lease lease, long declared)
            throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        long taken = 0;
        int size = FIRST_CHUNK;
        while (true) {
            if (declared >= 0 && declared - total <= size) {
                return readDeclaredRest(in, chunks, (int) total, (int) declared, lease, taken);
            }
            lease.take(size);
            taken += size;
            byte[] chunk = new byte[size];
            int n = in.readNBytes(chunk, 0, size);
            total += n;
            if (total > limit) {
                throw ApiException.tooLarge("the body is over the" + what + " limit of " + limit + " bytes");
            }
            if (n == 0) {
                break;
            }
            chunks.add(chunk);
            if (n < size) {
                break;
            }
            size = Math.min(size * 2, CHUNK);
            betweenChunks.run();
        }
        lease.take(total);
        byte[] body = new byte[(int) total];
        int at = 0;
        for (byte[] chunk : chunks) {
            int n = (int) Math.min(chunk.length, total - at);
            System.arraycopy(chunk, 0, body, at, n);
            at += n;
        }
        lease.giveBack(taken);
        return body;
    }

    /**
     * The rest of a body of declared length into an array of that length, after the full chunks read
     * so far. It takes the body's size from the lease where the join would have taken the next chunk
     * and then the body's size, and ends, as the join does, holding the body's size. A body that ends
     * before its declared length (the client stopped sending) is cut to what came.
     */
    private static byte[] readDeclaredRest(InputStream in, List<byte[]> fullChunks, int received, int declared,
                                           IngestByteBudget.Lease lease, long taken) throws IOException {
        lease.take(declared);
        byte[] body = new byte[declared];
        int at = 0;
        for (byte[] chunk : fullChunks) {
            System.arraycopy(chunk, 0, body, at, chunk.length);
            at += chunk.length;
        }
        at += in.readNBytes(body, received, declared - received);
        lease.giveBack(taken);
        if (at < declared) {
            lease.giveBack(declared - at);
            return Arrays.copyOf(body, at);
        }
        return body;
    }

    /**
     * The body as it comes off the connection: refused past {@code max} bytes (a chunked body has
     * no Content-Length to check first) and once the reads have waited {@code maxWait} in all for
     * the client. Only the waiting counts, not the decoding between reads: a flood of gzip bodies
     * that had arrived at once got 408 when decoding them took long (IngestMemoryBoundIT), while a
     * client that sends a few bytes a second is cut off as before.
     */
    private static final class Wire extends FilterInputStream {

        private final long max;
        private final long maxWait;
        private long read;
        private long waited;

        Wire(InputStream in, long max, long maxWait) {
            super(in);
            this.max = max;
            this.maxWait = maxWait;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (waited > maxWait) {
                throw slow();
            }
            long start = System.nanoTime();
            int n = super.read(b, off, len);
            waited += System.nanoTime() - start;
            if (n > 0) {
                read += n;
                if (read > max) {
                    throw ApiException.tooLarge("the body is over the limit of " + max + " bytes");
                }
                if (waited > maxWait) {
                    throw slow();
                }
            }
            return n;
        }

        private static ApiException slow() {
            return new ApiException(HttpStatus.REQUEST_TIMEOUT, "BODY_TIMEOUT", "The request body arrived too slowly");
        }
    }

    static String truncate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
