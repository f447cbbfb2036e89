package dev.traceflow.builds.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regular expressions that users give (a schema's {@code pattern}, a text replacement's search),
 * run with a budget: the input is read through a counter that stops the match after a number of
 * character reads, so that a catastrophic pattern ({@code (a+)+$}) costs a bounded time instead
 * of a thread. The JDK's engine backtracks; this is the usual guard for it.
 */
final class BoundedRegex {

    /** The budget ran out. */
    static final class TooExpensive extends RuntimeException {
        TooExpensive() {
            super("the regular expression takes too long on this value", null, false, false);
        }
    }

    private final Pattern pattern;
    private final long steps;

    private BoundedRegex(Pattern pattern, long steps) {
        this.pattern = pattern;
        this.steps = steps;
    }

    /** @throws IllegalArgumentException when too long or not a valid expression, with a sentence why */
    static BoundedRegex compile(String regex, int maxLength, long steps) {
        if (regex.length() > maxLength) {
            throw new IllegalArgumentException("the regular expression is longer than " + maxLength + " characters");
        }
        try {
            return new BoundedRegex(Pattern.compile(regex), steps);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription());
        }
    }

    /** ECMA-262 semantics of a schema {@code pattern}: found anywhere in the value. @throws TooExpensive */
    boolean find(String input) {
        return pattern.matcher(new Counted(input, steps)).find();
    }

    /** A matcher over the input whose reads count against the budget. */
    Matcher matcher(CharSequence input) {
        return pattern.matcher(new Counted(input, steps));
    }

    private static final class Counted implements CharSequence {
        private final CharSequence text;
        private final long[] left;

        Counted(CharSequence text, long budget) {
            this(text, new long[]{budget});
        }

        private Counted(CharSequence text, long[] left) {
            this.text = text;
            this.left = left;
        }

        @Override
        public char charAt(int index) {
            if (--left[0] < 0) {
                throw new TooExpensive();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Counted(text.subSequence(start, end), left);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
