package dev.traceflow.alerts;

/**
 * Keeps the outcome of delivery attempts (the incident history shows them). Optional: without a
 * bean of this type {@link AlertSender} only logs and counts.
 */
interface DeliveryRecorder {

    /**
     * Called on a delivery thread after every attempt, in attempt order for each delivery, and
     * exactly once with {@code last = true} for every delivery that {@link AlertSender#submit}
     * accepted. Should return quickly; an exception is logged and the delivery goes on.
     */
    void attempted(DeliveryAttempt attempt);
}
