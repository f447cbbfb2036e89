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
 * Writes an ingest endpoint's 202 straight to the servlet response. Spring MVC's return-value
 * handling (converter selection and content negotiation for every request) took a visible share of
 * the request threads' CPU in the ingest benchmark (README "Benchmark"), for an answer whose type
 * never changes.
 * Errors still go through the MVC error handler: nothing is written before the events are durable.
 */
final class IngestReplies {

    private static final Logger log = LoggerFactory.getLogger(IngestReplies.class);
    private static final ObjectWriter WRITER = JsonMapper.builder().build().writerFor(IngestResponse.class);

    private IngestReplies() {
    }

    /**
     * A client that went away before its answer is not a server error: its events are durable
     * already, and a retry with the same eventIds is de-duplicated. So a failed write is logged at
     * debug and swallowed, instead of reaching the catch-all handler as a 500 with a stack trace.
     */
    static void accepted(HttpServletResponse response, IngestResponse body) {
        byte[] json = WRITER.writeValueAsBytes(body);
        response.setStatus(HttpStatus.ACCEPTED.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(json.length);
        try {
            response.getOutputStream().write(json);
        } catch (IOException e) {
            log.debug("the client went away before its 202 ({} events accepted): {}", body.accepted(), e.getMessage());
        }
    }
}
