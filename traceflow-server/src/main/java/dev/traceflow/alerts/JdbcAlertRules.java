package dev.traceflow.alerts;

import dev.traceflow.core.query.Filters;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** Alert rules in the metadata database (H2 or PostgreSQL). */
@Component
class JdbcAlertRules {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String COLUMNS = "id, app_id, name, kind, filters, metric, window_seconds, comparison, threshold, "
            + "for_seconds, min_samples, interval_seconds, cooldown_seconds, anomaly_factor, anomaly_weeks, channel_ids, enabled, "
            + "created_at, updated_at, state, state_since, next_evaluation_at, last_evaluated_at, last_value, last_error, "
            + "last_resolved_at";

    private final JdbcClient jdbc;

    JdbcAlertRules(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(AlertRule r) {
        AlertRule.Evaluation e = r.evaluation();
        jdbc.sql("INSERT INTO alert_rules (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(r.id(), r.appId(), r.name(), r.kind().wireName(), JSON.writeValueAsString(r.filters()), r.metric(),
                        seconds(r.window()), r.comparison() == null ? null : r.comparison().wireName(), r.threshold(),
                        seconds(r.forDuration()), r.minSamples(), seconds(r.interval()), seconds(r.cooldown()), r.anomalyFactor(),
                        r.anomalyWeeks(), JSON.writeValueAsString(r.channelIds()), r.enabled(), time(r.createdAt()),
                        time(r.updatedAt()), e.state().wireName(), time(e.stateSince()), time(e.nextAt()),
                        time(e.lastEvaluatedAt()), e.lastValue(), e.lastError(), time(e.lastResolvedAt()))
                .update();
    }

    /** Replaces the definition; a changed definition starts its evaluation afresh (state ok, due at once). */
    boolean updateDefinition(AlertRule r) {
        AlertRule.Evaluation e = r.evaluation();
        return jdbc.sql("""
                        UPDATE alert_rules SET name = ?, kind = ?, filters = ?, metric = ?, window_seconds = ?, comparison = ?,
                            threshold = ?, for_seconds = ?, min_samples = ?, interval_seconds = ?, cooldown_seconds = ?,
                            anomaly_factor = ?, anomaly_weeks = ?, channel_ids = ?, enabled = ?, updated_at = ?, state = ?,
                            state_since = ?, next_evaluation_at = ?, last_error = NULL
                        WHERE id = ?""")
                .params(r.name(), r.kind().wireName(), JSON.writeValueAsString(r.filters()), r.metric(), seconds(r.window()),
                        r.comparison() == null ? null : r.comparison().wireName(), r.threshold(), seconds(r.forDuration()),
                        r.minSamples(), seconds(r.interval()), seconds(r.cooldown()), r.anomalyFactor(), r.anomalyWeeks(),
                        JSON.writeValueAsString(r.channelIds()), r.enabled(), time(r.updatedAt()), e.state().wireName(),
                        time(e.stateSince()), time(e.nextAt()), r.id())
                .update() == 1;
    }

    boolean delete(String id) {
        return jdbc.sql("DELETE FROM alert_rules WHERE id = ?").param(id).update() == 1;
    }

    Optional<AlertRule> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM alert_rules WHERE id = ?").param(id).query(JdbcAlertRules::row).optional();
    }

    /** Locks the rule's row until the transaction ends: its incidents change one at a time. */
    Optional<AlertRule> lock(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM alert_rules WHERE id = ? FOR UPDATE").param(id).query(JdbcAlertRules::row)
                .optional();
    }

    List<AlertRule> ofApp(String appId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM alert_rules WHERE app_id = ? ORDER BY created_at, id").param(appId)
                .query(JdbcAlertRules::row).list();
    }

    /** Enabled rules of the given kinds of an app: what a stored error-group change is matched against. */
    List<AlertRule> enabledOfKind(String appId, AlertKind kind) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM alert_rules WHERE app_id = ? AND kind = ? AND enabled = TRUE ORDER BY id")
                .params(appId, kind.wireName()).query(JdbcAlertRules::row).list();
    }

    long countOfApp(String appId) {
        return jdbc.sql("SELECT count(*) FROM alert_rules WHERE app_id = ?").param(appId).query(Long.class).single();
    }

    /** Enabled scheduled rules due at {@code now}, the longest overdue first. */
    List<AlertRule> due(Instant now, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM alert_rules WHERE enabled = TRUE AND next_evaluation_at <= ? "
                        + "AND kind IN ('threshold', 'anomaly') ORDER BY next_evaluation_at, id LIMIT ?")
                .params(time(now), limit).query(JdbcAlertRules::row).list();
    }

    /**
     * Takes a due rule for this round by moving its next evaluation from {@code expected} to
     * {@code next}; false when another server (or round) took it first.
     */
    boolean claim(String id, Instant expected, Instant next) {
        return jdbc.sql("UPDATE alert_rules SET next_evaluation_at = ? WHERE id = ? AND next_evaluation_at = ?")
                .params(time(next), id, time(expected)).update() == 1;
    }

    void saveEvaluation(String id, AlertRule.Evaluation e) {
        jdbc.sql("""
                        UPDATE alert_rules SET state = ?, state_since = ?, last_evaluated_at = ?, last_value = ?, last_error = ?,
                            last_resolved_at = ?
                        WHERE id = ?""")
                .params(e.state().wireName(), time(e.stateSince()), time(e.lastEvaluatedAt()), e.lastValue(), e.lastError(),
                        time(e.lastResolvedAt()), id)
                .update();
    }

    private static AlertRule row(ResultSet rs, int n) throws SQLException {
        String comparison = rs.getString("comparison");
        return new AlertRule(rs.getString("id"), rs.getString("app_id"), rs.getString("name"),
                AlertKind.fromWireName(rs.getString("kind")), JSON.readValue(rs.getString("filters"), Filters.class),
                rs.getString("metric"), duration(rs, "window_seconds"), comparison == null ? null : Comparison.fromWireName(comparison),
                (Double) rs.getObject("threshold", Double.class), duration(rs, "for_seconds"), rs.getLong("min_samples"),
                duration(rs, "interval_seconds"), duration(rs, "cooldown_seconds"), rs.getObject("anomaly_factor", Double.class),
                rs.getObject("anomaly_weeks", Integer.class),
                JSON.readValue(rs.getString("channel_ids"), new TypeReference<List<String>>() {
                }), rs.getBoolean("enabled"), instant(rs, "created_at"), instant(rs, "updated_at"),
                new AlertRule.Evaluation(RuleState.fromWireName(rs.getString("state")), instant(rs, "state_since"),
                        instant(rs, "next_evaluation_at"), instant(rs, "last_evaluated_at"), rs.getObject("last_value", Double.class),
                        rs.getString("last_error"), instant(rs, "last_resolved_at")));
    }

    private static Duration duration(ResultSet rs, String column) throws SQLException {
        Long s = rs.getObject(column, Long.class);
        return s == null ? null : Duration.ofSeconds(s);
    }

    static Long seconds(Duration d) {
        return d == null ? null : d.toSeconds();
    }

    static OffsetDateTime time(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
