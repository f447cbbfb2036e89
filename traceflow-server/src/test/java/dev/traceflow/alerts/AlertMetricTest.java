package dev.traceflow.alerts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class AlertMetricTest {

    @Test
    void parsesEveryForm() {
        assertThat(AlertMetric.parse("page_views").source()).isEqualTo(AlertMetric.Source.ENGINE);
        assertThat(AlertMetric.parse("bounce_rate").sampled()).isTrue();
        assertThat(AlertMetric.parse("conversions").sampled()).isFalse();
        assertThat(AlertMetric.parse("error_rate").sampled()).isTrue();
        assertThat(AlertMetric.parse("error_count").sampled()).isFalse();
        AlertMetric lcp = AlertMetric.parse("lcp_p75");
        assertThat(lcp.source()).isEqualTo(AlertMetric.Source.VITAL_P75);
        assertThat(lcp.argument()).isEqualTo("LCP");
        assertThat(AlertMetric.parse("event_count:checkout started").argument()).isEqualTo("checkout started");
        assertThat(AlertMetric.parse("ingest_dropped").argument()).isNull();
        assertThat(AlertMetric.parse("ingest_dropped:rate_limited").argument()).isEqualTo("rate_limited");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "pageviews", "LCP_p75", "lcp_p95", "xyz_p75", "event_count:", "event_count:a\nb",
            "ingest_dropped:nope", "error_count ", "ingest_dropped:"})
    void refusesWhatIsNotAMetric(String name) {
        assertThat(AlertMetric.parse(name)).isNull();
    }

    @Test
    void theAcceptedListNamesEachForm() {
        assertThat(AlertMetric.accepted()).contains("page_views", "error_rate", "inp_p75", "event_count:<event name>",
                "ingest_dropped:<reason>");
    }
}
