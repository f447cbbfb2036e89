package dev.traceflow.http;

import java.util.List;

/**
 * The error body of every endpoint (API.md "Errors").
 *
 * @param code    machine-readable, upper snake case, e.g. {@code VALIDATION_FAILED}
 * @param message a human sentence, never a stack trace
 * @param details per-item problems (e.g. {@code {index, code, message}}), empty when none
 * @param traceId the id of this request, also in the server's log line
 */
public record ApiError(String code, String message, List<?> details, String traceId) {
}
