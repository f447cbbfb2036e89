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
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ingest bodies take their memory from one server-wide budget as their bytes arrive, and room for
 * their events before they are parsed: what a client announces costs nothing, a spent budget
 * answers 503 with Retry-After, and every byte comes back.
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
            assertThat(heldWhileWaiting.get()).as("held while waiting for more bytes: a small first chunk")
                    .isEqualTo(RequestBodies.FIRST_CHUNK);
            assertThat(lease.held()).as("held once read: the body's size").isEqualTo(10);
        }
        assertThat(budget.held()).isZero();
    }

    @Test
    void aLargeBody_isReadInGrowingChunksThatAllComeBack_yieldingBetweenThem_aSmallOneWithoutYielding() {
        AtomicLong yields = new AtomicLong();
        RequestBodies counting = new RequestBodies(MIB, 10 * MIB, Duration.ofSeconds(10), yields::incrementAndGet);
        IngestByteBudget budget = new IngestByteBudget(100 * MIB, 1);
        byte[] large = new byte[(int) MIB];
        new java.util.Random(7).nextBytes(large);

        try (IngestByteBudget.Lease lease = budget.lease()) {
            assertThat(counting.read(request(new ByteArrayInputStream(large), MIB, null), lease)).isEqualTo(large);
            assertThat(lease.held()).as("the chunks are given back once joined").isEqualTo(MIB);
        }
        // 8 + 16 + 32 KiB, then 64 KiB chunks up to 1 MiB: 18 full chunks, and a yield after each but the last
        assertThat(yields.get()).isEqualTo(18);

        yields.set(0);
        try (IngestByteBudget.Lease lease = budget.lease()) {
            counting.read(request(new ByteArrayInputStream(new byte[1000]), 1000, null), lease);
        }
        assertThat(yields.get()).as("a body within the first chunk").isZero();
        assertThat(budget.held()).isZero();
    }

    @Test
    void aBodyOfDeclaredLength_needsNoMoreThanItsFirstChunkAndItsOwnSize() {
        byte[] body = new byte[19_000]; // a request of the ingest benchmark: 50 events
        new Random(3).nextBytes(body);
        IngestByteBudget budget = new IngestByteBudget(RequestBodies.FIRST_CHUNK + body.length, 1);

        try (IngestByteBudget.Lease lease = budget.lease()) {
            assertThat(bodies.read(request(new ByteArrayInputStream(body), body.length, null), lease))
                    .as("read without a second chunk and a join that needed room for both").isEqualTo(body);
            assertThat(lease.held()).as("held once read: the body's size").isEqualTo(body.length);
        }
        assertThat(budget.held()).isZero();
    }

    @Test
    void aBodyEndingBeforeItsDeclaredLength_isWhatCame_andHoldsThatMuch() {
        byte[] body = new byte[12_000];
        new Random(4).nextBytes(body);
        IngestByteBudget budget = new IngestByteBudget(MIB, 1);

        try (IngestByteBudget.Lease lease = budget.lease()) {
            assertThat(bodies.read(request(new ByteArrayInputStream(body), 20_000, null), lease)).isEqualTo(body);
            assertThat(lease.held()).isEqualTo(body.length);
        }
        assertThat(budget.held()).isZero();
    }

    @Test
    void takeForEvents_holdsFourTimesTheBodyMoreUntilClosed_orAnswers503WhenTheBudgetCannotGiveIt() {
        IngestByteBudget budget = new IngestByteBudget(MIB, 2);
        try (IngestByteBudget.Lease lease = budget.lease()) {
            lease.take(100_000); // the body
            lease.takeForEvents(100_000);
            assertThat(budget.held()).isEqualTo(500_000);

            try (IngestByteBudget.Lease other = budget.lease()) {
                other.take(200_000);
                assertThatThrownBy(() -> other.takeForEvents(200_000)).as("200,000 + 800,000 more than the 524,576 left")
                        .isInstanceOfSatisfying(ApiException.class, e -> {
                            assertThat(e.status().value()).isEqualTo(503);
                            assertThat(e.retryAfterSeconds()).isEqualTo(2);
                        });
            }
            assertThat(budget.held()).isEqualTo(500_000);
        }
        assertThat(budget.held()).isZero();
    }

    @Test
    void theBudget_isAQuarterOfTheHeapUnlessSet() {
        assertThat(dev.traceflow.support.TestProperties.defaults().ingest().bufferedBytesLimit())
                .isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        assertThat(dev.traceflow.support.TestProperties.of(java.util.Map.of("traceflow.ingest.max-buffered-bytes", "1000"))
                .ingest().bufferedBytesLimit()).isEqualTo(1000);
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
    void aBodyThatArrivedAtOnce_isNotCutOffWhileTheServerIsSlowToDecodeIt() {
        // the server spends 50 ms between chunks (a busy machine); the client waits for nothing
        RequestBodies slowServer = new RequestBodies(MIB, MIB, Duration.ofMillis(150), () -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        byte[] body = new byte[512 * 1024];
        IngestByteBudget budget = new IngestByteBudget(100 * MIB, 1);
        try (IngestByteBudget.Lease lease = budget.lease()) {
            assertThat(slowServer.read(request(new ByteArrayInputStream(body), body.length, null), lease))
                    .as("about 500 ms of decoding, none of waiting for the client").hasSize(body.length);
        }
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
