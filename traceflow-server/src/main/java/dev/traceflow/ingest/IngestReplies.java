package dev.traceflow.ingest;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * Writes an ingest endpoint's 202 (Sentry's: 200) straight to the servlet response. Spring MVC's return-value
 * handling (converter selection and content negotiation for every request) took a visible share of
 * the request threads' CPU in the ingest benchmark (README "Benchmark"), for an answer whose type
 * never changes.
 * Errors still go through the MVC error handler: nothing is written before the events are durable.
 */
final class IngestReplies {

    private static final Logger log = LoggerFactory.getLogger(IngestReplies.class);
    private static final ObjectWriter WRITER = JsonMapper.builder().build().writerFor(IngestResponse.class);
    private static final ObjectWriter SENTRY_WRITER = JsonMapper.builder().build().writerFor(SentryController.SentryResponse.class);

    private IngestReplies() {
    }

    static void accepted(HttpServletResponse response, IngestResponse body) {
        write(response, HttpStatus.ACCEPTED, WRITER.writeValueAsBytes(body), body.accepted());
    }

    /** Sentry's endpoints answer 200 (an SDK treats any other 2xx the same, but some proxies and tests do not). */
    static void sentry(HttpServletResponse response, SentryController.SentryResponse body) {
        write(response, HttpStatus.OK, SENTRY_WRITER.writeValueAsBytes(body), body.accepted());
    }

    /**
     * A client that went away before its answer is not a server error: its events are durable
     * already, and a retry with the same eventIds is de-duplicated. So a failed write is logged at
     * debug and swallowed, instead of reaching the catch-all handler as a 500 with a stack trace.
     */
    private static void write(HttpServletResponse response, HttpStatus status, byte[] json, int accepted) {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(json.length);
        try {
            response.getOutputStream().write(json);
        } catch (IOException e) {
            log.debug("the client went away before its answer ({} events accepted): {}", accepted, e.getMessage());
        }
    }
}
