package dev.traceflow.http;

import dev.traceflow.core.storage.StorageException;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/** A read the event store cannot answer is the server's condition: 503 with Retry-After, never a 500. */
class StorageDownAnswerTest {

    @Test
    void storageFailureOnARead_is503StorageUnavailableWithRetryAfter() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/sessions");

        ResponseEntity<ApiError> answer = new ApiErrorHandler().storageDown(new StorageException("disk gone"), request);

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("5");
        assertThat(answer.getBody().code()).isEqualTo("STORAGE_UNAVAILABLE");
        assertThat(answer.getBody().message()).doesNotContain("disk gone");
        assertThat(answer.getBody().traceId()).isNotBlank();
    }
}
