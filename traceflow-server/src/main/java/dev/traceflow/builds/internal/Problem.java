package dev.traceflow.builds.internal;

/**
 * One thing wrong with a config, as {@code POST /configs/{id}/validate} answers it (API.md
 * "Builds": {@code details: [{pointer, message}]}).
 *
 * @param in      what the pointer points into: {@code config}, {@code fileReplacements},
 *                {@code textReplacements} or {@code versions}
 * @param pointer a JSON pointer (RFC 6901) into that value, {@code ""} for the whole of it
 * @param message a sentence
 */
record Problem(String in, String pointer, String message) {
}
