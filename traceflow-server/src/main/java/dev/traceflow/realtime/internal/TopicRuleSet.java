package dev.traceflow.realtime.internal;

import dev.traceflow.realtime.internal.broker.TopicNames;

import java.util.List;

/** An app's topic rules in order; the first that matches a topic decides, and a topic no rule matches is closed to clients (a server key reaches every topic). */
record TopicRuleSet(List<TopicRule> rules, boolean isDefault) {

    static final TopicRuleSet DEFAULT = new TopicRuleSet(List.of(TopicRule.DEFAULT), true);

    TopicRuleSet {
        rules = List.copyOf(rules);
    }

    boolean maySubscribe(TopicAccess who, String topic) {
        TopicRule rule = ruleFor(topic);
        return who == TopicAccess.SERVER || rule != null && who.reaches(rule.subscribe());
    }

    /** Never on a topic the server keeps for itself ({@link TopicNames#reserved}), whatever the rules say. */
    boolean mayPublish(TopicAccess who, String topic) {
        if (TopicNames.reserved(topic)) {
            return false;
        }
        TopicRule rule = ruleFor(topic);
        return who == TopicAccess.SERVER || rule != null && who.reaches(rule.publish());
    }

    boolean isVolatile(String topic) {
        TopicRule rule = ruleFor(topic);
        return rule != null && rule.isVolatile();
    }

    private TopicRule ruleFor(String topic) {
        for (TopicRule rule : rules) {
            if (rule.matches(topic)) {
                return rule;
            }
        }
        return null;
    }
}
