package dev.traceflow.ingest;

import dev.traceflow.http.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Reads an ingest body within the limits: at most {@code maxCompressed} bytes on the wire and
 * {@code maxDecompressed} after {@code Content-Encoding} (gzip, deflate) is undone. Decoding
 * stops as soon as a limit is passed, so a gzip bomb costs at most the limit in memory.
 */
final class RequestBodies {

    private final long maxCompressed;
    private final long maxDecompressed;

    RequestBodies(long maxCompressed, long maxDecompressed) {
        this.maxCompressed = maxCompressed;
        this.maxDecompressed = maxDecompressed;
    }

    /** @throws ApiException 413 over a limit, 415 for an unknown encoding, 400 for a corrupt stream */
    byte[] read(HttpServletRequest request) {
        String encoding = request.getHeader("Content-Encoding");
        encoding = encoding == null ? "identity" : encoding.strip().toLowerCase(Locale.ROOT);
        long declared = request.getContentLengthLong();
        if (declared > maxCompressed) {
            throw ApiException.tooLarge("the body is " + declared + " bytes; the limit is " + maxCompressed);
        }
        try {
            InputStream wire = request.getInputStream();
            return switch (encoding) {
                case "identity", "" -> {
                    long limit = Math.min(maxCompressed, maxDecompressed);
                    if (declared > limit) {
                        throw ApiException.tooLarge("the body is " + declared + " bytes; the limit is " + limit);
                    }
                    yield declared >= 0 ? readDeclared(wire, (int) declared) : readAtMost(wire, limit, "");
                }
                case "gzip", "x-gzip" -> decode(readAtMost(wire, maxCompressed, ""), true);
                case "deflate" -> decode(readAtMost(wire, maxCompressed, ""), false);
                default -> throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_ENCODING",
                        "Content-Encoding '" + truncate(encoding) + "' is not supported; use gzip, deflate or none");
            };
        } catch (IOException e) {
            throw ApiException.malformed("the request body could not be read: " + truncate(e.getMessage()));
        }
    }

    private byte[] decode(byte[] compressed, boolean gzip) throws IOException {
        try (InputStream in = gzip
                ? new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)
                : inflater(compressed)) {
            return readAtMost(in, maxDecompressed, " decompressed");
        } catch (ZipException | EOFException e) {
            throw ApiException.malformed("the body is not valid " + (gzip ? "gzip" : "deflate") + " data");
        }
    }

    /** HTTP "deflate" is zlib-wrapped (RFC 9110), but some clients send raw deflate: accept both. */
    private static InputStream inflater(byte[] compressed) {
        boolean zlib = compressed.length >= 2 && (compressed[0] & 0x0f) == 8
                && (((compressed[0] & 0xff) << 8) | (compressed[1] & 0xff)) % 31 == 0;
        return new InflaterInputStream(new ByteArrayInputStream(compressed), new Inflater(!zlib), 8192);
    }

    /**
     * A body with a Content-Length (already checked against the limit) goes straight into an array
     * of that size; the servlet stream ends at the declared length, so nothing more can follow.
     */
    private static byte[] readDeclared(InputStream in, int length) throws IOException {
        byte[] body = new byte[length];
        int n = in.readNBytes(body, 0, length);
        return n == length ? body : Arrays.copyOf(body, n);
    }

    private static byte[] readAtMost(InputStream in, long limit, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > limit) {
                throw ApiException.tooLarge("the body is over the" + what + " limit of " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    static String truncate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
