package dev.traceflow.alerts;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One notification to send to one channel: a delivery. Webhooks get {@code jsonBody}; e-mail gets
 * {@code subject} and {@code textBody}.
 *
 * @param deliveryId identifies the delivery across its retries: sent as {@code X-TraceFlow-Delivery}
 *                   so receivers can drop repeats; 1-128 characters of {@code A-Za-z0-9._:-}
 * @param channelId  the channel it goes to (for logs and records)
 * @param target     where and how
 * @param subject    the e-mail subject (line breaks become spaces)
 * @param jsonBody   the webhook body, sent byte for byte as signed; at most {@link #MAX_BODY_CHARS}
 * @param textBody   the plain-text e-mail body; at most {@link #MAX_BODY_CHARS}
 */
record AlertMessage(String deliveryId, String channelId, ChannelTarget target, String subject, String jsonBody,
                    String textBody) {

    static final int MAX_BODY_CHARS = 256 * 1024;

    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    AlertMessage {
        Objects.requireNonNull(deliveryId, "deliveryId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(jsonBody, "jsonBody");
        Objects.requireNonNull(textBody, "textBody");
        // it goes into a request header: nothing that could end the header or start another
        if (!DELIVERY_ID.matcher(deliveryId).matches()) {
            throw new IllegalArgumentException("deliveryId must be 1-128 characters of A-Za-z0-9._:-");
        }
        if (jsonBody.length() > MAX_BODY_CHARS || textBody.length() > MAX_BODY_CHARS) {
            throw new IllegalArgumentException("an alert body may have at most " + MAX_BODY_CHARS + " characters");
        }
    }

    /** Without the bodies (long) and the target's secret. */
    @Override
    public String toString() {
        return "AlertMessage[deliveryId=" + deliveryId + ", channelId=" + channelId + ", target=" + target + "]";
    }
}
