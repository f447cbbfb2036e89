package dev.traceflow.alerts;

// PLACEHOLDER until the delivery branch (alertsend) merges: same signatures as agreed.
interface DeliveryRecorder {
    void attempted(DeliveryAttempt a);
}
