package dev.traceflow.processing.internal;

import dev.traceflow.support.TestProperties;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterProcessorTest {

    private static Event error(String message) {
        return Events.of(EventType.ERROR)
                .details(new EventDetails.ErrorDetails(message, null, "Error", null, null, null, null)).build();
    }

    @Test
    void filter_dropsBotsAsBot() {
        Event bot = Events.of(EventType.PAGEVIEW).build();
        bot.bot(true);
        EventBatch batch = Events.batch(bot, Events.of(EventType.PAGEVIEW).build());
        new FilterProcessor(TestProperties.defaults()).process(batch);
        assertThat(batch.isLive(0)).isFalse();
        assertThat(batch.isLive(1)).isTrue();
        assertThat(batch.drops().getFirst().reason()).isEqualTo(DropReason.BOT);
    }

    @Test
    void filter_keepsBotsWhenDisabled() {
        Event bot = Events.of(EventType.PAGEVIEW).build();
        bot.bot(true);
        EventBatch batch = Events.batch(bot);
        new FilterProcessor(TestProperties.of(Map.of("traceflow.pipeline.drop-bots", "false"))).process(batch);
        assertThat(batch.liveCount()).isEqualTo(1);
    }

    @Test
    void filter_dropRuleOnMessageForErrorsOnly() {
        FilterProcessor filter = new FilterProcessor(TestProperties.of(Map.of(
                "traceflow.pipeline.drop-rules[0].type", "error",
                "traceflow.pipeline.drop-rules[0].field", "message",
                "traceflow.pipeline.drop-rules[0].pattern", "ResizeObserver loop")));
        EventBatch batch = Events.batch(error("ResizeObserver loop limit exceeded"), error("x is undefined"));
        filter.process(batch);
        assertThat(batch.isLive(0)).isFalse();
        assertThat(batch.isLive(1)).isTrue();
        assertThat(batch.drops().getFirst().reason()).isEqualTo(DropReason.FILTERED);
    }

    @Test
    void filter_dropRuleOnAProperty() {
        FilterProcessor filter = new FilterProcessor(TestProperties.of(Map.of(
                "traceflow.pipeline.drop-rules[0].field", "properties.env",
                "traceflow.pipeline.drop-rules[0].pattern", "^test$")));
        EventBatch batch = Events.batch(Events.of(EventType.EVENT).properties(Map.of("env", "test")).build(),
                Events.of(EventType.EVENT).properties(Map.of("env", "prod")).build());
        filter.process(batch);
        assertThat(batch.isLive(0)).isFalse();
        assertThat(batch.isLive(1)).isTrue();
    }

    @Test
    void filter_badRuleFailsAtStartNamingTheProblem() {
        assertThatThrownBy(() -> new FilterProcessor(TestProperties.of(Map.of(
                "traceflow.pipeline.drop-rules[0].field", "nope", "traceflow.pipeline.drop-rules[0].pattern", "x"))))
                .hasMessageContaining("drop rule field");
        assertThatThrownBy(() -> new FilterProcessor(TestProperties.of(Map.of(
                "traceflow.pipeline.drop-rules[0].field", "message", "traceflow.pipeline.drop-rules[0].pattern", "(unclosed"))))
                .hasMessageContaining("invalid pattern");
        assertThatThrownBy(() -> new FilterProcessor(TestProperties.of(Map.of(
                "traceflow.pipeline.drop-rules[0].type", "nope",
                "traceflow.pipeline.drop-rules[0].field", "message", "traceflow.pipeline.drop-rules[0].pattern", "x"))))
                .hasMessageContaining("unknown event type");
    }
}
