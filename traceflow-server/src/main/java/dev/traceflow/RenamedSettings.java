package dev.traceflow;

import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings renamed in 0.2 keep working for one release: a value given under the old name (in any
 * form, {@code TRACEFLOW_INGEST_QUEUE_CAPACITY_EVENTS} included) is used for the new name unless
 * the new name is set too, with a warning that says what to write instead. Settings that no longer
 * mean anything are named in a warning and otherwise ignored.
 */
public class RenamedSettings implements EnvironmentPostProcessor, Ordered {

    /** Old name to new name; remove an entry one release after it was added. */
    static final Map<String, String> RENAMED = Map.of(
            "traceflow.ingest.queue-capacity-events", "traceflow.storage.queue.capacity-events",
            "traceflow.ingest.group-commit-max-events", "traceflow.storage.queue.max-load-events");

    /** Settings that were removed, and why. */
    static final Map<String, String> REMOVED = Map.of(
            "traceflow.storage.journal.load-batch-events",
            "the batch size now comes from the storage backend (DuckDB: traceflow.storage.duckdb.row-group-size)");

    static final String SOURCE = "traceflow-renamed-settings";

    private final Log log;

    public RenamedSettings(DeferredLogFactory logs) {
        this.log = logs.getLog(RenamedSettings.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        Map<String, Object> mapped = new LinkedHashMap<>();
        RENAMED.forEach((old, renamed) -> binder.bind(old, String.class).ifBound(value -> {
            if (binder.bind(renamed, String.class).isBound()) {
                log.warn("Setting " + old + " is deprecated and ignored, since " + renamed + " is set too; remove " + old);
            } else {
                log.warn("Setting " + old + " is deprecated; it still works in this release, but write " + renamed
                        + " (environment: " + envName(renamed) + ") instead");
                mapped.put(renamed, value);
            }
        }));
        REMOVED.forEach((old, why) -> binder.bind(old, String.class).ifBound(
                value -> log.warn("Setting " + old + " is no longer used and is ignored: " + why)));
        if (!mapped.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE, mapped));
        }
    }

    private static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** After the config files and the environment are read, so the old names are visible. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
