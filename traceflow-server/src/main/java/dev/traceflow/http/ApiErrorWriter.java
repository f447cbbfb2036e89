package dev.traceflow.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.List;

/**
 * Writes API.md's error shape straight to a servlet response, for code that runs before Spring
 * MVC (security filters: 401, 403, rejected CORS). Logs the same line as the MVC error handler.
 */
public final class ApiErrorWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiErrorWriter() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String code,
                             String message) throws IOException {
        var entity = ApiErrorHandler.body(status, code, message, List.of(), null, request);
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setHeader(TraceIds.HEADER, entity.getBody().traceId());
        JSON.writeValue(response.getOutputStream(), entity.getBody());
    }
}
