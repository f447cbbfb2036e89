package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import static dev.traceflow.builds.internal.Rows.instant;
import static dev.traceflow.builds.internal.Rows.time;

/** Credentials in the metadata database. */
@Component
class JdbcCredentials {

    private static final String COLUMNS = "id, name, type, username, secret_sealed, scope, created_at, rotated_at";

    private final JdbcClient jdbc;

    JdbcCredentials(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Credential c) {
        jdbc.sql("INSERT INTO build_credentials (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(c.id(), c.name(), c.type(), c.username(), c.secretSealed(), c.scope(), time(c.createdAt()), time(c.rotatedAt()))
                .update();
    }

    void update(Credential c) {
        jdbc.sql("UPDATE build_credentials SET name = ?, username = ?, secret_sealed = ?, scope = ?, rotated_at = ? WHERE id = ?")
                .params(c.name(), c.username(), c.secretSealed(), c.scope(), time(c.rotatedAt()), c.id()).update();
    }

    Optional<Credential> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_credentials WHERE id = ?").param(id).query(JdbcCredentials::row).optional();
    }

    boolean nameTaken(String name, String exceptId) {
        return jdbc.sql("SELECT count(*) FROM build_credentials WHERE name = ? AND id <> ?").params(name, exceptId == null ? "" : exceptId)
                .query(Long.class).single() > 0;
    }

    List<Credential> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_credentials ORDER BY name").query(JdbcCredentials::row).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM build_credentials").query(Long.class).single();
    }

    boolean inUse(String id) {
        return jdbc.sql("SELECT count(*) FROM git_sources WHERE credential_id = ?").param(id).query(Long.class).single() > 0;
    }

    boolean delete(String id) {
        return jdbc.sql("DELETE FROM build_credentials WHERE id = ?").param(id).update() == 1;
    }

    private static Credential row(ResultSet rs, int n) throws SQLException {
        return new Credential(rs.getString("id"), rs.getString("name"), rs.getString("type"), rs.getString("username"),
                rs.getString("secret_sealed"), rs.getString("scope"), instant(rs, "created_at"), instant(rs, "rotated_at"));
    }
}
