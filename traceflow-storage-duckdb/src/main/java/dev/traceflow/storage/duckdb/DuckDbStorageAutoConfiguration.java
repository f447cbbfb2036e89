package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.nio.file.Path;

/**
 * The embedded default: DuckDB when {@code traceflow.storage.type} is {@code duckdb} or unset,
 * unless the application defines its own {@link EventStorage}. The server names no backend; each
 * backend module wires itself like this one.
 */
@AutoConfiguration
@ConditionalOnProperty(name = "traceflow.storage.type", havingValue = "duckdb", matchIfMissing = true)
@EnableConfigurationProperties(DuckDbProperties.class)
public class DuckDbStorageAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(EventStorage.class)
    DuckDbStorage duckDbStorage(DuckDbProperties settings, Environment environment) {
        Path file = settings.file() != null ? settings.file()
                : Path.of(environment.getProperty("traceflow.data-dir", "./data")).resolve("events.duckdb");
        return new DuckDbStorage(file, settings.effectiveThreads(), settings.memoryLimit(), settings.dedupCapacity(),
                settings.checkpointThreshold(), settings.rowGroupSize(), settings.compaction(), settings.compactionDelay());
    }

    /** The session cache's and the reads' meters, when the application has Micrometer (a separate class, so it loads only then). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Meters {

        /** Binds only when the store is this backend's (an application may define its own). */
        @Bean
        MeterBinder duckDbSessionCacheMeters(ObjectProvider<DuckDbStorage> storage) {
            return registry -> storage.ifAvailable(s -> new DuckDbSessionCacheMeters(s).bindTo(registry));
        }

        @Bean
        MeterBinder duckDbCompactionMeters(ObjectProvider<DuckDbStorage> storage) {
            return registry -> storage.ifAvailable(s -> new DuckDbCompactionMeters(s.compactor()).bindTo(registry));
        }

        @Bean
        MeterBinder duckDbReadMeters(ObjectProvider<DuckDbStorage> storage) {
            return registry -> storage.ifAvailable(s -> new DuckDbReadMeters(s.reads()).bindTo(registry));
        }
    }
}
