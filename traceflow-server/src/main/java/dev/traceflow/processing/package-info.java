/**
 * Seed 000's processing layer: an ordered registry of {@link dev.traceflow.core.pipeline.EventProcessor}
 * beans (validate, privacy, enrich, group, filter, sample, and any an integrator adds) run over every
 * ingest batch before storage.
 */
package dev.traceflow.processing;
