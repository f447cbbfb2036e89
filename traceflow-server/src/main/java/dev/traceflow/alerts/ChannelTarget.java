package dev.traceflow.alerts;

import java.net.URI;
import java.util.List;

// PLACEHOLDER until the delivery branch (alertsend) merges: same signatures as agreed.
sealed interface ChannelTarget {
    record Webhook(URI url, String secret) implements ChannelTarget {
    }

    record Email(List<String> to) implements ChannelTarget {
    }
}
