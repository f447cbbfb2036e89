package dev.traceflow.processing.grouping;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Computes the fingerprint that keys an error group.
 *
 * <p>The contract, in order of precedence:
 *
 * <ol>
 *   <li>the client-sent {@code fingerprint} strings, if non-empty;
 *   <li>else the error type plus the normalised in-app stack frames (function and file; line and
 *       column ignored), if the stack has at least one in-app frame;
 *   <li>else the error type plus the normalised message.
 * </ol>
 *
 * <p>The three kinds of input are hashed under distinct markers, and every component is
 * length-prefixed before hashing, so no combination of client strings, frames or message text
 * can produce the same digest input as a different one.
 *
 * <p>Normalisation aims at one goal: the same bug reported by Chrome, Firefox and Safari, and
 * by successive deployments of the same code, lands in one group.
 */
public final class ErrorFingerprinter {

    /** Hex characters kept from the SHA-256 digest (128 bits). */
    private static final int FINGERPRINT_HEX_LENGTH = 32;

    private static final String DEFAULT_ERROR_TYPE = "Error";
    private static final String ANONYMOUS = "?";

    /** Names engines give to code that is not a named function. */
    private static final Set<String> ANONYMOUS_NAMES = Set.of(
            "<anonymous>", "global code", "eval code", "module code", "Object.<anonymous>");

    /**
     * {@code TypeError: ...}, {@code Uncaught TypeError: ...} and Chrome's
     * {@code Uncaught (in promise) TypeError: ...}; the identifier length is bounded so a huge
     * message cannot make the match expensive.
     */
    private static final Pattern ERROR_TYPE_PREFIX = Pattern.compile(
            "\\s*(?:Uncaught\\s+)?(?:\\(in promise\\)\\s+)?([A-Za-z_$][A-Za-z0-9_$]{0,127})\\s*:");

    // --- message normalisation ---------------------------------------------------------------

    /**
     * A single-quoted value. The look-behind keeps apostrophes inside words ({@code can't}) from
     * opening a quote.
     */
    private static final Pattern SINGLE_QUOTED = Pattern.compile("(?<![\\p{L}\\p{N}_])'[^'\\n]*'");
    private static final Pattern DOUBLE_QUOTED = Pattern.compile("\"[^\"\\n]*\"");
    private static final Pattern BACKTICK_QUOTED = Pattern.compile("`[^`\\n]*`");

    /**
     * A URL: scheme, {@code ://}, then everything up to whitespace, a quote or a bracket. The
     * scheme length is bounded so long runs of letters do not cause quadratic scanning.
     */
    private static final Pattern URL = Pattern.compile(
            "\\b[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\\s'\"`<>()\\[\\]{}]+");

    private static final Pattern UUID = Pattern.compile(
            "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");

    /** {@code 0x1f} literals and 8+ character hex ids containing a digit. */
    private static final Pattern HEX_ID = Pattern.compile(
            "\\b0[xX][0-9a-fA-F]+\\b|\\b(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}\\b");

    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ErrorFingerprinter() {
    }

    /**
     * Computes the group fingerprint of an error event.
     *
     * @param errorType the error's type as reported (for example {@code TypeError}); may be
     *     {@code null} or blank, in which case it is derived by {@link #errorType(String, String)}
     * @param message the error message; may be {@code null}
     * @param stack the raw stack string; may be {@code null}
     * @param clientFingerprint the fingerprint sent by the client; {@code null} or empty means
     *     "none"; {@code null} elements are treated as empty strings
     * @return 32 lowercase hex characters: the first 128 bits of a SHA-256 over the grouping
     *     components; never {@code null}
     */
    public static String fingerprint(String errorType, String message, String stack,
            List<String> clientFingerprint) {
        List<String> components = new ArrayList<>();
        if (clientFingerprint != null && !clientFingerprint.isEmpty()) {
            components.add("custom");
            for (String part : clientFingerprint) {
                components.add(part == null ? "" : part);
            }
            return hash(components);
        }

        String type = errorType(errorType, message);
        List<StackFrame> inAppFrames = StackTraceParser.parse(stack).stream()
                .filter(StackFrame::inApp)
                .toList();
        if (!inAppFrames.isEmpty()) {
            components.add("stack");
            components.add(type);
            for (StackFrame frame : inAppFrames) {
                components.add(normaliseFunction(frame.function()) + "|" + normaliseFile(frame.file()));
            }
        } else {
            components.add("message");
            components.add(type);
            components.add(normaliseMessage(message));
        }
        return hash(components);
    }

