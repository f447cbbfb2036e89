package dev.traceflow.http;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * Tomcat's error page, in API.md's error shape. Tomcat answers some requests itself before any
 * servlet or filter sees them (a request line or headers over the size limit, an undecodable URI,
 * a path that escapes the context): without this valve those get Tomcat's HTML page. Errors that
 * reach Spring are answered by {@link ApiErrorHandler} or {@link JsonErrorController}; by the time
 * this valve runs they have a body, and it leaves them alone.
 */
final class JsonErrorReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorReportValve.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A rejected URI can be as long as the header limit: log its start only. */
    private static final int LOGGED_URI_CHARS = 200;

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int statusCode = response.getStatus();
        // the same guards as Tomcat's own page: only errors, only when nothing was written yet, only once
        if (statusCode < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatus status = HttpStatus.resolve(statusCode);
        if (status == null) {
            status = statusCode >= 500 ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.BAD_REQUEST;
        }
        String traceId = TraceIds.current(request);
        String message = status == HttpStatus.BAD_REQUEST
                ? "The request line or headers are malformed, or larger than the server accepts"
                : JsonErrorController.messageFor(status);
        ApiError body = new ApiError(JsonErrorController.codeFor(status), message, List.of(), traceId);
        log.info("{} {} -> {} {}: rejected by the HTTP container traceId={}", request.getMethod(), loggedUri(request),
                statusCode, body.code(), traceId);
        try {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            response.setHeader(TraceIds.HEADER, traceId);
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(JSON.writeValueAsString(body));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            log.debug("writing a container error response failed: {}", e.getMessage());
        }
    }

    private static String loggedUri(Request request) {
        String uri = request.getRequestURI();
        if (uri == null) {
            return "(unparsed)";
        }
        return uri.length() <= LOGGED_URI_CHARS ? uri : uri.substring(0, LOGGED_URI_CHARS) + "...";
    }
}
