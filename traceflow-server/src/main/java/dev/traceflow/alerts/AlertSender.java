package dev.traceflow.alerts;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.time.Clock;

// PLACEHOLDER until the delivery branch (alertsend) merges: records every message as not sent.
@Component
class AlertSender {
    private final ObjectProvider<DeliveryRecorder> recorder;
    private final Clock clock;

    AlertSender(ObjectProvider<DeliveryRecorder> recorder, Clock clock) {
        this.recorder = recorder;
        this.clock = clock;
    }

    boolean submit(AlertMessage m) {
        recorder.ifAvailable(r -> r.attempted(new DeliveryAttempt(m.deliveryId(), 1, clock.instant(), false, true, "not sent: placeholder")));
        return true;
    }

    boolean emailConfigured() {
        return false;
    }
}
