package dev.traceflow.storage;

import dev.traceflow.core.event.EventType;
import dev.traceflow.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventsStored} is an ordinary Spring application event (the ingest outcomes count from it
 * with {@code @EventListener}): over HTTP, what a request stored reaches a listener of the running
 * server, with its error group and release, by the time {@code awaitStored} returns.
 */
class EventsStoredListenerTest extends ServerTest {

    private final List<EventsStored> heard = new CopyOnWriteArrayList<>();

    @Autowired
    ConfigurableApplicationContext context;

    @Test
    void aListener_hearsWhatEachLoadStored() {
        context.addApplicationListener(ApplicationListener.forPayload((EventsStored stored) -> heard.add(stored)));
        long now = System.currentTimeMillis();
        String body = "{\"events\":["
                + "{\"appId\":\"demo\",\"type\":\"error\",\"timestamp\":" + now + ",\"message\":\"listener boom\",\"errorType\":\"TypeError\","
                + "\"release\":\"9.9.9-listener\",\"eventId\":\"listener-1\"},"
                + "{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":" + now + ",\"url\":\"https://a.test/\",\"release\":\"9.9.9-listener\"}]}";

        var r = http.post("/api/collect/batch", body, "Content-Type", "application/json", "X-TraceFlow-Key", DEMO_KEY);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        awaitStored();

        List<EventsStored.AppEvents> ours = heard.stream().flatMap(s -> s.apps().stream())
                .filter(a -> a.releases().contains("9.9.9-listener")).toList();
        assertThat(ours).singleElement().satisfies(app -> {
            assertThat(app.appId()).isEqualTo("demo");
            assertThat(app.countsByType()).containsEntry(EventType.ERROR, 1L).containsEntry(EventType.PAGEVIEW, 1L);
            assertThat(app.errorGroups()).singleElement().satisfies(g -> {
                assertThat(g.fingerprint()).isNotBlank();
                assertThat(g.count()).isEqualTo(1);
                assertThat(g.firstSeen().toEpochMilli()).isEqualTo(now);
            });
        });
    }
}
