package dev.traceflow.builds.internal.git;

import org.eclipse.jgit.api.errors.TransportException;

import java.util.Locale;

/**
 * What a failed git operation tells the user: JGit's transport errors read as "unreachable",
 * "refused the credential", "no repository here" or the guard's refusal, never with a credential or
 * a URL's user part in the words.
 */
final class GitFailures {

    private GitFailures() {
    }

    static ProbeResult failed(TransportException e, SshHostKeyCheck hostKeys) {
        if (hostKeys != null && hostKeys.refused()) {
            return new ProbeResult(true, false, null, 0, hostKeys.problem());
        }
        // the guard's refusal (of a redirect's target, say) lies in the causes, under JGit's "cannot open ..."
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("URL refused: ")) {
                String m = t.getMessage();
                return new ProbeResult(false, false, null, 0, m.substring(m.indexOf("URL refused: ")));
            }
        }
        String message = safe(e);
        String lower = statusText(message);
        if (lower.contains("not authorized") || lower.contains("authentication") || lower.contains("auth fail")
                || lower.contains("cannot log in") || lower.contains("no more authentication methods") || lower.contains("401")
                || lower.contains("403") || lower.contains("credentialsprovider")) {
            return new ProbeResult(true, false, null, 0, "the git server refused the credential (or wants one)");
        }
        int refused = message.toLowerCase(Locale.ROOT).lastIndexOf("refused:");
        if (lower.contains("refused:") && refused >= 0) {
            return new ProbeResult(false, false, null, 0, message.substring(refused));
        }
        if (lower.contains("not found") || lower.contains("404")) {
            return new ProbeResult(false, false, null, 0, "the git server has no repository at this URL");
        }
        return new ProbeResult(false, false, null, 0, "the git server could not be reached: " + message);
    }

    /**
     * A transport error's message, lower case, without the URLs JGit puts in it: the status words and
     * codes are read from what is left, so a port or a repository name holding "401" or "404" is never
     * taken for an answer (a random port 34017 made a missing repository look like a refused credential).
     */
    static String statusText(String message) {
        return message.replaceAll("[A-Za-z][A-Za-z0-9+.-]*://\\S*", "").toLowerCase(Locale.ROOT);
    }

    /** An exception's message without anything that could be a credential (JGit puts URLs into messages; ours hold none). */
    static String safe(Throwable e) {
        Throwable t = e;
        String message = null;
        while (t != null && message == null) {
            message = t.getMessage();
            t = t.getCause();
        }
        String m = message == null ? e.getClass().getSimpleName() : message;
        m = m.replaceAll("://[^/@\\s]+@", "://***@");
        return truncate(m, 300);
    }

    static String firstLine(String s) {
        if (s == null) {
            return null;
        }
        int nl = s.indexOf('\n');
        return truncate(nl < 0 ? s : s.substring(0, nl), 1000);
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
