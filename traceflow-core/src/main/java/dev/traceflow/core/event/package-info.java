/** The telemetry event model shared by the pipeline, storage backends and the server. No framework types. */
package dev.traceflow.core.event;
