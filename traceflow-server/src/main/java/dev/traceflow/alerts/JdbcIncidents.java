package dev.traceflow.alerts;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.traceflow.alerts.JdbcAlertRules.instant;
import static dev.traceflow.alerts.JdbcAlertRules.time;

/** Incidents, their deliveries and silences in the metadata database. */
@Component
class JdbcIncidents {

    private static final String INCIDENT = "id, rule_id, app_id, subject, title, state, started_at, resolved_at, measured, acked_at, acked_by";
    private static final String DELIVERY = "id, incident_id, channel_id, channel_type, event, status, attempts, detail, created_at, "
            + "last_attempt_at";

    private final JdbcClient jdbc;

    JdbcIncidents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Incident i) {
        jdbc.sql("INSERT INTO alert_incidents (" + INCIDENT + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(i.id(), i.ruleId(), i.appId(), i.subject(), i.title(), i.state(), time(i.startedAt()), time(i.resolvedAt()),
                        i.value(), time(i.ackedAt()), i.ackedBy())
                .update();
    }

    /** The rule's incident that has not resolved, for one subject (null: a scheduled rule's). */
    Optional<Incident> open(String ruleId, String subject) {
        String sql = "SELECT " + INCIDENT + " FROM alert_incidents WHERE rule_id = ? AND state = 'firing' AND "
                + (subject == null ? "subject IS NULL" : "subject = ?");
        var spec = jdbc.sql(sql).param(ruleId);
        if (subject != null) {
            spec = spec.param(subject);
        }
        return spec.query(JdbcIncidents::incident).optional();
    }

    /** Open incidents of an app's rules about one subject (an error group), any rule. */
    List<Incident> openAbout(String appId, String subject) {
        return jdbc.sql("SELECT " + INCIDENT + " FROM alert_incidents WHERE app_id = ? AND subject = ? AND state = 'firing' ORDER BY id")
                .params(appId, subject).query(JdbcIncidents::incident).list();
    }

    void resolve(String id, Instant at) {
        jdbc.sql("UPDATE alert_incidents SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'firing'")
                .params(time(at), id).update();
    }

    Optional<Incident> find(String id) {
        return jdbc.sql("SELECT " + INCIDENT + " FROM alert_incidents WHERE id = ?").param(id).query(JdbcIncidents::incident).optional();
    }

    boolean ack(String id, String userId, Instant at) {
        return jdbc.sql("UPDATE alert_incidents SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL")
                .params(time(at), userId, id).update() == 1;
    }

    /**
     * An app's incidents, the latest started first, after a position ({@code startedAt}, id) of
     * an earlier page; optionally of one state or one rule.
     */
    List<Incident> page(String appId, String state, String ruleId, Instant beforeStarted, String beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + INCIDENT + " FROM alert_incidents WHERE app_id = ?");
        List<Object> params = new ArrayList<>(List.of(appId));
        if (state != null) {
            sql.append(" AND state = ?");
            params.add(state);
        }
        if (ruleId != null) {
            sql.append(" AND rule_id = ?");
            params.add(ruleId);
        }
        if (beforeStarted != null) {
            sql.append(" AND (started_at < ? OR (started_at = ? AND id < ?))");
            params.add(time(beforeStarted));
            params.add(time(beforeStarted));
            params.add(beforeId);
        }
        sql.append(" ORDER BY started_at DESC, id DESC LIMIT ?");
        params.add(limit);
        return jdbc.sql(sql.toString()).params(params).query(JdbcIncidents::incident).list();
    }

    void insert(Delivery d) {
        jdbc.sql("INSERT INTO alert_deliveries (" + DELIVERY + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(d.id(), d.incidentId(), d.channelId(), d.channelType(), d.event(), d.status(), d.attempts(), d.detail(),
                        time(d.createdAt()), time(d.lastAttemptAt()))
                .update();
    }

    /** Records an attempt; a delivery that is already final stays as it is. */
    void attempted(String deliveryId, int attempt, String status, String detail, Instant at) {
        jdbc.sql("UPDATE alert_deliveries SET attempts = ?, status = ?, detail = ?, last_attempt_at = ? "
                        + "WHERE id = ? AND status = 'pending'")
                .params(attempt, status, detail, time(at), deliveryId).update();
    }

    /** Deliveries of the given incidents, by incident id, in the order they were made. */
    Map<String, List<Delivery>> deliveriesOf(List<String> incidentIds) {
        Map<String, List<Delivery>> out = new LinkedHashMap<>();
        if (incidentIds.isEmpty()) {
            return out;
        }
        String marks = String.join(", ", incidentIds.stream().map(i -> "?").toList());
        jdbc.sql("SELECT " + DELIVERY + " FROM alert_deliveries WHERE incident_id IN (" + marks + ") ORDER BY created_at, id")
                .params(new ArrayList<Object>(incidentIds)).query(JdbcIncidents::delivery).list()
                .forEach(d -> out.computeIfAbsent(d.incidentId(), k -> new ArrayList<>()).add(d));
        return out;
    }

    // silences

    record Silence(String id, String appId, String ruleId, String reason, Instant startsAt, Instant endsAt, String createdBy,
                   Instant createdAt) {
    }

    void insert(Silence s) {
        jdbc.sql("INSERT INTO alert_silences (id, app_id, rule_id, reason, starts_at, ends_at, created_by, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(s.id(), s.appId(), s.ruleId(), s.reason(), time(s.startsAt()), time(s.endsAt()), s.createdBy(),
                        time(s.createdAt()))
                .update();
    }

    /** Whether a silence covers the rule at the time (one of the rule's own, or one of its whole app). */
    boolean silenced(String appId, String ruleId, Instant at) {
        return jdbc.sql("SELECT count(*) FROM alert_silences WHERE app_id = ? AND (rule_id IS NULL OR rule_id = ?) "
                        + "AND starts_at <= ? AND ends_at > ?")
                .params(appId, ruleId, time(at), time(at)).query(Long.class).single() > 0;
    }

    /** An app's silences that have not ended at {@code now}, the latest ending first. */
    List<Silence> silences(String appId, Instant now) {
        return jdbc.sql("SELECT id, app_id, rule_id, reason, starts_at, ends_at, created_by, created_at FROM alert_silences "
                        + "WHERE app_id = ? AND ends_at > ? ORDER BY ends_at DESC, id")
                .params(appId, time(now)).query(JdbcIncidents::silence).list();
    }

    Optional<Silence> silence(String id) {
        return jdbc.sql("SELECT id, app_id, rule_id, reason, starts_at, ends_at, created_by, created_at FROM alert_silences WHERE id = ?")
                .param(id).query(JdbcIncidents::silence).optional();
    }

    boolean deleteSilence(String id) {
        return jdbc.sql("DELETE FROM alert_silences WHERE id = ?").param(id).update() == 1;
    }

    private static Incident incident(ResultSet rs, int n) throws SQLException {
        return new Incident(rs.getString("id"), rs.getString("rule_id"), rs.getString("app_id"), rs.getString("subject"),
                rs.getString("title"), rs.getString("state"), instant(rs, "started_at"), instant(rs, "resolved_at"),
                rs.getObject("measured", Double.class), instant(rs, "acked_at"), rs.getString("acked_by"));
    }

    private static Delivery delivery(ResultSet rs, int n) throws SQLException {
        return new Delivery(rs.getString("id"), rs.getString("incident_id"), rs.getString("channel_id"), rs.getString("channel_type"),
                rs.getString("event"), rs.getString("status"), rs.getInt("attempts"), rs.getString("detail"),
                instant(rs, "created_at"), instant(rs, "last_attempt_at"));
    }

    private static Silence silence(ResultSet rs, int n) throws SQLException {
        return new Silence(rs.getString("id"), rs.getString("app_id"), rs.getString("rule_id"), rs.getString("reason"),
                instant(rs, "starts_at"), instant(rs, "ends_at"), rs.getString("created_by"), instant(rs, "created_at"));
    }
}
