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
 * decode), whatever their number: each request takes from one server-wide budget before it reads
 * more of its body and gives everything back once its events are handed off. The limits per
 * request (1 MiB on the wire, 10 MiB decoded) alone let 200 concurrent gzip bodies ask for 2 GB.
 * When the budget is spent a request is refused with 503 {@code OVERLOADED} and Retry-After (a
 * request refused as a whole, counted by {@link IngestOutcomes#requestRejected}), never an
 * {@code OutOfMemoryError}. Thread-safe, lock-free.
 */
@Component
class IngestByteBudget {

    private final long capacity;
    private final int retryAfterSeconds;
    private final AtomicLong held = new AtomicLong();

    @Autowired
    IngestByteBudget(TraceFlowProperties properties, MeterRegistry meters) {
        this(properties.ingest().bufferedBytesLimit(), properties.ingest().retryAfterSeconds());
        Gauge.builder("traceflow.ingest.buffered.bytes", held, AtomicLong::get).baseUnit("bytes")
                .description("Bytes of ingest request bodies held in memory, read or decoded, not yet handed off")
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
