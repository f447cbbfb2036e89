package dev.traceflow.core.pipeline;

/**
 * An event that will not be stored, reported to the client by its position in the request.
 *
 * @param index   position of the event in the request (0-based)
 * @param reason  outcome reason for the ingest statistics
 * @param code    machine-readable code for the client, e.g. {@code TIMESTAMP_OUT_OF_RANGE}
 * @param message a human sentence; never contains the event's content beyond field names
 */
public record Drop(int index, DropReason reason, String code, String message) {
}
