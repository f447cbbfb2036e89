package dev.traceflow.alerts;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Alert settings ({@code traceflow.alerts.*}, e.g. {@code TRACEFLOW_ALERTS_TICK}).
 *
 * @param tick            how often the scheduler looks for due rules; zero turns scheduled evaluation off
 *                        (tests drive the engine by hand)
 * @param maxRulesPerApp  a bound on what one app can make the scheduler do
 * @param maxChannelsPerApp likewise for channels
 * @param eventQueue      error-group changes waiting to be matched against event-driven rules;
 *                        beyond it they are dropped and counted (the loader is never held up)
 * @param roundBatch      due rules read per query of a round
 */
@ConfigurationProperties("traceflow.alerts")
record AlertProperties(@DefaultValue("5s") Duration tick,
                       @DefaultValue("2000") int maxRulesPerApp,
                       @DefaultValue("100") int maxChannelsPerApp,
                       @DefaultValue("10000") int eventQueue,
                       @DefaultValue("200") int roundBatch) {
}
