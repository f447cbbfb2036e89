/** The processing pipeline's extension point: processors that enrich, group, filter and sample a batch. */
package dev.traceflow.core.pipeline;
