package dev.traceflow.builds.internal.run;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Masks one build's secrets in its log lines, in every form a build is likely to print them:
 * plain, URL-encoded, and base64 (standard and URL-safe alphabets) at each of the three
 * alignments a secret can have inside a longer encoded text. A secret may be split across lines
 * (output cut at the line limit, or printed in pieces): lines are matched as one text, joined
 * without separators, and the lines at the end that could be the start of a secret are held back
 * (GitLab runner's approach) until the next lines show whether they are, or the log ends.
 * <p>
 * Pure and not thread-safe: the log store keeps one per build and calls it under the build's lock.
 */
final class SecretMasker {

    static final String MASK = "[MASKED]";

    private final Set<String> patterns = new LinkedHashSet<>();
    private int longest;

    /** @return the number of secrets that were new */
    int add(Collection<String> secrets, int minLength) {
        int added = 0;
        for (String secret : secrets) {
            if (secret == null || secret.length() < minLength) {
                continue;
            }
            boolean isNew = false;
            for (String form : forms(secret)) {
                if (form.length() >= minLength && patterns.add(form)) {
                    longest = Math.max(longest, form.length());
                    isNew = true;
                }
            }
            added += isNew ? 1 : 0;
        }
        return added;
    }

    int patternCount() {
        return patterns.size();
    }

    /** The forms a secret is masked in; the base64 ones only as far as they depend on the secret's bytes alone. */
    static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        for (int offset = 0; offset < 3; offset++) {
            byte[] shifted = new byte[offset + bytes.length];
            System.arraycopy(bytes, 0, shifted, offset, bytes.length);
            // characters that hold a bit of the padding before, or of whatever follows, differ with the context
            int from = (offset * 8 + 5) / 6;
            int to = shifted.length * 8 / 6;
            if (to > from) {
                forms.add(Base64.getEncoder().withoutPadding().encodeToString(shifted).substring(from, to));
                forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(shifted).substring(from, to));
            }
        }
        return forms;
    }

    /**
     * Masks lines as one text.
     *
     * @param lines lines held back before, then the new ones
     * @param end   true when no more lines follow (the log ends): nothing is held back
     * @return the lines to store and the lines to hold back, masked, and how many secrets were found
     */
    Result mask(List<String> lines, boolean end) {
        StringBuilder text = new StringBuilder();
        int[] starts = new int[lines.size() + 1];
        for (int i = 0; i < lines.size(); i++) {
            starts[i] = text.length();
            text.append(lines.get(i));
        }
        starts[lines.size()] = text.length();
        BitSet masked = new BitSet(text.length());
        int found = 0;
        String joined = text.toString();
        for (String pattern : patterns) {
            for (int at = joined.indexOf(pattern); at >= 0; at = joined.indexOf(pattern, at + 1)) {
                masked.set(at, at + pattern.length());
                found++;
            }
        }
        int hold = end ? joined.length() : heldFrom(joined);
        List<String> released = new ArrayList<>(lines.size());
        List<String> held = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = masked.isEmpty() ? lines.get(i) : apply(lines.get(i), masked, starts[i]);
            boolean holds = starts[i + 1] > hold || (starts[i] >= hold && hold < joined.length());
            (holds || !held.isEmpty() ? held : released).add(line);
        }
        return new Result(released, held, found);
    }

    /** Where the text's end could be the beginning of a pattern (of a secret the next lines complete); the length when nowhere. */
    private int heldFrom(String text) {
        int from = text.length();
        int window = Math.min(longest - 1, text.length());
        for (int start = text.length() - window; start < text.length(); start++) {
            int length = text.length() - start;
            for (String pattern : patterns) {
                if (pattern.length() > length && pattern.regionMatches(0, text, start, length)) {
                    return start;
                }
            }
        }
        return from;
    }

    private static String apply(String line, BitSet masked, int offset) {
        if (masked.nextSetBit(offset) < 0 || masked.nextSetBit(offset) >= offset + line.length()) {
            return line;
        }
        StringBuilder out = new StringBuilder(line.length());
        int i = 0;
        while (i < line.length()) {
            if (masked.get(offset + i)) {
                out.append(MASK);
                while (i < line.length() && masked.get(offset + i)) {
                    i++;
                }
            } else {
                out.append(line.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * @param released the lines that may be stored, masked
     * @param held     the lines at the end that may hold the beginning of a secret, masked as far as known: they go
     *                 before the next lines of the next call
     * @param found    occurrences of secrets masked
     */
    record Result(List<String> released, List<String> held, int found) {
    }
}
