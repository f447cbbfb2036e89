package dev.traceflow.alerts;

import dev.traceflow.http.ApiException;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** ISO-8601 durations in rule bodies ({@code PT5M}, {@code PT1H}, {@code P1D}), checked against bounds. */
final class Durations {

    private Durations() {
    }

    /**
     * @param otherwise the value when the field is absent (null: the field is required)
     * @throws ApiException 422 for text that is not a duration, or one out of bounds or not in whole minutes
     */
    static Duration parse(String field, String text, Duration otherwise, Duration min, Duration max, boolean wholeMinutes) {
        if (text == null) {
            if (otherwise == null) {
                throw ApiException.invalid(field + " is required: an ISO-8601 duration such as PT5M");
            }
            return otherwise;
        }
        Duration d;
        try {
            d = Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field + " must be an ISO-8601 duration such as PT5M, PT1H or P1D, not '"
                    + ApiException.excerpt(text) + "'");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw ApiException.invalid(field + " must be between " + min + " and " + max + ", not " + d);
        }
        if (wholeMinutes && d.toSeconds() % 60 != 0) {
            throw ApiException.invalid(field + " must be whole minutes (rules measure complete minutes), not " + d);
        }
        return d;
    }
}
