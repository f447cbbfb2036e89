package dev.traceflow.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Optional;

/**
 * Errors that happen outside Spring MVC (in a filter, or rejected by Tomcat itself) are
 * forwarded to {@code /error}; this answers them in the same shape as everything else.
 */
@Hidden // the servlet container's error route, not an endpoint of the API
@RestController
class JsonErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<ApiError> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer i ? HttpStatus.resolve(i) : null;
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (exception instanceof ApiException api) {
            return new ApiErrorHandler().api(api, request);
        }
        // a filter's database read (the caller's token version, an API token) that found every connection busy
        Optional<ApiException> overloaded = exception instanceof Throwable t ? ApiErrorHandler.overloaded(t) : Optional.empty();
        if (overloaded.isPresent()) {
            return new ApiErrorHandler().api(overloaded.get(), request);
        }
        String errorCode = codeFor(status);
        String message = messageFor(status);
        return ApiErrorHandler.body(status, errorCode, message, List.of(), null, request);
    }

    /** The error code of a status the framework or the container produced, not our own code. */
    static String codeFor(HttpStatus status) {
        return switch (status) {
            case NOT_FOUND -> "NOT_FOUND";
            case BAD_REQUEST -> "BAD_REQUEST";
            case METHOD_NOT_ALLOWED -> "METHOD_NOT_ALLOWED";
            case CONTENT_TOO_LARGE -> "PAYLOAD_TOO_LARGE";
            case UNSUPPORTED_MEDIA_TYPE -> "UNSUPPORTED_MEDIA_TYPE";
            default -> status.is4xxClientError() ? "BAD_REQUEST" : "INTERNAL_ERROR";
        };
    }

    static String messageFor(HttpStatus status) {
        return status.is5xxServerError()
                ? "The server failed to handle the request; quote the trace id when reporting it"
                : status.getReasonPhrase();
    }
}
