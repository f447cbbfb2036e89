package dev.traceflow;

import io.github.bucket4j.TimeMeter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.time.Instant;

/** One clock for the whole server, so tests can move time instead of sleeping. */
@Configuration(proxyBeanMethods = false)
class ClockConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The same clock for Bucket4j's token buckets (ingest rate limits, login throttle), so their
     * refill moves with it. Wall-clock time: should it step back, Bucket4j refills nothing until it
     * has caught up, which only makes a limit stricter for that while.
     */
    @Bean
    TimeMeter bucketTime(Clock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }
}
