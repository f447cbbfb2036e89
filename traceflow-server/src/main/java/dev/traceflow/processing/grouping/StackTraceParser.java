package dev.traceflow.processing.grouping;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the {@code error.stack} string of browser and Node JavaScript errors into
 * {@link StackFrame}s.
 *
 * <p>Three line formats are recognised, and they may be mixed within one trace:
 *
 * <ul>
 *   <li>V8 (Chrome, Edge, Node): {@code    at name (location)} or {@code    at location};
 *   <li>SpiderMonkey (Firefox): {@code name@location}, with an empty name for anonymous code;
 *   <li>JavaScriptCore (Safari): {@code name@location}, a bare {@code location}, or
 *       {@code [native code]}.
 * </ul>
 *
 * <p>The parser is written by hand rather than with one large regular expression because it runs
 * at ingest for every error event, and stack strings are client-controlled: every step here is a
 * bounded scan, so the cost stays linear in the input length whatever the input is.
 */
public final class StackTraceParser {

    private static final String V8_PREFIX = "at ";
    private static final String NATIVE_CODE = "[native code]";

    private StackTraceParser() {
    }

    /**
     * Parses a stack trace.
     *
     * <p>Frames are returned in the order of the trace, which for all supported engines is
     * innermost (the throwing function) first. Lines that are not frames, such as the
     * {@code TypeError: x is undefined} header V8 puts first, or anything unrecognised, are
     * skipped.
     *
     * @param stack the stack string; may be {@code null}
     * @return the frames, never {@code null}; empty for {@code null}, blank or unparseable input
     */
    public static List<StackFrame> parse(String stack) {
        List<StackFrame> frames = new ArrayList<>();
        if (stack == null || stack.isBlank()) {
            return frames;
        }
        int start = 0;
        int length = stack.length();
        while (start < length) {
            int end = start;
            while (end < length && stack.charAt(end) != '\n' && stack.charAt(end) != '\r') {
                end++;
            }
            StackFrame frame = parseLine(stack.substring(start, end).strip());
            if (frame != null) {
                frames.add(frame);
            }
            start = end + 1;
        }
        return frames;
    }

    /**
     * Decides whether code at {@code file} is the application's own code.
     *
     * <p>Returns {@code false} for a {@code null} or blank file, {@code <anonymous>},
     * {@code native}, {@code [native code]}, Node's built-in {@code node:} modules, any path
     * containing {@code /node_modules/}, and browser-extension or masked URLs
     * ({@code chrome-extension://}, {@code moz-extension://}, {@code safari-extension://},
     * {@code safari-web-extension://}, {@code webkit-masked-url://}); {@code true} otherwise.
     *
     * @param file the file as written in the trace; may be {@code null}
     * @return whether frames in this file count as in-app
     */
    public static boolean isInApp(String file) {
        if (file == null || file.isBlank()) {
            return false;
        }
        String f = file.strip().toLowerCase(Locale.ROOT);
        return !(f.equals("<anonymous>")
                || f.equals("native")
                || f.equals(NATIVE_CODE)
                || f.startsWith("node:")
                || f.contains("/node_modules/")
                || f.startsWith("chrome-extension://")
                || f.startsWith("moz-extension://")
                || f.startsWith("safari-extension://")
                || f.startsWith("safari-web-extension://")
                || f.startsWith("webkit-masked-url://"));
    }

    private static StackFrame parseLine(String line) {
        if (line.isEmpty()) {
            return null;
        }
        if (line.equals(NATIVE_CODE)) {
            return new StackFrame(null, NATIVE_CODE, null, null, false);
        }
        if (line.startsWith(V8_PREFIX)) {
            return parseV8(line.substring(V8_PREFIX.length()).strip());
        }
        int at = line.indexOf('@');
        if (at >= 0) {
            return parseAtSign(line.substring(0, at).strip(), line.substring(at + 1).strip());
        }
        return parseBareLocation(line);
    }

    /** {@code name (location)} or {@code location}, after the leading {@code at }. */
    private static StackFrame parseV8(String rest) {
        if (rest.isEmpty()) {
            return null;
        }
        String function = null;
        String location = rest;
        if (rest.endsWith(")")) {
            int open = matchingOpenParen(rest);
            if (open >= 0) {
                function = rest.substring(0, open).strip();
                location = rest.substring(open + 1, rest.length() - 1).strip();
            }
        } else if (rest.startsWith("async ")) {
            // "at async https://host/app.js:1:2": an async frame of an unnamed function.
            location = rest.substring("async ".length()).strip();
        }
        if (function != null && function.isEmpty()) {
            function = null;
        }
        if (location.startsWith("eval at ")) {
            // "eval at outer (https://host/app.js:3:4), <anonymous>:1:1": the evaluated code has
            // no file of its own, so point at the script that called eval, as Firefox does.
            location = evalCallSite(location);
        } else if (location.startsWith("index ") && isDigits(location, "index ".length(), location.length())) {
            // "at async Promise.all (index 0)" names an array index, not a file.
            return new StackFrame(function, null, null, null, false);
        }
        StackFrame frame = toFrame(function, location);
        // Prose that merely starts with "at " (a multi-line message) must not become a frame.
        boolean engineLocation = location.equals("native") || location.equals("<anonymous>");
        return engineLocation || isPlausible(frame, location) ? frame : null;
    }

