package dev.traceflow.storage;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.duckdb.DuckDbStorage;
import dev.traceflow.storage.internal.JournaledWriteQueue;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Chooses the event storage backend with one property, {@code traceflow.storage.type}
 * ({@code TRACEFLOW_STORAGE_TYPE}); DuckDB when unset. A backend added later declares its own
 * {@code @ConditionalOnProperty} bean; the queue in front of it is the same for all.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "traceflow.storage.type", havingValue = "duckdb", matchIfMissing = true)
    @ConditionalOnMissingBean(EventStorage.class)
    EventStorage duckDbStorage(TraceFlowProperties properties) {
        TraceFlowProperties.DuckDb duck = properties.storage().duckdb();
        int batch = properties.storage().journal().loadBatchEvents();
        if (batch % duck.rowGroupSize() != 0) {
            log.warn("traceflow.storage.journal.load-batch-events ({}) is not a multiple of traceflow.storage.duckdb.row-group-size "
                    + "({}): loads leave part-filled row groups, which make DuckDB's checkpoints slow (README \"DuckDB checkpoints\")",
                    batch, duck.rowGroupSize());
        }
        return new DuckDbStorage(duck.file(), duck.effectiveThreads(), duck.memoryLimit(), duck.dedupCapacity(),
                duck.checkpointThreshold(), duck.rowGroupSize());
    }

    @Bean
    JournaledWriteQueue eventWriteQueue(EventStorage storage, TraceFlowProperties properties,
                                        ObjectProvider<EventWriteQueue.StoredListener> listeners, MeterRegistry registry) {
        TraceFlowProperties.Journal journal = properties.storage().journal();
        var settings = new JournaledWriteQueue.Settings(journal.dir(), journal.segmentBytes(),
                properties.ingest().queueCapacityEvents(), properties.ingest().groupCommitMaxEvents(),
                journal.loadBatchEvents(), journal.loadLinger(), journal.loadMaxDelay());
        List<EventWriteQueue.StoredListener> all = listeners.orderedStream().toList();
        EventWriteQueue.StoredListener fanOut = (appId, stored, duplicates) -> all.forEach(l -> l.stored(appId, stored, duplicates));
        return new JournaledWriteQueue(storage, settings, fanOut, registry);
    }
}
