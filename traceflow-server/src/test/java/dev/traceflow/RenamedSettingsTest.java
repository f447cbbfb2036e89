package dev.traceflow;

import dev.traceflow.support.TestProperties;
import org.apache.commons.logging.impl.NoOpLog;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RenamedSettingsTest {

    private final List<String> warnings = new ArrayList<>();

    private TraceFlowProperties.Queue queueAfter(Map<String, Object> settings, Map<String, Object> environmentVariables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", settings));
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("testEnv", environmentVariables));
        new RenamedSettings(destination -> new NoOpLog() {
            @Override
            public void warn(Object message) {
                warnings.add(String.valueOf(message));
            }
        }).postProcessEnvironment(environment, null);
        return Binder.get(environment).bindOrCreate("traceflow", TraceFlowProperties.class).storage().queue();
    }

    @Test
    void oldNames_stillWorkForOneReleaseWithAWarningNamingTheNewOne() {
        TraceFlowProperties.Queue queue = queueAfter(Map.of("traceflow.ingest.queue-capacity-events", "1234"),
                Map.of("TRACEFLOW_INGEST_GROUP_COMMIT_MAX_EVENTS", "777"));

        assertThat(queue.capacityEvents()).isEqualTo(1234);
        assertThat(queue.maxLoadEvents()).as("the environment variable form of the old name too").isEqualTo(777);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("traceflow.ingest.queue-capacity-events is deprecated")
                .contains("traceflow.storage.queue.capacity-events").contains("TRACEFLOW_STORAGE_QUEUE_CAPACITY_EVENTS"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("traceflow.ingest.group-commit-max-events is deprecated")
                .contains("traceflow.storage.queue.max-load-events"));
    }

    @Test
    void newName_winsOverTheOldOne() {
        TraceFlowProperties.Queue queue = queueAfter(Map.of("traceflow.ingest.queue-capacity-events", "1234",
                "traceflow.storage.queue.capacity-events", "5678"), Map.of());

        assertThat(queue.capacityEvents()).isEqualTo(5678);
        assertThat(warnings).singleElement().asString().contains("ignored").contains("remove traceflow.ingest.queue-capacity-events");
    }

    @Test
    void removedSetting_isNamedAsIgnored() {
        queueAfter(Map.of("traceflow.storage.journal.load-batch-events", "30720"), Map.of());

        assertThat(warnings).singleElement().asString().contains("load-batch-events is no longer used")
                .contains("traceflow.storage.duckdb.row-group-size");
    }

    @Test
    void nothingOld_nothingSaid() {
        TraceFlowProperties.Queue queue = queueAfter(Map.of(), Map.of());

        assertThat(warnings).isEmpty();
        assertThat(queue).isEqualTo(TestProperties.defaults().storage().queue());
        assertThat(queue.capacityEvents()).isEqualTo(400_000);
        assertThat(queue.maxLoadEvents()).isEqualTo(200_000);
    }
}
