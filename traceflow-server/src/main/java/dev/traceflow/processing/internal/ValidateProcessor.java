package dev.traceflow.processing.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Semantic checks the parsers cannot make from one field alone: the event time must lie within
 * the accepted window around the server clock, and properties may nest at most
 * {@code maxPropertyDepth} levels (the properties object itself is level 1).
 */
@Component
class ValidateProcessor implements EventProcessor {

    private final Clock clock;
    private final long maxFutureMillis;
    private final long maxPastMillis;
    private final int maxDepth;

    ValidateProcessor(TraceFlowProperties properties, Clock clock) {
        this.clock = clock;
        this.maxFutureMillis = properties.ingest().maxFutureSkew().toMillis();
        this.maxPastMillis = properties.ingest().maxPastAge().toMillis();
        this.maxDepth = properties.ingest().maxPropertyDepth();
    }

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public void process(EventBatch batch) {
        long now = clock.millis();
        batch.forEachLive((i, e) -> {
            if (e.timestamp() > now + maxFutureMillis) {
                batch.drop(i, DropReason.INVALID, "TIMESTAMP_OUT_OF_RANGE", "timestamp is more than "
                        + (maxFutureMillis / 3_600_000) + " hours ahead of the server clock" + unitHint(e.timestamp(), now));
            } else if (e.timestamp() < now - maxPastMillis) {
                batch.drop(i, DropReason.INVALID, "TIMESTAMP_OUT_OF_RANGE", "timestamp is more than "
                        + (maxPastMillis / 86_400_000) + " days behind the server clock" + unitHint(e.timestamp(), now));
            } else if (depth(e.properties(), 1) > maxDepth) {
                batch.drop(i, DropReason.INVALID, "TOO_DEEP", "properties nest deeper than " + maxDepth + " levels");
            } else if (depth(e.metadata(), 1) > maxDepth) {
                batch.drop(i, DropReason.INVALID, "TOO_DEEP", "metadata nests deeper than " + maxDepth + " levels");
            }
        });
    }

    /**
     * The usual cause of a timestamp out of range is its unit: {@code Date.now() / 1000} (seconds)
     * or {@code performance.timeOrigin * 1000} (microseconds). Say so when the value would be in
     * range in that unit.
     */
    private String unitHint(long timestamp, long now) {
        if (timestamp < Long.MAX_VALUE / 1000 && inWindow(timestamp * 1000, now)) {
            return "; it looks like seconds: send epoch milliseconds";
        }
        if (inWindow(timestamp / 1000, now)) {
            return "; it looks like microseconds: send epoch milliseconds";
        }
        return "";
    }

    private boolean inWindow(long timestamp, long now) {
        return timestamp >= now - maxPastMillis && timestamp <= now + maxFutureMillis;
    }

    /** Nesting depth of a JSON-like value; stops counting once past the limit. */
    private int depth(Object value, int level) {
        if (level > maxDepth) {
            return level;
        }
        int deepest = level;
        if (value instanceof Map<?, ?> map) {
            for (Object v : map.values()) {
                if (v instanceof Map<?, ?> || v instanceof List<?>) {
                    deepest = Math.max(deepest, depth(v, level + 1));
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object v : list) {
                if (v instanceof Map<?, ?> || v instanceof List<?>) {
                    deepest = Math.max(deepest, depth(v, level + 1));
                }
            }
        }
        return deepest;
    }
}
