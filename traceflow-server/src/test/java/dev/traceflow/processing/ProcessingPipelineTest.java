package dev.traceflow.processing;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import dev.traceflow.support.TestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessingPipelineTest {

    private static TraceFlowProperties order(String names) {
        return TestProperties.of(Map.of("traceflow.pipeline.processors", names));
    }

    private static EventProcessor recording(String name, List<String> log) {
        return new EventProcessor() {
            public String name() {
                return name;
            }

            public void process(EventBatch batch) {
                log.add(name);
            }
        };
    }

    private static EventBatch batch() {
        return new EventBatch("app", new ArrayList<>(List.of(Event.builder("app", EventType.PAGEVIEW, 1).build())));
    }

    @Test
    void process_runsConfiguredProcessorsInConfiguredOrder() {
        List<String> log = new ArrayList<>();
        ProcessingPipeline pipeline = new ProcessingPipeline(List.of(recording("a", log), recording("b", log), recording("c", log)),
                order("c,a"), new SimpleMeterRegistry());
        pipeline.process(batch());
        assertThat(log).containsExactly("c", "a");
        assertThat(pipeline.processorNames()).containsExactly("c", "a");
    }

    @Test
    void process_stopsOnceNoEventIsLeft() {
        List<String> log = new ArrayList<>();
        EventProcessor dropAll = new EventProcessor() {
            public String name() {
                return "drop";
            }

            public void process(EventBatch batch) {
                batch.dropIf(e -> true, DropReason.FILTERED, "F", "all");
            }
        };
        new ProcessingPipeline(List.of(dropAll, recording("after", log)), order("drop,after"), new SimpleMeterRegistry())
                .process(batch());
        assertThat(log).isEmpty();
    }

    @Test
    void construct_unknownNameInConfigurationFailsAtStart() {
        assertThatThrownBy(() -> new ProcessingPipeline(List.of(recording("a", new ArrayList<>())), order("a,nope"),
                new SimpleMeterRegistry())).hasMessageContaining("'nope'").hasMessageContaining("known");
    }

    @Test
    void construct_twoProcessorsWithOneNameFailAtStart() {
        assertThatThrownBy(() -> new ProcessingPipeline(List.of(recording("a", new ArrayList<>()), recording("a", new ArrayList<>())),
                order("a"), new SimpleMeterRegistry())).hasMessageContaining("two processors");
    }

    @Test
    void construct_sameNameTwiceInConfigurationFails() {
        assertThatThrownBy(() -> new ProcessingPipeline(List.of(recording("a", new ArrayList<>())), order("a,a"),
                new SimpleMeterRegistry())).hasMessageContaining("twice");
    }
}
