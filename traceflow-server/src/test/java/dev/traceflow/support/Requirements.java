package dev.traceflow.support;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine beyond the JDK running it: Chromium, a JDK of some version,
 * {@code /dev/full}... Under {@code CI=true} a missing one fails the test, because CI installs
 * what the tests need ({@code .ci/run}) and a skip there would pass a build that checked nothing.
 * Elsewhere the test is skipped, and says why on the console and in its report.
 */
public final class Requirements {

    private Requirements() {
    }

    /** True where the CI script runs (it sets {@code CI=true}, as CI services do). */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * @param present whether the machine has it
     * @param what    what the test needs, as a person would look for it ("Debian's chromium at /usr/bin/chromium")
     */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (inCi()) {
            throw new AssertionError("needs " + what + ", which is missing; with CI=true that fails the test instead of "
                    + "skipping it (.ci/run installs what the tests need)");
        }
        // the surefire/failsafe report keeps the reason too; this line is for whoever watches the run
        System.err.println("SKIPPED (needs " + what + ")");
        Assumptions.abort("needs " + what);
    }
}
