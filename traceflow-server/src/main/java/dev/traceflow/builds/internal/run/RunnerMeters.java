package dev.traceflow.builds.internal.run;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/** Commands started and how they ended: {@code traceflow.builds.commands{ending}}. */
final class RunnerMeters {

    private final Counter started;
    private final Map<CommandRunner.Ending, Counter> ended = new EnumMap<>(CommandRunner.Ending.class);

    RunnerMeters(MeterRegistry registry) {
        started = Counter.builder("traceflow.builds.commands.started").description("build commands started").register(registry);
        for (CommandRunner.Ending e : CommandRunner.Ending.values()) {
            ended.put(e, Counter.builder("traceflow.builds.commands.ended").tag("ending", e.name().toLowerCase())
                    .description("build commands ended, by how").register(registry));
        }
    }

    void started() {
        started.increment();
    }

    void ended(CommandRunner.Ending ending) {
        ended.get(ending).increment();
    }
}
