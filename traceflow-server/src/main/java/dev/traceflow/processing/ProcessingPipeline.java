package dev.traceflow.processing;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every {@link EventProcessor} bean, registered by name; {@code traceflow.pipeline.processors}
 * picks which run and in what order. Adding a processor is declaring a bean and naming it in
 * the list; an unknown or repeated name stops the server at start, not silently at run time.
 */
@Component
public class ProcessingPipeline {

    private final List<Step> steps;

    public ProcessingPipeline(List<EventProcessor> processors, TraceFlowProperties properties, MeterRegistry registry) {
        Map<String, EventProcessor> byName = new HashMap<>();
        for (EventProcessor p : processors) {
            EventProcessor previous = byName.put(p.name(), p);
            if (previous != null) {
                throw new IllegalStateException("two processors are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        List<Step> chosen = new ArrayList<>();
        for (String name : properties.pipeline().processors()) {
            EventProcessor p = byName.get(name);
            if (p == null) {
                throw new IllegalStateException("traceflow.pipeline.processors names '" + name
                        + "' but no such processor exists; known: " + byName.keySet());
            }
            if (chosen.stream().anyMatch(s -> s.processor == p)) {
                throw new IllegalStateException("traceflow.pipeline.processors lists '" + name + "' twice");
            }
            chosen.add(new Step(p, Timer.builder("traceflow.pipeline.processor")
                    .tag("processor", name).description("Time one processor takes per batch").register(registry)));
        }
        this.steps = List.copyOf(chosen);
    }

    /** Runs the configured processors in order over the batch. */
    public void process(EventBatch batch) {
        for (Step step : steps) {
            if (batch.liveCount() == 0) {
                return;
            }
            long start = System.nanoTime();
            step.processor.process(batch);
            step.timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** The names of the processors that run, in order. */
    public List<String> processorNames() {
        return steps.stream().map(s -> s.processor.name()).toList();
    }

    private record Step(EventProcessor processor, Timer timer) {
    }
}
