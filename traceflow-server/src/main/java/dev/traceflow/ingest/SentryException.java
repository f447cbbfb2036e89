package dev.traceflow.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.traceflow.ingest.SentryValues.cut;

/**
 * What the error mapping reads of a Sentry event's {@code exception}: the exception thrown last
 * (the last object of {@code exception.values}, or of {@code exception} itself in the older form),
 * its {@code type}, {@code value} and {@code mechanism} as sent, and its frames already written as
 * the lines of a V8 stack ({@code     at function (file:line:column)}), the form TraceFlow's
 * grouping and frame parser read for every browser.
 *
 * <p>Made either straight from the payload's parser ({@link SentryExceptionReader}, the envelope
 * path: no map per frame, no list of them, no boxed numbers) or from an event read whole
 * ({@link #of}), with the same result. Only the newest {@value #MAX_FRAMES} elements of a frames
 * list count, as Sentry lists frames oldest call first and a very deep trace's newest calls are the
 * ones that tell where it failed.
 *
 * <p>Filled by one reader, then only read; not thread-safe.
 */
final class SentryException {

    static final int MAX_FRAMES = 250;

    private Object type;
    private Object value;
    private Object mechanism;
    private boolean stacktraceNotAnObject;
    /** Every frame object's stack line, oldest call first; a frame without a file has an empty one. */
    private final StringBuilder lines = new StringBuilder(256);
    /** Per frame object, where its line ends in {@link #lines}. */
    private int[] lineEnds = new int[8];
    /** Per frame object, its position in the frames list, whose other elements are not frames. */
    private int[] positions = new int[8];
    private int frames;
    /** Elements of the frames list, frame objects or not. */
    private int elements;
    /** The last frame object's file, line and column (-1: none). */
    private String lastFile;
    private int lastLine = -1;
    private int lastColumn = -1;

