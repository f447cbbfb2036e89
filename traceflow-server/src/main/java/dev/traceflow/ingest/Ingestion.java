package dev.traceflow.ingest;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.apps.App;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.Drop;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.http.ApiException;
import dev.traceflow.processing.ProcessingPipeline;
import dev.traceflow.storage.EventWriteQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every ingest endpoint does once it has parsed its events: apply the app's rate limit,
 * reject events naming another app, run the pipeline, hand the survivors to the write queue and wait until they are durable
 * (journaled), count every drop, and build the answer. Only then does the caller get its 202.
 */
@Component
class Ingestion {

    private static final Logger LOG = LoggerFactory.getLogger(Ingestion.class);

    private final ProcessingPipeline pipeline;
    private final EventWriteQueue queue;
    private final IngestOutcomes outcomes;
    private final IngestRateLimits rateLimits;
    private final long commitTimeoutMillis;
    private final int retryAfterSeconds;
    private final Duration admissionWait;
    private final List<AcceptedEventsListener> listeners;
    private final Counter listenerFailures;

    Ingestion(ProcessingPipeline pipeline, EventWriteQueue queue, IngestOutcomes outcomes, IngestRateLimits rateLimits,
              TraceFlowProperties properties, ObjectProvider<AcceptedEventsListener> listeners, MeterRegistry registry) {
        this.pipeline = pipeline;
        this.queue = queue;
        this.outcomes = outcomes;
        this.rateLimits = rateLimits;
        this.commitTimeoutMillis = properties.ingest().commitTimeout().toMillis();
        this.retryAfterSeconds = properties.ingest().retryAfterSeconds();
        this.admissionWait = properties.ingest().admissionWait();
        this.listeners = listeners.orderedStream().toList();
        this.listenerFailures = Counter.builder("traceflow.ingest.accepted.listener.failures")
                .description("Listeners of accepted events that threw (the client was answered all the same)").register(registry);
    }

    /**
     * Called before a request's body is read: under overload, wait for room (or refuse) before
     * spending CPU on parsing what storage cannot take yet.
     *
     * @throws ApiException 503 OVERLOADED with Retry-After when no room came in time
     */
    void admit() {
        try {
            if (queue.awaitRoom(admissionWait)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw ApiException.unavailable("OVERLOADED", "The server is taking events slower than they arrive; retry later",
                retryAfterSeconds);
    }

    /**
     * @throws ApiException 429 RATE_LIMITED with Retry-After when the request's events would take
     *                      the app over its rate limit (all counted as {@code rate_limited});
     *                      503 with Retry-After when the queue is full or storage fails. Either
     *                      way nothing of this request is stored (after a 503 timeout it may be
     *                      stored later: a retry with the same eventIds stays de-duplicated)
     */
    IngestResponse ingest(App app, ParsedEvents parsed) {
        String appId = app.id();
        OptionalLong wait = rateLimits.take(app, parsed.total());
        if (wait.isPresent()) {
            outcomes.record(appId, DropReason.RATE_LIMITED.wireName(), parsed.total());
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", "App '" + appId + "' may send at most "
                    + app.ingestRateLimit() + " events per second; retry after the time in Retry-After", List.of(),
                    (int) Math.min(Integer.MAX_VALUE, wait.getAsLong()));
        }
        List<Drop> drops = new ArrayList<>(parsed.drops());
        List<Event> ours = new ArrayList<>(parsed.events().size());
        for (Event e : parsed.events()) {
            if (appId.equals(e.appId())) {
                ours.add(e);
            } else {
                drops.add(new Drop(e.index(), DropReason.INVALID, "APP_MISMATCH",
                        "appId '" + RequestBodies.truncate(e.appId()) + "' is not the app of the ingest key"));
            }
        }
        EventBatch batch = new EventBatch(appId, ours);
        pipeline.process(batch);
        drops.addAll(batch.drops());
        List<Event> live = batch.liveEvents();

        if (!live.isEmpty()) {
            // accepted and duplicate are counted by IngestOutcomes.stored once the events are loaded
            commit(appId, live);
            tellListeners(appId, live);
        }
        Map<DropReason, Integer> byReason = new EnumMap<>(DropReason.class);
        for (Drop d : drops) {
            byReason.merge(d.reason(), 1, Integer::sum);
        }
        byReason.forEach((reason, n) -> outcomes.record(appId, reason.wireName(), n));

        drops.sort(Comparator.comparingInt(Drop::index));
        List<IngestResponse.Error> errors = new ArrayList<>(drops.size());
        for (Drop d : drops) {
            errors.add(new IngestResponse.Error(d.index(), d.code(), d.message()));
        }
        return new IngestResponse(live.size(), drops.size(), errors);
    }

    private void tellListeners(String appId, List<Event> live) {
        for (AcceptedEventsListener listener : listeners) {
            try {
                listener.accepted(appId, live);
            } catch (RuntimeException e) {
                // the events are durable: a listener's failure must not turn the 202 into an error
                listenerFailures.increment();
                LOG.warn("A listener of accepted events failed: {}", listener.getClass().getName(), e);
            }
        }
    }

    private void commit(String appId, List<Event> live) {
        try {
            queue.submit(appId, live).get(commitTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (EventWriteQueue.QueueFullException e) {
            outcomes.record(appId, DropReason.OVERLOADED.wireName(), live.size());
            throw ApiException.unavailable("OVERLOADED", "The server is taking events slower than they arrive; retry later",
                    retryAfterSeconds);
        } catch (TimeoutException e) {
            outcomes.record(appId, DropReason.STORAGE_TIMEOUT.wireName(), live.size());
            throw ApiException.unavailable("STORAGE_TIMEOUT", "Storage did not confirm the events in time; retry with the same eventIds",
                    retryAfterSeconds);
        } catch (ExecutionException | StorageException e) {
            outcomes.record(appId, DropReason.STORAGE_FAILED.wireName(), live.size());
            throw ApiException.unavailable("STORAGE_UNAVAILABLE", "Storage failed to store the events; retry later",
                    retryAfterSeconds * 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("SHUTTING_DOWN", "The server is stopping; retry later", retryAfterSeconds);
        }
    }
}
