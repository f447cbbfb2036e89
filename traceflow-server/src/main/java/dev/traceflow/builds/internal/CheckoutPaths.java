package dev.traceflow.builds.internal;

/**
 * Paths inside a build's checkout, as users give them (replacements, artifacts): relative, with
 * {@code /} separators, no {@code .} or {@code ..} segment, no NUL or other control character, no
 * backslash (a separator on Windows), at most 1024 characters. Symbolic links are checked against
 * the repository's tree when a config is validated.
 */
final class CheckoutPaths {

    static final int MAX_LENGTH = 1024;

    private CheckoutPaths() {
    }

    /** Why the path may not be used, or null when it may. */
    static String problem(String path) {
        if (path == null || path.isEmpty()) {
            return "is empty";
        }
        if (path.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters";
        }
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            return "is absolute; paths are relative to the checkout";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return "contains NUL";
            }
            if (c < ' ' || c == 0x7f) {
                return "contains a control character";
            }
            if (c == '\\') {
                return "contains a backslash; use /";
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                return "leaves the checkout (..)";
            }
            if (segment.equals(".") || segment.isEmpty()) {
                return "has an empty or '.' segment";
            }
            if (segment.equalsIgnoreCase(".git")) {
                return "points into .git";
            }
        }
        return null;
    }
}
