package dev.traceflow.http;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

import java.io.IOException;

/**
 * Tomcat's error page, in API.md's error shape. Tomcat answers some requests itself before any
 * servlet or filter sees them (a request line or headers over the size limit, an undecodable URI,
 * a path that escapes the context): without this valve those get Tomcat's HTML page. Errors that
 * reach Spring are answered by {@link ApiErrorHandler} or {@link JsonErrorController}; by the time
 * this valve runs they have a body, and it leaves them alone.
 */
final class JsonErrorReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorReportValve.class);

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
        String message = status == HttpStatus.BAD_REQUEST
                ? "The request line or headers are malformed, or larger than the server accepts"
                : JsonErrorController.messageFor(status);
        try {
            ApiErrorWriter.write(request, response, status, JsonErrorController.codeFor(status), message);
            response.finishResponse();
        } catch (IOException | RuntimeException e) {
            log.debug("writing a container error response failed: {}", e.getMessage());
        }
    }
}
