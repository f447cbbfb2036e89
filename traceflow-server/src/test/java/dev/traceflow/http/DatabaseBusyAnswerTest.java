package dev.traceflow.http;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchException;

/**
 * Every metadata connection busy for the pool's whole wait is the server's load, not a defect: 503 OVERLOADED with
 * Retry-After (API.md), never a 500. A loaded trigger benchmark answered 62 triggers 500 this way, some 60 s late.
 */
class DatabaseBusyAnswerTest {

    private HikariDataSource pool;
    private Connection held;

    @BeforeEach
    void aPoolOfOneConnection_heldByAnotherRequest() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:busy-" + UUID.randomUUID());
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(250); // Hikari's least
        pool = new HikariDataSource(config);
        held = pool.getConnection();
    }

    @AfterEach
    void release() throws Exception {
        held.close();
        pool.close();
    }

    @Test
    void aTransactionThatGetsNoConnection_answers503OverloadedWithRetryAfter() {
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(pool));
        Exception e = catchException(() -> tx.execute(status -> 1));

        ResponseEntity<ApiError> answer = new ApiErrorHandler().unexpected(e, new MockHttpServletRequest("POST", "/builds"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("2");
        assertThat(answer.getBody().code()).isEqualTo("OVERLOADED");
        assertThat(answer.getBody().traceId()).isNotBlank();
    }

    @Test
    void aStatementOutsideATransactionThatGetsNoConnection_answers503Too() {
        Exception e = catchException(() -> JdbcClient.create(pool).sql("SELECT 1").query(Integer.class).single());

        ResponseEntity<ApiError> answer = new ApiErrorHandler().unexpected(e, new MockHttpServletRequest("GET", "/api/apps"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getBody().code()).isEqualTo("OVERLOADED");
    }

    /** A filter's read (the token's user, an API token) fails outside Spring MVC and reaches the container's /error. */
    @Test
    void aFiltersReadThatGetsNoConnection_answers503ThroughTheErrorRoute() {
        Exception e = catchException(() -> JdbcClient.create(pool).sql("SELECT 1").query(Integer.class).single());
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new RuntimeException("wrapped by the filter chain", e));

        ResponseEntity<ApiError> answer = new JsonErrorController().error(request);

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("2");
        assertThat(answer.getBody().code()).isEqualTo("OVERLOADED");
    }

    @Test
    void otherFailures_stay500() {
        ResponseEntity<ApiError> answer = new ApiErrorHandler().unexpected(new IllegalStateException("a defect"),
                new MockHttpServletRequest("POST", "/builds"));

        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        assertThat(answer.getBody().code()).isEqualTo("INTERNAL_ERROR");
    }
}
