package dev.traceflow.http;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientErrorSummaryTest {

    @BeforeEach
    void empty() {
        ClientErrorSummary.drain();
    }

    @Test
    void clientErrorAnswers_areCountedByStatusAndCodeAndTheCountsStartAgainAfterEachSummary() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/collect");
        for (int i = 0; i < 3; i++) {
            ApiErrorHandler.body(HttpStatus.UNAUTHORIZED, "INVALID_KEY", "no such key", List.of(), null, request);
        }
        ApiErrorHandler.body(HttpStatus.NOT_FOUND, "NOT_FOUND", "No endpoint", List.of(), null, request);
        ApiErrorHandler.body(HttpStatus.SERVICE_UNAVAILABLE, "OVERLOADED", "later", List.of(), null, request);

        assertThat(ClientErrorSummary.drain()).isEqualTo("401 INVALID_KEY x3, 404 NOT_FOUND x1");
        assertThat(ClientErrorSummary.drain()).as("nothing since the last summary").isNull();
    }
}
