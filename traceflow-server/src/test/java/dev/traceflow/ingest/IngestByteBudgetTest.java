package dev.traceflow.ingest;

import dev.traceflow.http.ApiException;
import jakarta.servlet.ServletInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.DelegatingServletInputStream;
import org.springframework.mock.web.MockHttpServletRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ingest bodies take their memory from one server-wide budget as their bytes arrive: what a client
 * announces costs nothing, a spent budget answers 503 with Retry-After, and every byte comes back.
 */
class IngestByteBudgetTest {

    private static final long MIB = 1024 * 1024;
    private final RequestBodies bodies = new RequestBodies(MIB, 10 * MIB, Duration.ofSeconds(10));

    private static MockHttpServletRequest request(InputStream body, long declaredLength, String encoding) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", "/api/collect/batch") {
            @Override
            public long getContentLengthLong() {
                return declaredLength;
            }

            @Override
            public ServletInputStream getInputStream() {
                // Spring's DelegatingServletInputStream reads arrays a byte at a time; Tomcat's passes on what arrived
                return new DelegatingServletInputStream(body) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        return body.read(b, off, len);
                    }
                };
            }
        };
        if (encoding != null) {
            r.addHeader("Content-Encoding", encoding);
        }
        return r;
    }

    @Test
    void aBodyAnnouncingAMebibyte_holdsOnlyWhatArrived() {
        IngestByteBudget budget = new IngestByteBudget(100 * MIB, 1);
        AtomicLong heldWhileWaiting = new AtomicLong();
        InputStream tenBytesThenTheEnd = new InputStream() {
            private int sent;

            @Override
            public int read() {
                if (sent < 10) {
                    sent++;
                    return '1';
                }
                heldWhileWaiting.set(budget.held());
                return -1;
            }
        };
        try (IngestByteBudget.Lease lease = budget.lease()) {
            byte[] body = bodies.read(request(tenBytesThenTheEnd, MIB, null), lease);
            assertThat(body).hasSize(10);
            assertThat(heldWhileWaiting.get()).as("held while waiting for more bytes").isEqualTo(RequestBodies.CHUNK);
            assertThat(lease.held()).as("held once read: the body's size").isEqualTo(10);
        }
        assertThat(budget.held()).isZero();
    }

    @Test
    void aSpentBudget_answers503WithRetryAfter_andTheBudgetComesBack() {
        IngestByteBudget budget = new IngestByteBudget(256 * 1024, 3);
        try (IngestByteBudget.Lease other = budget.lease()) {
            other.take(200 * 1024);
            try (IngestByteBudget.Lease lease = budget.lease()) {
                assertThatThrownBy(() -> bodies.read(request(new ByteArrayInputStream(new byte[100 * 1024]), 100 * 1024, null), lease))
                        .isInstanceOfSatisfying(ApiException.class, e -> {
                            assertThat(e.status().value()).isEqualTo(503);
                            assertThat(e.code()).isEqualTo("OVERLOADED");
                            assertThat(e.retryAfterSeconds()).isEqualTo(3);
                        });
            }
        }
        assertThat(budget.held()).isZero();
        try (IngestByteBudget.Lease lease = budget.lease()) {
            assertThat(bodies.read(request(new ByteArrayInputStream(new byte[100 * 1024]), 100 * 1024, null), lease))
                    .as("room again").hasSize(100 * 1024);
        }
    }

    /** A gzip body is decoded as it streams in: only its decoded bytes count, and a budget smaller than them refuses it. */
    @Test
    void aGzipBodyInflatingPastTheBudget_isRefusedWith503_notHeld() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[(int) (10 * MIB)]);
        }
        IngestByteBudget budget = new IngestByteBudget(MIB, 1);
        try (IngestByteBudget.Lease lease = budget.lease()) {
            assertThatThrownBy(() -> bodies.read(request(new ByteArrayInputStream(gz.toByteArray()), gz.size(), "gzip"), lease))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(503));
            assertThat(lease.held()).isLessThanOrEqualTo(MIB);
        }
        assertThat(budget.held()).isZero();
    }

    @Test
    void aBodySlowerThanTheTimeout_isCutOffWith408() {
        RequestBodies quick = new RequestBodies(MIB, MIB, Duration.ofMillis(150));
        InputStream trickle = new InputStream() {
            @Override
            public int read() {
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int c = read();
                b[off] = (byte) c;
                return 1;
            }
        };
        IngestByteBudget budget = new IngestByteBudget(100 * MIB, 1);
        try (IngestByteBudget.Lease lease = budget.lease()) {
            assertThatThrownBy(() -> quick.read(request(trickle, MIB, null), lease))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(408));
        }
        assertThat(budget.held()).isZero();
    }
}
