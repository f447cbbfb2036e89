package dev.traceflow.builds.internal.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where an append's time goes on the server, {@code traceflow.builds.log.append.phase{phase}}: what
 * limits how many lines a second one build's log takes (issue 21's log target) is the sum of these
 * per append, so the meter says which part to make cheaper.
 */
final class AppendPhases {

    enum Phase {
        /** masking, cutting and numbering the lines */
        MASK,
        /** the rows inserted and committed */
        INSERT,
        /** the commit written out to the database's file (H2's checkpoint; nothing on PostgreSQL) */
        WRITE_OUT,
        /** the listeners told: the lines rendered for live followers, the followers woken */
        TELL
    }

    private final Map<Phase, Timer> timers = new EnumMap<>(Phase.class);

    AppendPhases(MeterRegistry registry) {
        for (Phase phase : Phase.values()) {
            timers.put(phase, Timer.builder("traceflow.builds.log.append.phase").tag("phase", phase.name().toLowerCase())
                    .description("time build log appends spent in each phase on the server").register(registry));
        }
    }

    /** Records the time since {@code startNanos} (System.nanoTime) and returns now, the next phase's start. */
    long ended(Phase phase, long startNanos) {
        long now = System.nanoTime();
        timers.get(phase).record(now - startNanos, TimeUnit.NANOSECONDS);
        return now;
    }
}
