package dev.traceflow.http;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import dev.traceflow.core.storage.StorageException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns every exception that reaches Spring MVC into API.md's error shape with the right
 * status: our own {@link ApiException}s and the framework's (unknown route, wrong method,
 * wrong content type, unreadable body). Anything unexpected is a 500 whose body says nothing
 * of the cause; the cause is logged with the trace id.
 */
@RestControllerAdvice
class ApiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> api(ApiException e, HttpServletRequest request) {
        HttpHeaders headers = new HttpHeaders();
        if (e.retryAfterSeconds() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        return body(e.status(), e.code(), e.getMessage(), e.details(), headers, request);
    }

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    ResponseEntity<ApiError> notFound(Exception e, HttpServletRequest request) {
        return body(HttpStatus.NOT_FOUND, "NOT_FOUND", "No endpoint " + request.getMethod() + " " + request.getRequestURI(),
                List.of(), null, request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        HttpHeaders headers = new HttpHeaders();
        if (e.getSupportedHttpMethods() != null) {
            headers.setAllow(e.getSupportedHttpMethods());
        }
        return body(HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                request.getMethod() + " is not allowed on " + request.getRequestURI(), List.of(), headers, request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        String supported = e.getSupportedMediaTypes().stream().map(Object::toString).collect(Collectors.joining(", "));
        return body(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
                "Content type " + (e.getContentType() == null ? "(none)" : e.getContentType()) + " is not supported"
                        + (supported.isEmpty() ? "" : "; use one of: " + supported), List.of(), null, request);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ApiError> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        return body(HttpStatus.NOT_ACCEPTABLE, "NOT_ACCEPTABLE", "The endpoint answers application/json only",
                List.of(), null, request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof UnrecognizedPropertyException unknown) {
                String field = ApiException.excerpt(unknown.getPropertyName());
                List<String> known = unknown.getKnownPropertyIds() == null ? List.of()
                        : unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
                return body(HttpStatus.BAD_REQUEST, "MALFORMED_BODY", "Unknown field '" + field + "'"
                                + (known.isEmpty() ? "" : "; this endpoint takes " + String.join(", ", known)),
                        List.of(Map.of("field", field)), null, request);
            }
        }
        return body(HttpStatus.BAD_REQUEST, "MALFORMED_BODY", "The request body is not valid JSON for this endpoint",
                List.of(), null, request);
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class,
            MissingRequestHeaderException.class})
    ResponseEntity<ApiError> badParameter(Exception e, HttpServletRequest request) {
        String message = switch (e) {
            case MissingServletRequestParameterException m -> "Query parameter '" + m.getParameterName() + "' is required";
            case MethodArgumentTypeMismatchException m -> "Parameter '" + m.getName() + "' has an invalid value";
            case MissingRequestHeaderException m -> "Header '" + m.getHeaderName() + "' is required";
            default -> "Bad request";
        };
        return body(HttpStatus.BAD_REQUEST, "BAD_REQUEST", message, List.of(), null, request);
    }

    /**
     * The event store failed to answer a read (writes map their failures themselves): 503 with
     * Retry-After, since it is the server's state, not the request, and usually passes.
     */
    @ExceptionHandler(StorageException.class)
    ResponseEntity<ApiError> storageDown(StorageException e, HttpServletRequest request) {
        log.warn("{} {}: the event store failed: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, "5");
        return body(HttpStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE", "The event store could not answer; retry shortly",
                List.of(), headers, request);
    }

    /** Seconds a client is asked to wait when no database connection came free in time. */
    static final int DATABASE_BUSY_RETRY_AFTER_SECONDS = 2;

    /**
     * 503 OVERLOADED with Retry-After when {@code e} is the connection pool giving up: every metadata connection stayed
     * busy for the pool's whole connection timeout (30 s), because requests arrive faster than the database work they
     * need is done. That is the server's load, not the request's fault nor a defect, and it passes (API.md: "503
     * overloaded"); it was a 500 (62 of them in one loaded trigger benchmark). Empty for anything else.
     */
    static Optional<ApiException> overloaded(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return Optional.of(ApiException.unavailable("OVERLOADED",
                        "The server has more requests waiting for its database than it can serve; retry later",
                        DATABASE_BUSY_RETRY_AFTER_SECONDS));
            }
        }
        return Optional.empty();
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> unexpected(Exception e, HttpServletRequest request) {
        Optional<ApiException> overloaded = overloaded(e);
        if (overloaded.isPresent()) {
            return api(overloaded.get(), request);
        }
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
            // the client went away mid-answer (a Prometheus scrape that timed out, a closed tab):
            // nobody is there to read an error, and it is not the server's failure
            log.debug("{} {}: the client disconnected", request.getMethod(), loggedUri(request));
            return null;
        }
        log.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
        return body(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                "The server failed to handle the request; quote the trace id when reporting it", List.of(), null, request);
    }

    /**
     * Every error answer leaves one log line (the access log of failures): the trace id is in the
     * MDC, so the id a client quotes finds the line. 5xx at WARN; 4xx at DEBUG, counted into the
     * per-minute {@link ClientErrorSummary} at INFO. The message is ours, never the request body or
     * a credential.
     */
    static ResponseEntity<ApiError> body(HttpStatus status, String code, String message, List<?> details,
                                         HttpHeaders headers, HttpServletRequest request) {
        String traceId = TraceIds.current(request);
        if (status.is5xxServerError()) {
            log.warn("{} {} -> {} {}: {} traceId={}", request.getMethod(), loggedUri(request), status.value(), code, message, traceId);
        } else {
            ClientErrorSummary.count(status.value(), code);
            log.debug("{} {} -> {} {}: {} traceId={}", request.getMethod(), loggedUri(request), status.value(), code, message, traceId);
        }
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(status);
        if (headers != null) {
            builder.headers(headers);
        }
        return builder.contentType(MediaType.APPLICATION_JSON)
                .body(new ApiError(code, message, details, traceId));
    }

    private static final int LOGGED_URI_CHARS = 200;

    /** The path without the query (it may carry an ingest key), and only its start: a URI can be as long as the header limit. */
    static String loggedUri(HttpServletRequest request) {
        String uri = request.getRequestURI();
        if (uri == null) {
            return "(unparsed)";
        }
        return uri.length() <= LOGGED_URI_CHARS ? uri : uri.substring(0, LOGGED_URI_CHARS) + "...";
    }
}