    /** Innermost parenthesised location of a V8 eval origin, else what follows the last comma. */
    private static String evalCallSite(String location) {
        int close = location.indexOf(')');
        if (close > 0) {
            int open = location.lastIndexOf('(', close);
            if (open >= 0) {
                return location.substring(open + 1, close).strip();
            }
        }
        int comma = location.lastIndexOf(',');
        return comma >= 0 ? location.substring(comma + 1).strip() : location;
    }

    /**
     * Index of the {@code (} matching the final {@code )}, or -1. Scanning from the end with a
     * depth counter copes with parentheses inside the location (V8 eval origins) and in names.
     */
    private static int matchingOpenParen(String s) {
        int depth = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            char c = s.charAt(i);
            if (c == ')') {
                depth++;
            } else if (c == '(') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Firefox / Safari {@code name@location}. */
    private static StackFrame parseAtSign(String function, String location) {
        // A function name never contains ": ", an error header ("Error: no user@host") always
        // does; this keeps V8 headers that mention an e-mail address out of the frames.
        if (function.contains(": ")) {
            return null;
        }
        String fn = function.isEmpty() ? null : function;
        if (location.isEmpty()) {
            // Safari prints "eval code@" and "module code@" with nothing after the sign.
            return fn == null ? null : new StackFrame(fn, null, null, null, false);
        }
        StackFrame frame = toFrame(fn, location);
        return isPlausible(frame, location) ? frame : null;
    }

    /** Safari frames without a function: {@code https://host/app.js:1:2} or {@code [native code]}. */
    private static StackFrame parseBareLocation(String line) {
        if (containsWhitespace(line)) {
            // Headers ("TypeError: x is undefined") and prose have spaces, bare URLs do not.
            return null;
        }
        StackFrame frame = toFrame(null, line);
        return isPlausible(frame, line) ? frame : null;
    }

    /**
     * Rejects text that only happens to look like a frame: a real location is
     * {@code [native code]}, carries a line number, or is a space-free URL.
     */
    private static boolean isPlausible(StackFrame frame, String location) {
        if (frame.file() == null) {
            return false;
        }
        return NATIVE_CODE.equals(location)
                || frame.line() != null
                || (location.contains("://") && !containsWhitespace(location));
    }

    /** Splits {@code file:line:column}, {@code file:line} or {@code file} into a frame. */
    private static StackFrame toFrame(String function, String location) {
        String file = location;
        Integer line = null;
        Integer column = null;

        // Firefox eval: "https://host/app.js line 2 > eval:1:1". The position after "> eval" is
        // inside the evaluated string; the script that called eval is the stable location.
        int evalMarker = file.indexOf(" line ");
        if (evalMarker > 0) {
            int digitsEnd = evalMarker + " line ".length();
            int digitsStart = digitsEnd;
            while (digitsEnd < file.length() && Character.isDigit(file.charAt(digitsEnd))) {
                digitsEnd++;
            }
            if (digitsEnd > digitsStart && file.startsWith(" > ", digitsEnd)) {
                return frame(function, file.substring(0, evalMarker).strip(),
                        parseNumber(file, digitsStart, digitsEnd), null);
            }
        }

        int lastColon = file.lastIndexOf(':');
        if (lastColon >= 0 && isDigits(file, lastColon + 1, file.length())) {
            Integer last = parseNumber(file, lastColon + 1, file.length());
            file = file.substring(0, lastColon);
            int previousColon = file.lastIndexOf(':');
            if (previousColon >= 0 && isDigits(file, previousColon + 1, file.length())) {
                line = parseNumber(file, previousColon + 1, file.length());
                column = last;
                file = file.substring(0, previousColon);
            } else {
                line = last;
            }
        }
        return frame(function, file.isBlank() ? null : file.strip(), line, column);
    }

    private static StackFrame frame(String function, String file, Integer line, Integer column) {
        return new StackFrame(function, file, line, column, isInApp(file));
    }

    private static boolean isDigits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Parses ASCII digits; {@code null} rather than an exception when the value overflows. */
    private static Integer parseNumber(String s, int from, int to) {
        if (to - from > 9) {
            return null;
        }
        return Integer.parseInt(s, from, to, 10);
    }

    private static boolean containsWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
