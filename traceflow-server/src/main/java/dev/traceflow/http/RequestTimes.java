package dev.traceflow.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Times in query parameters (API.md: ISO-8601 or epoch milliseconds). */
public final class RequestTimes {

    private RequestTimes() {
    }

    /** An ISO-8601 instant ({@code Z} or an offset) or epoch milliseconds; empty when neither. */
    public static Optional<Instant> parse(String value) {
        if (value == null || value.isBlank() || value.length() > 40) {
            return Optional.empty();
        }
        String v = value.strip();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Instant.ofEpochMilli(Long.parseLong(v)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(OffsetDateTime.parse(v).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
