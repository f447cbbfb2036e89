package dev.traceflow.processing.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;

/**
 * Seed 000's sampling: keeps a configured share of sessions per category. The decision is a
 * hash of the session (else the user, else the event id) compared with the rate, so every event
 * of a kept session is kept, on every server, and a lower rate keeps a subset of the sessions a
 * higher one keeps. Events with no key at all are kept (there is nothing to be consistent with).
 */
@Component
class SampleProcessor implements EventProcessor {

    private final double errors;
    private final double performance;
    private final double userBehavior;

    SampleProcessor(TraceFlowProperties properties) {
        TraceFlowProperties.Sampling s = properties.sampling();
        this.errors = checked("errors", s.errors());
        this.performance = checked("performance", s.performance());
        this.userBehavior = checked("user-behavior", s.userBehavior());
    }

    private static double checked(String name, double rate) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalStateException("traceflow.sampling." + name + " must be between 0 and 1, not " + rate);
        }
        return rate;
    }

    @Override
    public String name() {
        return "sample";
    }

    @Override
    public void process(EventBatch batch) {
        batch.forEachLive((position, e) -> {
            double rate = rateFor(e);
            if (rate >= 1.0) {
                return;
            }
            String key = e.sessionId() != null ? e.sessionId() : e.distinctUser() != null ? e.distinctUser() : e.eventId();
            if (key != null && position(e.appId(), key) >= rate) {
                batch.drop(position, DropReason.SAMPLED_OUT, "SAMPLED_OUT", "not in the sampled share of sessions for " + e.type() + " events");
            }
        });
    }

    private double rateFor(Event e) {
        return switch (e.type()) {
            case ERROR -> errors;
            case PERFORMANCE, WEB_VITAL, RESOURCE, API -> performance;
            case PAGEVIEW, CLICK, EVENT, SESSION_START, SESSION_END -> userBehavior;
            // release health counts every session of a release: a sampled crash-free rate would be a guess
            case CONVERSION, PURCHASE, SESSION_UPDATE -> 1.0;
        };
    }

    /** A stable position in [0, 1) for the key within its app (64-bit FNV-1a, then mixed). */
    static double position(String appId, String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : appId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ 0xff) * 0x100000001b3L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }
}
