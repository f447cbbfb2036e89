package dev.traceflow.realtime.internal;

import java.util.regex.Pattern;

/**
 * One of an app's topic rules: topics matching {@code pattern} ({@code *} stands for any run of
 * characters: {@code orders:*}, {@code notice:global}, {@code *}) may be subscribed to from
 * {@code subscribe} up and published to from {@code publish} up; {@code volatile} topics are
 * neither acknowledged nor sent again, and a full send queue drops their oldest events.
 */
record TopicRule(String pattern, TopicAccess subscribe, TopicAccess publish, boolean isVolatile) {

    static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_\\-.:@*]{1,128}");

    /** The rule of an app that has none stored: members read every topic, editors write, browsers without a login get nothing. */
    static final TopicRule DEFAULT = new TopicRule("*", TopicAccess.VIEWER, TopicAccess.EDITOR, false);

    /** Glob matching with {@code *} only: the classic two-pointer walk, O(pattern x topic) at worst, no backtracking blow-up. */
    boolean matches(String topic) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < topic.length()) {
            if (p < pattern.length() && pattern.charAt(p) == topic.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
