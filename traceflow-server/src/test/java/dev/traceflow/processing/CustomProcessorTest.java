package dev.traceflow.processing;

import dev.traceflow.core.event.Event;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 000's "add a processor to the pipeline", the Spring way: declare an {@link EventProcessor}
 * bean and name it in {@code traceflow.pipeline.processors}. This one drops custom events named
 * {@code internal_debug}, and notes what each event looked like when it got there, which shows
 * where in the pipeline it ran.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "traceflow.pipeline.processors=validate,enrich,drop-debug,group,filter,sample")
@Import(CustomProcessorTest.DropDebugEvents.class)
class CustomProcessorTest {

    /** What the custom processor saw of an event: its name or type, and what the processors before it set. */
    record Seen(String name, String path, boolean bot, String fingerprint) {
    }

    static final List<Seen> SEEN = new CopyOnWriteArrayList<>();

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
                    batch.forEachLive((position, e) -> SEEN.add(new Seen(nameOf(e), e.path(), e.bot(), e.fingerprint())));
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

    private static String nameOf(Event e) {
        return e.details() instanceof EventDetails.CustomEventDetails c ? c.name() : e.type().wireName();
    }

    @LocalServerPort
    int port;

    /** Configured between enrich and group: after validate and enrich, before group and filter. */
    @Test
    void customProcessor_runsInTheConfiguredPlace() {
        SEEN.clear();
        long now = System.currentTimeMillis();
        String url = ",\"url\":\"https://shop.test/cart?x=1\",\"timestamp\":" + now;
        TestHttp.Response r = new TestHttp("http://127.0.0.1:" + port).post("/api/collect/batch", "["
                        + "{\"appId\":\"demo\",\"type\":\"event\",\"name\":\"internal_debug\"" + url + "},"
                        + "{\"appId\":\"demo\",\"type\":\"event\",\"name\":\"signup\"" + url + "},"
                        + "{\"appId\":\"demo\",\"type\":\"error\",\"message\":\"boom\",\"stack\":\"Error: boom\\n    at f (app.js:1:2)\"" + url + "},"
                        + "{\"appId\":\"demo\",\"type\":\"pageview\",\"url\":\"https://shop.test/later\",\"timestamp\":"
                        + (now + 3L * 86_400_000) + "},"
                        + "{\"appId\":\"demo\",\"type\":\"pageview\",\"userAgent\":\"Mozilla/5.0 (compatible; Googlebot/2.1; "
                        + "+http://www.google.com/bot.html)\"" + url + "}]",
                "Content-Type", "application/json", "X-TraceFlow-Key", "custom-processor-key");

        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("accepted").asInt()).as(r.toString()).isEqualTo(2);
        assertThat(r.errorCodes()).as(r.toString()).containsExactlyInAnyOrder("TIMESTAMP_OUT_OF_RANGE", "DEBUG_EVENT", "BOT");
        // after validate (the event 3 days ahead never came), after enrich (paths and the bot flag set),
        // before group (no error fingerprint yet) and before filter (the bot still there)
        assertThat(SEEN).containsExactly(
                new Seen("internal_debug", "/cart", false, null),
                new Seen("signup", "/cart", false, null),
                new Seen("error", "/cart", false, null),
                new Seen("pageview", "/cart", true, null));
    }
}
