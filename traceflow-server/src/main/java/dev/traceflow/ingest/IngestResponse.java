package dev.traceflow.ingest;

import java.util.List;

/**
 * The 202 answer of every ingest endpoint.
 *
 * @param accepted events now durable (journaled, then loaded into the store; a repeated eventId counts: it is stored, once)
 * @param rejected events not stored, for any reason; each is listed in {@code errors}
 * @param errors   one entry per rejected event, by its position in the request, in index order
 */
public record IngestResponse(int accepted, int rejected, List<Error> errors) {

    /** @param code e.g. INVALID_FIELD, TIMESTAMP_OUT_OF_RANGE, EVENT_TOO_LARGE, APP_MISMATCH, SAMPLED_OUT, BOT, FILTERED */
    public record Error(int index, String code, String message) {
    }
}
