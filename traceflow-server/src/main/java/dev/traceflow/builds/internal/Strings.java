package dev.traceflow.builds.internal;

import dev.traceflow.http.ApiException;

import java.util.regex.Pattern;

/** Checks of the plain text fields every builds resource has. */
final class Strings {

    /** Names: a letter or digit first, then letters, digits, {@code . _ -} and spaces; 1-100 characters. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]{0,99}");

    private Strings() {
    }

    static String name(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw ApiException.invalid(field + " must be 1-100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }

    /** Optional text without control characters, at most {@code max} characters; null stays null. */
    static String text(String field, String value, int max) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw ApiException.invalid(field + " must be at most " + max + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' && c != '\n' && c != '\t') {
                throw ApiException.invalid(field + " may not contain control characters");
            }
        }
        return value;
    }

    static ApiException notFound(String what, String id) {
        return ApiException.notFound("No " + what + " '" + ApiException.excerpt(id) + "'");
    }
}
