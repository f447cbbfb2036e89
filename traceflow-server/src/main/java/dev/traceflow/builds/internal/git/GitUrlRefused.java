package dev.traceflow.builds.internal.git;

import dev.traceflow.outbound.OutboundRefused;

/** A git URL the guard refuses; the message is a sentence for the person who entered it. */
public final class GitUrlRefused extends RuntimeException {

    private final String reason;

    GitUrlRefused(String reason, String message) {
        super("URL refused: " + message, null, false, false);
        this.reason = reason;
    }

    static GitUrlRefused of(OutboundRefused e) {
        return new GitUrlRefused(e.reason(), e.getMessage().replaceFirst("^URL refused: ", ""));
    }

    /** The reason in a few words, for logs and metrics. */
    public String reason() {
        return reason;
    }
}
