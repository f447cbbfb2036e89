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
                batch.drop(i, DropReason.INVALID, "TIMESTAMP_OUT_OF_RANGE",
                        "timestamp is more than " + (maxFutureMillis / 3_600_000) + " hours ahead of the server clock");
            } else if (e.timestamp() < now - maxPastMillis) {
                batch.drop(i, DropReason.INVALID, "TIMESTAMP_OUT_OF_RANGE",
                        "timestamp is more than " + (maxPastMillis / 86_400_000) + " days behind the server clock");
            } else if (depth(e.properties(), 1) > maxDepth) {
                batch.drop(i, DropReason.INVALID, "TOO_DEEP", "properties nest deeper than " + maxDepth + " levels");
            } else if (depth(e.metadata(), 1) > maxDepth) {
                batch.drop(i, DropReason.INVALID, "TOO_DEEP", "metadata nests deeper than " + maxDepth + " levels");
            }
        });
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
