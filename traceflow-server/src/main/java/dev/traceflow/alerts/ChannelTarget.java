package dev.traceflow.alerts;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/** Where one alert channel delivers: what {@link AlertSender} needs of a channel, its secret unsealed. */
sealed interface ChannelTarget {

    /** The metrics tag and log word for the kind of channel: {@code webhook} or {@code email}. */
    String type();

    /**
     * @param url    as {@code OutboundGuard.requireAllowed} returned it when the channel was saved
     *               (checked again before every attempt)
     * @param secret the HMAC key of {@code X-TraceFlow-Signature}; never logged or recorded
     */
    record Webhook(URI url, String secret) implements ChannelTarget {

        public Webhook {
            Objects.requireNonNull(url, "url");
            // what requireAllowed returns always has these; anything else is a caller's mistake
            if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw new IllegalArgumentException("a webhook URL is http(s) with a host, as OutboundGuard.requireAllowed returns it");
            }
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("a webhook needs a signing secret");
            }
        }

        @Override
        public String type() {
            return "webhook";
        }

        /** The host only: webhook paths often hold a token, and the secret is one. */
        @Override
        public String toString() {
            return "Webhook[" + url.getHost() + "]";
        }
    }

    /** @param to recipient addresses, at least one */
    record Email(List<String> to) implements ChannelTarget {

        public Email {
            to = List.copyOf(to);
            if (to.isEmpty()) {
                throw new IllegalArgumentException("an e-mail channel needs at least one recipient");
            }
        }

        @Override
        public String type() {
            return "email";
        }
    }
}
