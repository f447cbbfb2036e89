package dev.traceflow.builds.internal.git;

/**
 * The answer of a connectivity test.
 *
 * @param reachable     the server answered as a git server
 * @param authenticated it accepted the credential (or wanted none)
 * @param defaultBranch the branch HEAD names, or null when not found
 * @param refs          how many refs it advertised
 * @param problem       why the test failed, in a sentence without secrets; null when it passed
 */
public record ProbeResult(boolean reachable, boolean authenticated, String defaultBranch, int refs, String problem) {

    public boolean ok() {
        return reachable && authenticated && defaultBranch != null;
    }
}
