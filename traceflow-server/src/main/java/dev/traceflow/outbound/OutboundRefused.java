package dev.traceflow.outbound;

// PLACEHOLDER until the delivery branch (alertsend) merges.
public class OutboundRefused extends RuntimeException {
    public OutboundRefused(String message) {
        super(message);
    }
}
