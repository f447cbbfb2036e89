package dev.traceflow.processing.grouping;

import java.util.regex.Pattern;

/**
 * The file part of a stack frame made stable across engines, CDNs and deployments, for
 * {@link ErrorFingerprinter#normaliseFile} (whose Javadoc gives the rules in order): hosts,
 * queries, versions and content hashes are what changes between two reports of one bug.
 */
final class FrameFiles {

    /** A whole path segment that is a version: {@code 1.2.3}, {@code v1.2}, {@code 2.0.0-beta.1}. */
    private static final Pattern VERSION = Pattern.compile("v?\\d+(?:\\.\\d+)+(?:[-+][0-9A-Za-z.-]+)?");

    /** An {@code @version} suffix; after {@code @} a bare major ({@code react@18}) counts. */
    private static final Pattern VERSION_OR_MAJOR =
            Pattern.compile("v?\\d+(?:\\.\\d+)*(?:[-+][0-9A-Za-z.-]+)?");

    /** A content hash: 8 or more hex characters, at least one of them a digit. */
    private static final Pattern HEX_HASH = Pattern.compile("(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}");

    private static final Pattern UUID_SEGMENT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** A version inside a file name: the {@code -3.6.0} of {@code jquery-3.6.0.min}. */
    private static final Pattern FILENAME_VERSION = Pattern.compile(
            "(?<=[^./@-])[-.@]v?\\d+(?:\\.\\d+)+(?=[.-]|$)");

    /** A file extension: short, starting with a letter ({@code js}, {@code mjs}, {@code tsx}). */
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,5}");

    /** Longest file string normalised; longer ones are cut first so cost stays bounded. */
    private static final int MAX_FILE_LENGTH = 2048;

    private FrameFiles() {
    }

    static String normalise(String file) {
        if (file == null || file.isBlank()) {
            return "";
        }
        String s = file.strip();
        if (s.length() > MAX_FILE_LENGTH) {
            s = s.substring(0, MAX_FILE_LENGTH);
        }
        s = s.replace('\\', '/');
        if (s.regionMatches(true, 0, "blob:", 0, "blob:".length())) {
            s = s.substring("blob:".length());
        }
        int cut = indexOfAny(s, '?', '#');
        if (cut >= 0) {
            s = s.substring(0, cut);
        }
        int schemeEnd = s.indexOf("://");
        if (schemeEnd > 0 && isScheme(s, schemeEnd)) {
            int pathStart = s.indexOf('/', schemeEnd + 3);
            s = pathStart < 0 ? "" : s.substring(pathStart);
        }

        String[] segments = s.split("/");
        int lastNonEmpty = -1;
        for (int i = 0; i < segments.length; i++) {
            if (!segments[i].isEmpty() && !segments[i].equals(".")) {
                lastNonEmpty = i;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i <= lastNonEmpty; i++) {
            String segment = segments[i];
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            segment = stripAtVersion(segment);
            if (i < lastNonEmpty) {
                if (VERSION.matcher(segment).matches()
                        || HEX_HASH.matcher(segment).matches()
                        || UUID_SEGMENT.matcher(segment).matches()) {
                    continue;
                }
            } else {
                segment = normaliseFileName(segment);
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(segment);
        }
        return out.toString();
    }

    private static String normaliseFileName(String name) {
        if (UUID_SEGMENT.matcher(name).matches()) {
            // blob: URLs end in a random UUID per page load.
            return "<uuid>";
        }
        String stem = name;
        String extension = "";
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String candidate = name.substring(dot + 1);
            if (EXTENSION.matcher(candidate).matches() && !HEX_HASH.matcher(candidate).matches()) {
                stem = name.substring(0, dot);
                extension = name.substring(dot);
            }
        }
        stem = FILENAME_VERSION.matcher(stem).replaceAll("");

        // Walk the stem as parts each carrying the separator before it, so that dropping a part
        // also drops its separator and "my-app.3f2a1b9c" keeps its dash.
        StringBuilder out = new StringBuilder();
        int partStart = 0;
        for (int i = 0; i <= stem.length(); i++) {
            if (i == stem.length() || (i > partStart && (stem.charAt(i) == '.' || stem.charAt(i) == '-'))) {
                boolean first = partStart == 0;
                int textStart = first ? 0 : partStart + 1;
                String text = stem.substring(Math.min(textStart, i), i);
                if (HEX_HASH.matcher(text).matches()) {
                    if (first) {
                        out.append("<hash>");
                    }
                } else {
                    out.append(stem, partStart, i);
                }
                partStart = i;
            }
        }
        return out + extension;
    }

    /** Drops an {@code @version} suffix; a leading {@code @} (npm scope) is not a suffix. */
    private static String stripAtVersion(String segment) {
        int at = segment.lastIndexOf('@');
        if (at > 0 && VERSION_OR_MAJOR.matcher(segment).region(at + 1, segment.length()).matches()) {
            return segment.substring(0, at);
        }
        return segment;
    }

    private static boolean isScheme(String s, int end) {
        if (!Character.isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < end; i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }
}
