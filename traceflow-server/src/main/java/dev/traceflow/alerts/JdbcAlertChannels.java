package dev.traceflow.alerts;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.traceflow.alerts.JdbcAlertRules.instant;
import static dev.traceflow.alerts.JdbcAlertRules.time;

/** Alert channels in the metadata database. Recipients are kept comma-separated (addresses have no commas once validated). */
@Component
class JdbcAlertChannels {

    private static final String COLUMNS = "id, app_id, type, name, url, secret_sealed, email_to, topic, created_at, updated_at";

    private final JdbcClient jdbc;

    JdbcAlertChannels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(AlertChannel c) {
        jdbc.sql("INSERT INTO alert_channels (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(c.id(), c.appId(), c.type().wireName(), c.name(), c.url(), c.secretSealed(),
                        c.to().isEmpty() ? null : String.join(",", c.to()), c.topic(), time(c.createdAt()), time(c.updatedAt()))
                .update();
    }

    Optional<AlertChannel> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM alert_channels WHERE id = ?").param(id).query(JdbcAlertChannels::row).optional();
    }

    List<AlertChannel> ofApp(String appId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM alert_channels WHERE app_id = ? ORDER BY created_at, id").param(appId)
                .query(JdbcAlertChannels::row).list();
    }

    long countOfApp(String appId) {
        return jdbc.sql("SELECT count(*) FROM alert_channels WHERE app_id = ?").param(appId).query(Long.class).single();
    }

    boolean delete(String id) {
        return jdbc.sql("DELETE FROM alert_channels WHERE id = ?").param(id).update() == 1;
    }

    private static AlertChannel row(ResultSet rs, int n) throws SQLException {
        String to = rs.getString("email_to");
        return new AlertChannel(rs.getString("id"), rs.getString("app_id"), ChannelType.fromWireName(rs.getString("type")),
                rs.getString("name"), rs.getString("url"), rs.getString("secret_sealed"),
                to == null ? List.of() : Arrays.asList(to.split(",")), rs.getString("topic"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }
}
