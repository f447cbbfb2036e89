package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AlertRuleMixTest {

    @Test
    void shared_asksEveryMetricWindowAndFilterCombination_eachByAboutEightRules() {
        List<AlertRuleMix.Rule> rules = AlertRuleMix.shared(1_000);

        assertThat(rules).hasSize(1_000);
        assertThat(AlertRuleMix.distinctQuestions(rules)).isEqualTo(120).isEqualTo(AlertRuleMix.SHARED_QUESTIONS);
        assertThat(rules).extracting(AlertRuleMix.Rule::metric).containsAll(AlertRuleMix.METRICS);
        assertThat(rules).extracting(AlertRuleMix.Rule::window).containsAll(AlertRuleMix.WINDOWS);
        assertThat(rules).extracting(AlertRuleMix.Rule::filters).containsAll(AlertRuleMix.FILTERS);
        // rules on one question differ in threshold (or comparison), as warn and page rules do
        assertThat(rules.stream().filter(r -> r.question().equals(rules.getFirst().question()))
                .map(r -> r.comparison() + r.threshold()).distinct().count()).isGreaterThan(1);
    }

    @Test
    void unshared_givesEveryRuleAQuestionOfItsOwn() {
        List<AlertRuleMix.Rule> rules = AlertRuleMix.unshared(1_000);

        assertThat(AlertRuleMix.distinctQuestions(rules)).isEqualTo(1_000);
        assertThat(rules.getFirst().window()).isEqualTo("PT1M");
        assertThat(rules.getLast().window()).isEqualTo("PT16H40M");
    }

    @Test
    void json_isAThresholdRuleBodyWithoutChannels_minSamplesOnlyForSampledMetrics() {
        AlertRuleMix.Rule rate = new AlertRuleMix.Rule("error_rate", "PT5M", Map.of("deviceType", "mobile"), "gt", 0.05, 20L);
        AlertRuleMix.Rule count = new AlertRuleMix.Rule("error_count", "P1D", Map.of(), "gt", 10, null);

        JsonNode r = JsonMapper.shared().readTree(rate.json("shop-1", "r1"));
        JsonNode c = JsonMapper.shared().readTree(count.json("shop-1", "r2"));

        assertThat(r.path("kind").asString()).isEqualTo("threshold");
        assertThat(r.path("appId").asString()).isEqualTo("shop-1");
        assertThat(r.path("filters").path("deviceType").asString()).isEqualTo("mobile");
        assertThat(r.path("threshold").asDouble()).isEqualTo(0.05);
        assertThat(r.path("minSamples").asLong()).isEqualTo(20);
        assertThat(r.path("channelIds").isArray()).isTrue();
        assertThat(r.path("channelIds").size()).isZero();
        assertThat(c.has("minSamples")).isFalse();
        assertThat(c.has("filters")).isFalse();
        assertThat(AlertRuleMix.shared(1_000)).allMatch(rule -> (rule.minSamples() != null)
                == (rule.metric().endsWith("_p75") || rule.metric().endsWith("_rate")));
    }
}
