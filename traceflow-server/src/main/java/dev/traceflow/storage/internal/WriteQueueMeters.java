package dev.traceflow.storage.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.function.Supplier;

/** Every meter of the write path, registered in one place so their names and descriptions stay together. */
final class WriteQueueMeters {

    final Timer journalAppend;
    final Timer load;
    final DistributionSummary loadEvents;
    /** Requests refused because the queue was full, by the bound they would have passed. */
    final Counter refusedFullOfEvents;
    final Counter refusedFullOfBytes;
    final Counter loadFailures;
    final Counter admissionWaits;
    final Counter publishWaits;

    WriteQueueMeters(MeterRegistry registry, QueueBudget budget, Supplier<Long> journalBytes, Supplier<Integer> publishBacklog,
                     Supplier<Long> publishBacklogEvents) {
        Gauge.builder("traceflow.storage.queue.events", budget, QueueBudget::queuedEvents)
                .description("Events accepted or waiting for the journal, not yet in the event store").register(registry);
        Gauge.builder("traceflow.storage.queue.capacity.events", budget, QueueBudget::capacityEvents)
                .description("Most events the queue holds before ingest answers 503").register(registry);
        Gauge.builder("traceflow.storage.queue.bytes", budget, QueueBudget::queuedBytes).baseUnit("bytes")
                .description("Heap held by the events in the queue (estimated from their journal form), not yet in the event store")
                .register(registry);
        Gauge.builder("traceflow.storage.queue.capacity.bytes", budget, QueueBudget::capacityBytes).baseUnit("bytes")
                .description("Most bytes of events the queue holds before ingest answers 503").register(registry);
        Gauge.builder("traceflow.storage.journal.bytes", journalBytes, s -> s.get())
                .description("Bytes in the ingest journal's segment files").register(registry);
        Gauge.builder("traceflow.storage.events.stored.backlog", publishBacklog, s -> s.get())
                .description("EventsStored signals waiting for their listeners").register(registry);
        Gauge.builder("traceflow.storage.events.stored.backlog.events", publishBacklogEvents, s -> s.get())
                .description("Stored events the EventsStored signals waiting for their listeners carry (bounded)")
                .register(registry);
        journalAppend = Timer.builder("traceflow.storage.journal.append")
                .description("Time to append and fsync one group of requests to the journal")
                .publishPercentileHistogram().register(registry);
        load = Timer.builder("traceflow.storage.commit").description("Time to load one group into the event store")
                .publishPercentileHistogram().register(registry);
        loadEvents = DistributionSummary.builder("traceflow.storage.commit.events")
                .description("Events per event-store transaction").register(registry);
        refusedFullOfEvents = refused(registry, "events");
        refusedFullOfBytes = refused(registry, "bytes");
        loadFailures = Counter.builder("traceflow.storage.load.failures")
                .description("Event-store transactions that failed and were retried").register(registry);
        admissionWaits = Counter.builder("traceflow.storage.queue.admission.waits")
                .description("Requests that waited before being read because the queue was more than half full").register(registry);
        publishWaits = Counter.builder("traceflow.storage.events.stored.waits")
                .description("Loads that waited because EventsStored listeners had fallen behind").register(registry);
    }

    private static Counter refused(MeterRegistry registry, String bound) {
        return Counter.builder("traceflow.storage.queue.refused").tag("bound", bound)
                .description("Requests refused because the queue was full (bound: the one they would have passed)")
                .register(registry);
    }
}
