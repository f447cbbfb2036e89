package dev.traceflow.processing;

import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 000's "add a processor to the pipeline", the Spring way: declare an {@link EventProcessor}
 * bean and name it in {@code traceflow.pipeline.processors}. This one drops custom events named
 * {@code internal_debug}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "traceflow.pipeline.processors=validate,enrich,drop-debug,group,filter,sample")
@Import(CustomProcessorTest.DropDebugEvents.class)
class CustomProcessorTest {

    @TestConfiguration
    static class DropDebugEvents {
        @Bean
        EventProcessor dropDebugEvents() {
            return new EventProcessor() {
                @Override
                public String name() {
                    return "drop-debug";
                }

                @Override
                public void process(EventBatch batch) {
                    batch.dropIf(e -> e.details() instanceof EventDetails.CustomEventDetails c && "internal_debug".equals(c.name()),
                            DropReason.FILTERED, "DEBUG_EVENT", "debug events are not kept");
                }
            };
        }
    }

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("traceflow-custom-");
        registry.add("traceflow.data-dir", dir::toString);
        registry.add("traceflow.storage.duckdb.file", () -> dir.resolve("events.duckdb").toString());
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("metadata"));
        registry.add("traceflow.bootstrap.ingest-key", () -> "custom-processor-key");
    }

    @LocalServerPort
    int port;

    @Test
    void customProcessor_runsInTheConfiguredPlace() {
        long now = System.currentTimeMillis();
        TestHttp.Response r = new TestHttp("http://127.0.0.1:" + port).post("/api/collect/batch",
                "[{\"appId\":\"demo\",\"type\":\"event\",\"name\":\"internal_debug\",\"timestamp\":" + now + "},"
                        + "{\"appId\":\"demo\",\"type\":\"event\",\"name\":\"signup\",\"timestamp\":" + now + "}]",
                "Content-Type", "application/json", "X-TraceFlow-Key", "custom-processor-key");

        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("accepted").asInt()).isEqualTo(1);
        assertThat(r.errorCodes()).containsExactly("DEBUG_EVENT");
    }
}
