package dev.traceflow.outbound;

/**
 * An outbound URL or address that {@link OutboundGuard} does not allow. The message explains it
 * to the person who entered the URL (callers answer 422 with it); it names at most the URL's host,
 * never its path, query or credentials, where webhook URLs often carry a token.
 */
public final class OutboundRefused extends RuntimeException {

    private final String reason;

    OutboundRefused(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * The reason in a few words, for delivery records and logs: {@code private address},
     * {@code loopback address}, {@code not http or https}, {@code host does not resolve}...
     */
    public String reason() {
        return reason;
    }
}
