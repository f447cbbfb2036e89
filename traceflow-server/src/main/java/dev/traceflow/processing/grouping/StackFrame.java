package dev.traceflow.processing.grouping;

/**
 * One frame of a parsed JavaScript stack trace.
 *
 * <p>Values are kept as the browser wrote them so that the frame can be shown to a user
 * unchanged; grouping applies its own normalisation on top (see {@link ErrorFingerprinter}).
 *
 * @param function the function name as written in the trace, including engine decorations such
 *     as {@code new }, {@code async }, {@code Object.} or Firefox's {@code /<}; {@code null} when
 *     the trace gives no name (anonymous function, top-level code without a label)
 * @param file the URL or path as written in the trace, query string included (for example
 *     {@code https://host/app.js?v=2}, {@code webpack:///./src/x.js}, {@code <anonymous>},
 *     {@code native}, {@code [native code]}); {@code null} when the trace gives no location
 * @param line 1-based line number, or {@code null} when the trace gives none
 * @param column 1-based column number, or {@code null} when the trace gives none
 * @param inApp whether the frame belongs to the application's own code rather than to the
 *     engine, a browser extension or a third-party package; see
 *     {@link StackTraceParser#isInApp(String)}
 */
public record StackFrame(String function, String file, Integer line, Integer column, boolean inApp) {
}
