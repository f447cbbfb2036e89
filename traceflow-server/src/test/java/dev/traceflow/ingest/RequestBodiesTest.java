package dev.traceflow.ingest;

import dev.traceflow.http.ApiException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Size limits per encoding: the limits that apply are the wire's and, after decoding, the decompressed one. */
class RequestBodiesTest {

    private static MockHttpServletRequest request(byte[] body, boolean declareLength, String encoding) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", "/api/collect/batch") {
            @Override
            public long getContentLengthLong() {
                return declareLength ? super.getContentLengthLong() : -1; // chunked: no Content-Length
            }
        };
        r.setContent(body);
        if (encoding != null) {
            r.addHeader("Content-Encoding", encoding);
        }
        return r;
    }

    /** Reads with a budget big enough for anything here and the default body timeout. */
    private static byte[] read(long maxCompressed, long maxDecompressed, MockHttpServletRequest request) {
        try (IngestByteBudget.Lease lease = new IngestByteBudget(1L << 30, 1).lease()) {
            return new RequestBodies(maxCompressed, maxDecompressed, Duration.ofSeconds(10)).read(request, lease);
        }
    }

    @Test
    void read_takesABodyOfItsDeclaredLength() {
        byte[] body = "[{\"a\":1}]".getBytes();
        assertThat(read(100, 100, request(body, true, null))).isEqualTo(body);
        assertThat(read(100, 100, request(body, false, null))).as("chunked").isEqualTo(body);
        assertThat(read(100, 100, request(new byte[0], true, null))).isEmpty();
    }

    /** Without an encoding the body is its own decompressed form: the smaller of the two limits applies. */
    @Test
    void read_refusesAPlainBodyOverTheDecompressedLimitWhenThatIsTheSmallerOne() {
        byte[] body = new byte[60];
        for (boolean declared : new boolean[]{true, false}) {
            assertThatThrownBy(() -> read(100, 50, request(body, declared, null)))
                    .as("declared length: " + declared)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(413));
        }
        assertThat(read(100, 60, request(body, true, null))).hasSize(60);
    }

    @Test
    void read_refusesAGzipBodyThatDecodesPastTheLimit() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[1000]);
        }
        assertThatThrownBy(() -> read(10_000, 500, request(gz.toByteArray(), true, "gzip")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(413));
        assertThat(read(10_000, 1000, request(gz.toByteArray(), true, "gzip"))).hasSize(1000);
    }

    /**
     * A gzip bomb costs at most the limit: decoding stops once past it. Shown without a clock: the
     * stream's checksum at its very end is wrong, which only a decoder that reads to the end sees
     * (it would answer 400 for the corrupt stream instead of 413).
     */
    @Test
    void read_stopsDecodingAGzipBombAtTheLimit_withoutInflatingTheRest() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[10 * 1024 * 1024]); // 10 MiB of zeros, about 10 KiB compressed
        }
        byte[] bomb = gz.toByteArray();
        bomb[bomb.length - 8] ^= 0x01; // the trailer's CRC-32 (then the length, 4 bytes each)
        assertThatThrownBy(() -> read(1 << 20, 11 * 1024 * 1024, request(bomb, true, "gzip")))
                .as("the corruption is there for a decoder that reads to the end")
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(400));

        assertThatThrownBy(() -> read(1 << 20, 64 * 1024, request(bomb, true, "gzip")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(413));
    }
}
