package dev.traceflow.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.traceflow.ingest.SentryValues.cut;

/**
 * What the error mapping reads of a Sentry event's {@code exception}: the exception thrown last
 * (the last object of {@code exception.values}, or of {@code exception} itself in the older form),
 * its {@code type}, {@code value} and {@code mechanism} as sent, and of its frames only what the
 * V8 stack it is written as ({@code     at function (file:line:column)}, newest call first, the form
 * TraceFlow's grouping and frame parser read for every browser) shows of them.
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
    /**
     * Per frame object, oldest call first: its file ({@link #file}, null when it names none), its
     * function (null unless named), line and column (-1: none), and its position in the frames
     * list, whose other elements are not frames. Parallel arrays rather than an object per frame.
     */
    private String[] files = new String[8];
    private String[] functions = new String[8];
    private int[] lines = new int[8];
    private int[] columns = new int[8];
    private int[] positions = new int[8];
    private int frames;
    /** Elements of the frames list, frame objects or not. */
    private int elements;

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
        String header = type == null ? "Error" : type;
        String message = value == null ? null : value.replace('\n', ' ');
        int capacity = header.length() + (message == null ? 0 : 2 + message.length());
        for (int i = first; i < frames; i++) {
            if (files[i] != null) {
                // "\n    at " + function + " (" + file + ":" + line + ":" + column + ")", numbers at their longest
                capacity += 8 + (functions[i] == null ? 0 : functions[i].length() + 3) + files[i].length() + 22;
            }
        }
        StringBuilder stack = new StringBuilder(capacity);
        stack.append(header);
        if (message != null) {
            stack.append(": ").append(message);
        }
        for (int i = frames - 1; i >= first; i--) {
            if (files[i] == null) {
                continue;
            }
            stack.append("\n    at ");
            if (functions[i] != null) {
                stack.append(functions[i]).append(" (");
            }
            stack.append(files[i]);
            if (lines[i] >= 0) {
                stack.append(':').append(lines[i]);
                if (columns[i] >= 0) {
                    stack.append(':').append(columns[i]);
                }
            }
            if (functions[i] != null) {
                stack.append(')');
            }
        }
        return stack.toString();
    }

    /** The newest frame's file, when {@link #hasFrames}. */
    String topFile() {
        return frames == 0 ? null : files[frames - 1];
    }

    /** The newest frame's line, when {@link #hasFrames} and it has a whole non-negative one. */
    Integer topLine() {
        return frames == 0 || lines[frames - 1] < 0 ? null : lines[frames - 1];
    }

    /** The newest frame's column, as {@link #topLine}. */
    Integer topColumn() {
        return frames == 0 || columns[frames - 1] < 0 ? null : columns[frames - 1];
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
        frames = 0;
        elements = 0;
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
        if (frames == files.length) {
            int grown = frames * 2;
            files = Arrays.copyOf(files, grown);
            functions = Arrays.copyOf(functions, grown);
            lines = Arrays.copyOf(lines, grown);
            columns = Arrays.copyOf(columns, grown);
            positions = Arrays.copyOf(positions, grown);
        }
        files[frames] = file(absPath, filename);
        functions[frames] = function != null && !function.isBlank() && !function.equals("?") ? function : null;
        lines[frames] = line;
        columns[frames] = column;
        positions[frames] = elements;
        frames++;
        elements++;
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
