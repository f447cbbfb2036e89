package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String SCRAPE = """
            # HELP traceflow_alerts_round_seconds One scheduler round over the due rules
            # TYPE traceflow_alerts_round_seconds summary
            traceflow_alerts_round_seconds_count{application="traceflow"} 12
            traceflow_alerts_round_seconds_sum{application="traceflow"} 3.25
            traceflow_alerts_round_seconds_max{application="traceflow"} 0.5
            traceflow_alerts_deliveries_total{outcome="delivered",type="webhook"} 4.0
            traceflow_alerts_deliveries_total{outcome="failed",type="webhook",note="a } in \\"quotes\\""} 1.0
            traceflow_alerts_evaluations_total 1000.0 1733330000000
            traceflow_alerts_evaluations_total_extra 7
            traceflow_jvm_gc_pause NaN
            """;

    @Test
    void sum_addsEverySeriesOfTheMetric_whateverItsLabels() {
        assertThat(PrometheusText.sum(SCRAPE, "traceflow_alerts_deliveries_total")).isEqualTo(5.0);
        assertThat(PrometheusText.sum(SCRAPE, "traceflow_alerts_round_seconds_sum")).isEqualTo(3.25);
    }

    @Test
    void sum_readsSamplesWithoutLabelsOrWithATimestamp_andNotLongerNames() {
        assertThat(PrometheusText.sum(SCRAPE, "traceflow_alerts_evaluations_total")).isEqualTo(1000.0);
        assertThat(PrometheusText.sum(SCRAPE, "traceflow_alerts_round_seconds")).isZero();
    }

    @Test
    void sum_isZeroForAMetricNotRegisteredYet_orNaN() {
        assertThat(PrometheusText.sum(SCRAPE, "traceflow_alerts_incidents_total")).isZero();
        assertThat(PrometheusText.sum(SCRAPE, "traceflow_jvm_gc_pause")).isZero();
    }
}
