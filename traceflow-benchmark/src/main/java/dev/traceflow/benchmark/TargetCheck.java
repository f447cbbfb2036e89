package dev.traceflow.benchmark;

/**
 * One pass/fail line of the report.
 *
 * @param name    what is checked, e.g. {@code zero loss}
 * @param target  the requirement in words, e.g. {@code >= 100000 events/s}
 * @param actual  what was measured, in words
 * @param verdict the outcome
 */
public record TargetCheck(String name, String target, String actual, Verdict verdict) {

    public enum Verdict { PASS, FAIL, SKIPPED }

    static TargetCheck of(String name, String target, String actual, boolean passed) {
        return new TargetCheck(name, target, actual, passed ? Verdict.PASS : Verdict.FAIL);
    }

    static TargetCheck skipped(String name, String target, String reason) {
        return new TargetCheck(name, target, reason, Verdict.SKIPPED);
    }
}
