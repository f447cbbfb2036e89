package dev.traceflow.benchmark;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 response as the benchmark needs it: the status, the de-chunked body, whether the
 * server will close the connection after it, and {@code Retry-After} (only set on overload answers).
 *
 * @param status       the status code, e.g. 202
 * @param body         the body bytes after removing any chunked transfer coding
 * @param closeAfter   true when the server asked to close ({@code Connection: close}, HTTP/1.0, or a
 *                     body delimited by the end of the stream): the connection must not be reused
 * @param retryAfter   the raw {@code Retry-After} value (seconds or an HTTP date), or null
 */
public record HttpResponse(int status, byte[] body, boolean closeAfter, String retryAfter) {

    /** The body decoded as UTF-8, for messages and tests; the hot loop scans the bytes instead. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
