package dev.traceflow.ingest;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.ApiException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all ingest requests together may hold in memory (bodies as they arrive and as they
 * decode, then the events made from them), whatever their number: each request takes from one
 * server-wide budget before it reads more of its body, and before it parses the body room for the
 * events ({@link Lease#takeForEvents}); it gives everything back once its events are handed off.
 * The limits per request (1 MiB on the wire, 10 MiB decoded) alone let 200 concurrent gzip bodies
 * ask for 2 GB.
 * When the budget is spent a request is refused with 503 {@code OVERLOADED} and Retry-After (a
 * request refused as a whole, counted by {@link IngestOutcomes#requestRejected}), never an
 * {@code OutOfMemoryError}. Thread-safe, lock-free.
 */
@Component
class IngestByteBudget {

    /**
     * Heap the events made from a body take, per byte of the body, until they are handed off: the
     * parsed events, their journal form and the backend's prepared form. Measured (README
     * "Security", Limits) at 3.0 times the body for large events and 4.5 for small ones, of which
     * the storage queue's own bound counts the last two again from the hand-off on. Uncounted, a
     * request held up to five times what the budget said (IngestMemoryBoundIT found it).
     */
    static final int EVENTS_PER_BODY_BYTE = 4;

    private final long capacity;
    private final int retryAfterSeconds;
    private final AtomicLong held = new AtomicLong();

    @Autowired
    IngestByteBudget(TraceFlowProperties properties, MeterRegistry meters) {
        this(properties.ingest().bufferedBytesLimit(), properties.ingest().retryAfterSeconds());
        Gauge.builder("traceflow.ingest.buffered.bytes", held, AtomicLong::get).baseUnit("bytes")
                .description("Bytes held by ingest requests (bodies read or decoded, and room for their events) not yet handed off")
                .register(meters);
        Gauge.builder("traceflow.ingest.buffered.limit.bytes", () -> capacity).baseUnit("bytes")
                .description("The most bytes ingest requests may hold in memory together").register(meters);
    }

    IngestByteBudget(long capacity, int retryAfterSeconds) {
        this.capacity = capacity;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A request's share, given back whole by {@link Lease#close()}. */
    Lease lease() {
        return new Lease();
    }

    long held() {
        return held.get();
    }

    long capacity() {
        return capacity;
    }

    /** One request's share of the budget; not thread-safe (one request thread uses it). */
    final class Lease implements AutoCloseable {

        private long mine;

        /** @throws ApiException 503 OVERLOADED with Retry-After when the server's budget cannot give {@code bytes} more */
        void take(long bytes) {
            while (true) {
                long current = held.get();
                if (current + bytes > capacity) {
                    throw ApiException.unavailable("OVERLOADED",
                            "The server holds as many request bodies as it may; retry later", retryAfterSeconds);
                }
                if (held.compareAndSet(current, current + bytes)) {
                    mine += bytes;
                    return;
                }
            }
        }

        /**
         * Takes room for what parsing a body of {@code bodyBytes} makes, before it is parsed
         * ({@link #EVENTS_PER_BODY_BYTE}); kept with the body until the lease is closed.
         *
         * @throws ApiException 503 OVERLOADED with Retry-After when the server's budget cannot give it
         */
        void takeForEvents(long bodyBytes) {
            take(EVENTS_PER_BODY_BYTE * bodyBytes);
        }

        void giveBack(long bytes) {
            long back = Math.min(bytes, mine);
            mine -= back;
            held.addAndGet(-back);
        }

        long held() {
            return mine;
        }

        @Override
        public void close() {
            giveBack(mine);
        }
    }
}
