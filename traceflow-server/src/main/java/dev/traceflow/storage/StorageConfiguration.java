package dev.traceflow.storage;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.internal.JournaledWriteQueue;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The queue every write goes through, in front of whichever {@link EventStorage} the application
 * has: backends wire themselves (each module's auto-configuration, chosen by
 * {@code traceflow.storage.type}, DuckDB when unset), so this feature names none of them.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    @Bean
    JournaledWriteQueue eventWriteQueue(EventStorage storage, TraceFlowProperties properties, ApplicationEventPublisher events,
                                        MeterRegistry registry, Clock clock) {
        TraceFlowProperties.Journal journal = properties.storage().journal();
        TraceFlowProperties.Queue queue = properties.storage().queue();
        Path dir = journal.dir() != null ? journal.dir() : properties.dataDir().resolve("journal");
        var settings = new JournaledWriteQueue.Settings(dir, journal.segmentBytes(), queue.capacityEvents(),
                queue.capacityBytesLimit(), queue.maxLoadEvents(), journal.loadLinger(), journal.loadMaxDelay());
        return new JournaledWriteQueue(storage, settings, events::publishEvent, registry, clock);
    }
}
