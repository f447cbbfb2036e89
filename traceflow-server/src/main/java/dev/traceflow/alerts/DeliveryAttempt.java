package dev.traceflow.alerts;

import java.time.Instant;

// PLACEHOLDER until the delivery branch (alertsend) merges: same signatures as agreed.
record DeliveryAttempt(String deliveryId, int attempt, Instant at, boolean delivered, boolean last, String detail) {
}
