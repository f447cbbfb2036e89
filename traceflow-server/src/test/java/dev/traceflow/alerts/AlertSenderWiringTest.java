package dev.traceflow.alerts;

import dev.traceflow.outbound.OutboundGuard;
import dev.traceflow.outbound.OutboundRefused;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The delivery parts as the server wires them, with the defaults: no SMTP, no allowed internal networks. */
class AlertSenderWiringTest extends ServerTest {

    @Autowired
    AlertSender sender;

    @Autowired
    OutboundGuard guard;

    @Test
    void byDefault_emailIsOff_andInternalAddressesAreRefused() {
        assertThat(sender.emailConfigured()).isFalse();
        // the tests' servers allow 127.0.0.1/32 (alert tests receive webhooks there), nothing else internal
        assertThatThrownBy(() -> guard.requireAllowed("http://127.0.0.2:" + port + "/hook")).isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> guard.requireAllowed("http://169.254.169.254/latest/meta-data")).isInstanceOf(OutboundRefused.class);
    }

    @Test
    void theDeliveryMetrics_areScraped() {
        TestHttp.Response r = http.get("/actuator/prometheus", bearer(METRICS_TOKEN));
        assertThat(r.body()).contains("traceflow_alerts_delivery_queue{", "traceflow_alerts_delivery_queue_capacity{",
                "traceflow_alerts_deliveries_total{", "outcome=\"queue_full\"", "type=\"email\"");
    }
}
