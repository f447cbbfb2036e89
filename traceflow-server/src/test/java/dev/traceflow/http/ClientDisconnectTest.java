package dev.traceflow.http;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that hangs up while its answer is written (a Prometheus scrape that timed out) is not a
 * server failure: no 500, no error line with a stack trace, and no attempt to write an error body
 * into a response that has a content type of its own already (that failed with "No converter for
 * ApiError with preset Content-Type text/plain").
 */
class ClientDisconnectTest {

    private final ApiErrorHandler handler = new ApiErrorHandler();

    @Test
    void aDisconnectedClient_getsNoErrorBody() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/actuator/prometheus");
        assertThat(handler.unexpected(new AsyncRequestNotUsableException("Servlet container error notification for disconnected client"),
                request)).isNull();
        assertThat(handler.unexpected(new IOException("Broken pipe"), request)).isNull();
    }

    @Test
    void anyOtherFailure_isStillA500() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/errors");
        assertThat(handler.unexpected(new IllegalStateException("bug"), request).getStatusCode().value()).isEqualTo(500);
    }
}
