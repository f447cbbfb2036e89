package dev.traceflow.alerts;

import java.time.Instant;

/**
 * What became of one attempt of a delivery, as {@link AlertSender} reports it to the
 * {@link DeliveryRecorder}.
 *
 * @param deliveryId the delivery's id
 * @param attempt    1 for the first attempt; when the server stops before a due attempt is made,
 *                   that attempt's number, with {@code detail} saying it was not made
 * @param at         when the attempt started (for a webhook, the signature's {@code t})
 * @param delivered  the receiver accepted it (HTTP 2xx, or the SMTP server took the message)
 * @param last       no further attempt follows: delivered, failed for good, out of attempts, or given up
 *                   at shutdown
 * @param detail     a few words, never a secret: {@code HTTP 204}, {@code HTTP 500}, {@code timeout after 10 s},
 *                   {@code refused: private address}, {@code SMTP 550 ...}
 */
record DeliveryAttempt(String deliveryId, int attempt, Instant at, boolean delivered, boolean last, String detail) {
}
