package dev.traceflow.alerts;

import java.time.Instant;
import java.util.List;

/**
 * A channel as stored.
 *
 * @param secretSealed a webhook's signing secret, sealed (see {@link dev.traceflow.auth.SecretSealer}); never answered
 * @param to           an e-mail channel's recipients; empty otherwise
 */
record AlertChannel(String id, String appId, ChannelType type, String name, String url, String secretSealed, List<String> to,
                    String topic, Instant createdAt, Instant updatedAt) {
}
