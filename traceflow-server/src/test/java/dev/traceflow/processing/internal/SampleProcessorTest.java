package dev.traceflow.processing.internal;

import dev.traceflow.support.TestProperties;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleProcessorTest {

    private static SampleProcessor sampler(String errors, String performance, String behavior) {
        return new SampleProcessor(TestProperties.of(Map.of("traceflow.sampling.errors", errors,
                "traceflow.sampling.performance", performance, "traceflow.sampling.user-behavior", behavior)));
    }

    @Test
    void sample_keepsEverythingAtRateOne() {
        EventBatch batch = Events.batch(Events.of(EventType.PAGEVIEW).sessionId("s").build(),
                Events.of(EventType.ERROR).sessionId("s").build());
        new SampleProcessor(TestProperties.defaults()).process(batch);
        assertThat(batch.liveCount()).isEqualTo(2);
    }

    @Test
    void sample_keepsAboutTheRateOfSessionsAndWholeSessions() {
        SampleProcessor sampler = sampler("1.0", "1.0", "0.3");
        Map<String, Boolean> keptBySession = new HashMap<>();
        int sessions = 4000;
        for (int s = 0; s < sessions; s++) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                events.add(Events.of(EventType.PAGEVIEW).sessionId("session-" + s).build());
            }
            EventBatch batch = new EventBatch("app", events);
            sampler.process(batch);
            assertThat(batch.liveCount()).as("a session is kept or dropped whole").isIn(0, 5);
            keptBySession.put("session-" + s, batch.liveCount() == 5);
            batch.drops().forEach(d -> assertThat(d.reason()).isEqualTo(DropReason.SAMPLED_OUT));
        }
        long kept = keptBySession.values().stream().filter(k -> k).count();
        assertThat(kept / (double) sessions).isBetween(0.26, 0.34);
    }

    @Test
    void sample_decisionIsDeterministicAcrossBatches() {
        SampleProcessor sampler = sampler("1.0", "0.5", "1.0");
        for (int s = 0; s < 200; s++) {
            EventBatch first = Events.batch(Events.of(EventType.WEB_VITAL).sessionId("s" + s).build());
            EventBatch second = Events.batch(Events.of(EventType.PERFORMANCE).sessionId("s" + s).build());
            sampler.process(first);
            sampler.process(second);
            assertThat(first.liveCount()).isEqualTo(second.liveCount());
        }
    }

    @Test
    void sample_categoriesHaveTheirOwnRate() {
        SampleProcessor sampler = sampler("1.0", "0.0", "0.0");
        EventBatch batch = Events.batch(
                Events.of(EventType.ERROR).sessionId("s").build(),
                Events.of(EventType.WEB_VITAL).sessionId("s").build(),
                Events.of(EventType.CLICK).sessionId("s").build(),
                Events.of(EventType.PURCHASE).sessionId("s").build());
        sampler.process(batch);
        assertThat(batch.isLive(0)).as("errors at 1.0").isTrue();
        assertThat(batch.isLive(1)).as("performance at 0").isFalse();
        assertThat(batch.isLive(2)).as("behaviour at 0").isFalse();
        assertThat(batch.isLive(3)).as("purchases are never sampled").isTrue();
    }

    @Test
    void sample_rateOutsideZeroToOneFailsAtStart() {
        assertThatThrownBy(() -> sampler("1.5", "1", "1")).hasMessageContaining("traceflow.sampling.errors");
    }
}
