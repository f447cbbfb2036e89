package dev.traceflow.realtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;

/**
 * Each app's topic rules in the metadata database, cached for a few seconds: every subscribe and
 * publish consults them. A change takes effect at once on this instance and within
 * {@link #CACHE} on the others (open connections are re-checked against them just as often).
 */
@Component
class JdbcTopicRules {

    static final Duration CACHE = Duration.ofSeconds(5);
    static final int MAX_RULES = 100;

    private final JdbcClient jdbc;
    private final Cache<String, TopicRuleSet> cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE).build();

    JdbcTopicRules(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    TopicRuleSet of(String appId) {
        return cache.get(appId, this::load);
    }

    private TopicRuleSet load(String appId) {
        List<TopicRule> rules = jdbc.sql("SELECT pattern, subscribe, publish, is_volatile FROM realtime_topic_rules "
                        + "WHERE app_id = ? ORDER BY position")
                .param(appId)
                .query((rs, n) -> new TopicRule(rs.getString("pattern"),
                        TopicAccess.parse(rs.getString("subscribe")).orElse(TopicAccess.SERVER),
                        TopicAccess.parse(rs.getString("publish")).orElse(TopicAccess.SERVER), rs.getBoolean("is_volatile")))
                .list();
        return rules.isEmpty() ? TopicRuleSet.DEFAULT : new TopicRuleSet(rules, false);
    }

    /** Replaces the app's rules (an empty list: back to the default). Call inside a transaction. */
    void replace(String appId, List<TopicRule> rules) {
        jdbc.sql("DELETE FROM realtime_topic_rules WHERE app_id = ?").param(appId).update();
        for (int i = 0; i < rules.size(); i++) {
            TopicRule r = rules.get(i);
            jdbc.sql("INSERT INTO realtime_topic_rules (app_id, position, pattern, subscribe, publish, is_volatile) VALUES (?, ?, ?, ?, ?, ?)")
                    .params(appId, i, r.pattern(), r.subscribe().wireName(), r.publish().wireName(), r.isVolatile()).update();
        }
        cache.invalidate(appId);
    }

    /** Forgets the cached rules of an app (after a change committed). */
    void forget(String appId) {
        cache.invalidate(appId);
    }
}
