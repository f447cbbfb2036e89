package dev.traceflow.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.apps.App;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Per-app ingest rate limits ({@link App#ingestRateLimit()}, events per second, set by the app's
 * owner): a token bucket per app that holds {@value #BURST_SECONDS} seconds' worth and refills
 * gradually, so a page load's burst or a client flushing its offline queue passes, and a sender
 * that keeps going faster than the limit is refused until its tokens are back.
 *
 * <p>A request is taken or refused whole, by the number of events in its body: refusing part of a
 * batch would leave the client to work out which events to send again. The limit protects the
 * server's other apps and the owner's storage from one app's flood (a public ingest key copied
 * into a script); the server's own capacity is guarded by the bounded write queue (503), with or
 * without limits. Buckets are per server instance and live in memory: a restart starts them full.
 */
@Component
class IngestRateLimits {

    static final int BURST_SECONDS = 10;

    private record Limited(int eventsPerSecond, Bucket bucket) {
    }

    /** Bounded: an app deleted or left idle for an hour costs nothing; its bucket starts full again. */
    private final Cache<String, Limited> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofHours(1)).build();
    private final TimeMeter time;

    /** @param time the buckets' clock: the server's (tests move it by hand) */
    IngestRateLimits(TimeMeter time) {
        this.time = time;
    }

    /**
     * Takes {@code events} tokens from the app's bucket.
     *
     * @return empty when the request may go on; else the whole seconds to wait before the same
     * request would pass (at least 1), for {@code Retry-After}
     */
    OptionalLong take(App app, int events) {
        int limit = app.ingestRateLimit();
        if (limit <= 0 || events <= 0) {
            return OptionalLong.empty();
        }
        // a changed limit takes effect at once, with a full bucket of the new size
        Limited limited = buckets.asMap().compute(app.id(),
                (id, current) -> current != null && current.eventsPerSecond() == limit ? current : new Limited(limit, bucket(limit)));
        ConsumptionProbe probe = limited.bucket().tryConsumeAndReturnRemaining(events);
        if (probe.isConsumed()) {
            return OptionalLong.empty();
        }
        long nanos = probe.getNanosToWaitForRefill();
        return OptionalLong.of(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
    }

    private Bucket bucket(int eventsPerSecond) {
        long capacity = (long) eventsPerSecond * BURST_SECONDS;
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, Duration.ofSeconds(BURST_SECONDS)).build())
                .withCustomTimePrecision(time)
                .build();
    }
}
