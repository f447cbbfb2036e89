package dev.traceflow.benchmark;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (Linux's /proc): under {@code CI=true} a missing one fails
 * the test, elsewhere the test is skipped and says why. The server module's tests have the same
 * helper ({@code dev.traceflow.support.Requirements}); the modules share no test code.
 */
final class Requirements {

    private Requirements() {
    }

    static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("needs " + what + ", which is missing; with CI=true that fails the test instead of skipping it");
        }
        System.err.println("SKIPPED (needs " + what + ")");
        Assumptions.abort("needs " + what);
    }
}
