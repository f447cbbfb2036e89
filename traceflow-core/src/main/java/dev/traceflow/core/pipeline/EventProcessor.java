package dev.traceflow.core.pipeline;

/**
 * One step of the processing pipeline (seed 000: validate, enrich, group, filter, sample...).
 *
 * <p>Implementations are collected by {@link #name()} into an ordered registry; configuration
 * chooses which run and in what order. A processor may change live events' enrichment fields
 * and {@linkplain EventBatch#drop drop} events; it must not keep references to the batch.
 * Processors run on request threads concurrently, so they must be thread-safe.
 */
public interface EventProcessor {

    /** Unique, stable name used in configuration, e.g. {@code enrich}. */
    String name();

    void process(EventBatch batch);
}