    /**
     * Determines the error type used for grouping.
     *
     * @param errorType the reported type; used (stripped) when non-blank
     * @param message the message, consulted only when {@code errorType} is blank; a leading
     *     identifier followed by a colon is taken as the type, after an optional
     *     {@code Uncaught } and {@code (in promise) } ({@code "Uncaught TypeError: x"} gives
     *     {@code TypeError})
     * @return the type, never {@code null}; {@code "Error"} when neither argument yields one
     */
    public static String errorType(String errorType, String message) {
        if (errorType != null && !errorType.isBlank()) {
            return errorType.strip();
        }
        if (message != null) {
            Matcher m = ERROR_TYPE_PREFIX.matcher(message);
            if (m.lookingAt()) {
                return m.group(1);
            }
        }
        return DEFAULT_ERROR_TYPE;
    }

    /**
     * Normalises a function name so that engines agree on it. Applied in this order:
     *
     * <ol>
     *   <li>{@code null} or blank gives {@code ?};
     *   <li>V8's alias suffix {@code " [as name]"} is dropped;
     *   <li>Firefox's async-cause prefix ending in {@code *} ({@code async*}, {@code promise
     *       callback*}) and any trailing {@code *} are dropped;
     *   <li>leading {@code async } and {@code new } are dropped;
     *   <li>{@code <anonymous>}, {@code Object.<anonymous>}, {@code global code},
     *       {@code eval code} and {@code module code} give {@code ?};
     *   <li>Firefox's nesting suffixes ({@code <}, {@code /<}, {@code /}) are dropped, then only
     *       the part after the last {@code /} is kept ({@code outer/inner} gives {@code inner});
     *   <li>only the part after the last {@code .} is kept ({@code Object.foo}, {@code
     *       Foo.prototype.foo} and {@code HTMLButtonElement.foo} all give {@code foo});
     *   <li>an empty result or {@code <anonymous>} gives {@code ?}.
     * </ol>
     *
     * @param function the name as written in the trace; may be {@code null}
     * @return the normalised name, never {@code null}
     */
    public static String normaliseFunction(String function) {
        if (function == null || function.isBlank()) {
            return ANONYMOUS;
        }
        String name = function.strip();
        int alias = name.indexOf(" [as ");
        if (alias >= 0) {
            name = name.substring(0, alias).strip();
        }
        int star = name.lastIndexOf('*');
        if (star >= 0 && star < name.length() - 1) {
            name = name.substring(star + 1);
        }
        name = stripTrailing(name, "*");
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String prefix : new String[] {"async ", "new "}) {
                if (name.startsWith(prefix)) {
                    name = name.substring(prefix.length()).strip();
                    stripped = true;
                }
            }
        }
        if (ANONYMOUS_NAMES.contains(name)) {
            return ANONYMOUS;
        }
        name = stripTrailing(name, "</");
        name = name.substring(name.lastIndexOf('/') + 1);
        name = name.substring(name.lastIndexOf('.') + 1).strip();
        return name.isEmpty() || name.equals("<anonymous>") ? ANONYMOUS : name;
    }

    /**
     * Normalises a file URL or path so that it is stable across engines and deployments. Applied
     * in this order:
     *
     * <ol>
     *   <li>{@code null} or blank gives the empty string; input longer than 2048 characters is
     *       cut to that length;
     *   <li>backslashes become slashes (Windows paths in Node traces);
     *   <li>a {@code blob:} prefix is dropped;
     *   <li>the query ({@code ?v=3}) and fragment ({@code #x}) are dropped;
     *   <li>for any {@code scheme://authority/path} URL (http, https, webpack, file, ...) scheme
     *       and authority are dropped and the path kept, so {@code https://cdn.a/static/app.js}
     *       and {@code https://cdn.b/static/app.js} agree and {@code webpack:///./src/x.js} gives
     *       {@code src/x.js};
     *   <li>empty and {@code .} path segments are dropped; the result has no leading slash;
     *   <li>a directory segment that is a version ({@code 1.2.3}, {@code v1.2.3},
     *       {@code 2.0.0-beta.1}), a content hash (8+ hex characters with a digit) or a UUID is
     *       dropped;
     *   <li>an {@code @version} suffix on any segment is dropped ({@code react@18.2.0} gives
     *       {@code react});
     *   <li>in the file name, a version after the base name is dropped ({@code jquery-3.6.0.min.js}
     *       gives {@code jquery.min.js});
     *   <li>in the file name, every {@code .}- or {@code -}-separated part that is a content hash
     *       is dropped together with its separator ({@code app.3f2a1b9c.js}, {@code
     *       app-3f2a1b9c.js} give {@code app.js}; {@code main.abc123ef12.chunk.js} gives
     *       {@code main.chunk.js}); a hash that is the whole base name becomes {@code <hash>}
     *       ({@code 3f2a1b9c.js} gives {@code <hash>.js}), and a file name that is a UUID (the
     *       tail of a {@code blob:} URL) becomes {@code <uuid>}.
     * </ol>
     *
     * <p>Host names are dropped on purpose: the same bundle is often served from several CDNs
     * or environments. Directory names are otherwise kept, so distinct files stay distinct.
     *
     * @param file the file as written in the trace; may be {@code null}
     * @return the normalised path, never {@code null}
     */
    public static String normaliseFile(String file) {
        return FrameFiles.normalise(file);
    }

    /**
     * Normalises an error message for grouping errors that have no usable stack. Applied in this
     * order, so that a value is replaced by the first placeholder that covers it:
     *
     * <ol>
     *   <li>quoted values ({@code '…'}, {@code "…"}, {@code `…`}) become {@code <str>}; an
     *       apostrophe inside a word ({@code can't}) does not open a quote;
     *   <li>URLs ({@code scheme://…}, up to whitespace, a quote or a bracket) become
     *       {@code <url>};
     *   <li>UUIDs become {@code <uuid>};
     *   <li>{@code 0x…} literals and hex ids of 8 or more characters containing a digit become
     *       {@code <hex>};
     *   <li>remaining integers and decimals become {@code <num>};
     *   <li>whitespace runs collapse to one space and the result is trimmed.
     * </ol>
     *
     * @param message the message; may be {@code null}
     * @return the normalised message, never {@code null}; empty for {@code null}
     */
    public static String normaliseMessage(String message) {
        if (message == null) {
            return "";
        }
        String s = message;
        s = SINGLE_QUOTED.matcher(s).replaceAll("<str>");
        s = DOUBLE_QUOTED.matcher(s).replaceAll("<str>");
        s = BACKTICK_QUOTED.matcher(s).replaceAll("<str>");
        s = URL.matcher(s).replaceAll("<url>");
        s = UUID.matcher(s).replaceAll("<uuid>");
        s = HEX_ID.matcher(s).replaceAll("<hex>");
        s = NUMBER.matcher(s).replaceAll("<num>");
        return WHITESPACE.matcher(s).replaceAll(" ").strip();
    }

    private static String stripTrailing(String s, String chars) {
        int end = s.length();
        while (end > 0 && chars.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(0, end);
    }

    private static String hash(List<String> components) {
        StringBuilder input = new StringBuilder();
        for (String component : components) {
            // Length-prefixing makes the encoding injective: ["a:b"] and ["a", "b"] differ.
            input.append(component.length()).append(':').append(component);
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha256.digest(input.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, FINGERPRINT_HEX_LENGTH)
                    .toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 not available", e);
        }
    }
}