    /**
     * The exception thrown last of an event's {@code exception} field as read whole (maps and lists),
     * or as {@link SentryExceptionReader} read it; null when it holds no exception object. Fields of
     * the wrong kind are not reported here but by the getters' users, as for the rest of the event.
     */
    static SentryException of(Object exceptionField) {
        if (exceptionField instanceof SentryException read) {
            return read;
        }
        Object exceptions = exceptionField instanceof Map<?, ?> m ? m.get("values") : exceptionField;
        Map<?, ?> last = null;
        if (exceptions instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    last = m;
                }
            }
        }
        return last == null ? null : fromMap(last);
    }

    private static SentryException fromMap(Map<?, ?> json) {
        SentryException e = new SentryException();
        e.type = json.get("type");
        e.value = json.get("value");
        e.mechanism = json.get("mechanism");
        Object stacktrace = json.get("stacktrace");
        e.stacktraceNotAnObject = stacktrace != null && !(stacktrace instanceof Map<?, ?>);
        if (stacktrace instanceof Map<?, ?> st && st.get("frames") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> frame) {
                    e.frame(frame.get("abs_path") instanceof String s ? s : null, frame.get("filename") instanceof String s ? s : null,
                            frame.get("function") instanceof String s ? s : null, whole(frame.get("lineno")), whole(frame.get("colno")));
                } else {
                    e.notAFrame();
                }
            }
        }
        return e;
    }

    /** {@code type} as sent: a string when the event is right, but any JSON value. */
    Object type() {
        return type;
    }

    /** {@code value} as sent. */
    Object value() {
        return value;
    }

    /** {@code mechanism} as sent. */
    Object mechanism() {
        return mechanism;
    }

    /** @throws FieldReader.FieldError when {@code stacktrace} is there but not an object */
    void checkStacktrace() {
        if (stacktraceNotAnObject) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field 'stacktrace' must be an object");
        }
    }

    /** Whether any frame object is among the newest {@value #MAX_FRAMES} elements of the frames list. */
    boolean hasFrames() {
        return firstKept() < frames;
    }

    /**
     * The V8 stack: {@code Type: value}, then a line per frame that names a file, newest call first;
     * null without frames.
     *
     * @param type  the checked type, null when absent
     * @param value the checked value, null when absent
     */
    String stack(String type, String value) {
        int first = firstKept();
        if (first == frames) {
            return null;
        }
        int from = first == 0 ? 0 : lineEnds[first - 1];
        StringBuilder stack = new StringBuilder(64 + lines.length() - from);
        stack.append(type == null ? "Error" : type);
        if (value != null) {
            stack.append(": ").append(value.replace('\n', ' '));
        }
        for (int i = frames - 1; i >= first; i--) {
            stack.append(lines, i == 0 ? 0 : lineEnds[i - 1], lineEnds[i]);
        }
        return stack.toString();
    }

    /** The newest frame's file, when {@link #hasFrames}. */
    String topFile() {
        return lastFile;
    }

    /** The newest frame's line, when {@link #hasFrames} and it has a whole non-negative one. */
    Integer topLine() {
        return lastLine < 0 ? null : lastLine;
    }

    /** The newest frame's column, as {@link #topLine}. */
    Integer topColumn() {
        return lastColumn < 0 ? null : lastColumn;
    }

    void type(Object type) {
        this.type = type;
    }

    void value(Object value) {
        this.value = value;
    }

    void mechanism(Object mechanism) {
        this.mechanism = mechanism;
    }

    /** A {@code stacktrace} field: it replaces any earlier one, frames included. */
    void stacktrace(boolean notAnObject) {
        stacktraceNotAnObject = notAnObject;
        startFrames();
    }

    /** A {@code frames} field (or none): it replaces any earlier one. */
    void startFrames() {
        lines.setLength(0);
        frames = 0;
        elements = 0;
        lastFile = null;
        lastLine = -1;
        lastColumn = -1;
    }

    /** An element of the frames list that is not an object: it takes a place among the newest, nothing else. */
    void notAFrame() {
        elements++;
    }

    /**
     * A frame object's fields, each null (or -1) when absent or of another kind.
     *
     * @param line   a whole non-negative line ({@link #whole}), else -1
     * @param column likewise
     */
    void frame(String absPath, String filename, String function, int line, int column) {
        String file = file(absPath, filename);
        if (file != null) {
            boolean named = function != null && !function.isBlank() && !function.equals("?");
            lines.append("\n    at ");
            if (named) {
                lines.append(function).append(" (");
            }
            lines.append(file);
            if (line >= 0) {
                lines.append(':').append(line);
                if (column >= 0) {
                    lines.append(':').append(column);
                }
            }
            if (named) {
                lines.append(')');
            }
        }
        if (frames == lineEnds.length) {
            lineEnds = Arrays.copyOf(lineEnds, frames * 2);
            positions = Arrays.copyOf(positions, frames * 2);
        }
        lineEnds[frames] = lines.length();
        positions[frames] = elements;
        frames++;
        elements++;
        lastFile = file;
        lastLine = line;
        lastColumn = column;
    }

    /** The first frame among the newest {@value #MAX_FRAMES} elements; {@link #frames} when none is. */
    private int firstKept() {
        int window = Math.max(0, elements - MAX_FRAMES);
        int first = 0;
        while (first < frames && positions[first] < window) {
            first++;
        }
        return first;
    }

    /** A frame's file: {@code abs_path} (the full URL or path) else {@code filename}; newlines never. */
    private static String file(String absPath, String filename) {
        String path = absPath != null && !absPath.isBlank() ? absPath : filename;
        return path != null && !path.isBlank() ? cut(path.replace('\n', ' ')) : null;
    }

    /** A frame's line or column: a whole non-negative number, else -1 (a frame's numbers are hints, never a reason to refuse). */
    static int whole(double number) {
        return number >= 0 && number <= Integer.MAX_VALUE ? (int) number : -1;
    }

    private static int whole(Object number) {
        return number instanceof Number n ? whole(n.doubleValue()) : -1;
    }
}
