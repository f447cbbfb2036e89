package dev.traceflow.builds.internal;

import dev.traceflow.http.ApiException;

/** Caller-supplied text as it may appear in a message. */
final class ApiText {

    private ApiText() {
    }

    static String excerpt(String value) {
        return ApiException.excerpt(value);
    }
}
