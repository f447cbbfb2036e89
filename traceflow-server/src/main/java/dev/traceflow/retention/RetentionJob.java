package dev.traceflow.retention;

import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.storage.EventWriteQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Deletes events older than their app's retention (default 90 days, seed 002) once a day, at
 * {@code traceflow.retention.cron}. The deletes run on the storage writer thread, between
 * commits, so they never race the appender.
 */
@Component
public class RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    private final AppDirectory apps;
    private final EventWriteQueue queue;
    private final Clock clock;
    private final Counter deleted;

    RetentionJob(AppDirectory apps, EventWriteQueue queue, Clock clock, MeterRegistry registry) {
        this.apps = apps;
        this.queue = queue;
        this.clock = clock;
        this.deleted = Counter.builder("traceflow.retention.deleted.events")
                .description("Events deleted because they passed their app's retention").register(registry);
    }

    /** @return events deleted over all apps */
    @Scheduled(cron = "${traceflow.retention.cron:0 17 3 * * *}", zone = "UTC")
    public long run() {
        long total = 0;
        for (App app : apps.all()) {
            Instant cutoff = clock.instant().minus(Duration.ofDays(app.retentionDays()));
            try {
                long n = queue.deleteOlderThan(app.id(), cutoff).get(10, TimeUnit.MINUTES);
                total += n;
                if (n > 0) {
                    log.info("Retention deleted {} events of app {} older than {}", n, app.id(), cutoff);
                }
            } catch (Exception e) {
                log.error("Retention for app {} failed: {}", app.id(), e.getMessage());
            }
        }
        deleted.increment(total);
        return total;
    }
}
