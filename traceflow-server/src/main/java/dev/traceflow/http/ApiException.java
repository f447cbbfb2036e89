package dev.traceflow.http;

import org.springframework.http.HttpStatus;

import java.util.List;

/**
 * A failure that becomes an {@link ApiError} answer with a given status. Thrown by features
 * for expected problems (bad input, bad key, overload); never carries secrets in its message.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final List<?> details;
    private final Integer retryAfterSeconds;

    public ApiException(HttpStatus status, String code, String message) {
        this(status, code, message, List.of(), null);
    }

    public ApiException(HttpStatus status, String code, String message, List<?> details, Integer retryAfterSeconds) {
        super(message, null, false, false); // expected outcomes: no stack trace to fill
        this.status = status;
        this.code = code;
        this.details = details == null ? List.of() : details;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "UNAUTHORIZED", message);
    }

    public static ApiException forbidden(String code, String message) {
        return new ApiException(HttpStatus.FORBIDDEN, code, message);
    }

    /** 422 {@code VALIDATION_FAILED}: well-formed but invalid input. */
    public static ApiException invalid(String message) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "VALIDATION_FAILED", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, "NOT_FOUND", message);
    }

    /**
     * The one answer for an app that does not exist and for an app the caller has no role on,
     * so the two cannot be told apart.
     */
    public static ApiException noSuchApp(String appId) {
        return notFound("No app '" + excerpt(appId) + "'");
    }

    /** A caller-supplied value as it may appear in a message: at most 64 characters. */
    public static String excerpt(String value) {
        return value == null ? "" : value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE", message);
    }

    public static ApiException malformed(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "MALFORMED_BODY", message);
    }

    public static ApiException unavailable(String code, String message, int retryAfterSeconds) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, code, message, List.of(), retryAfterSeconds);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<?> details() {
        return details;
    }

    /** Seconds for the {@code Retry-After} header, or null for none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
