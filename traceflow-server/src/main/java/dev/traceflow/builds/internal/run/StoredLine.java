package dev.traceflow.builds.internal.run;

import java.time.Instant;

/** A log line as stored: masked, cut to the line limit, with its build-wide cursor (gapless from 1). */
public record StoredLine(long cursor, Instant ts, String level, String stage, String line) {
}
