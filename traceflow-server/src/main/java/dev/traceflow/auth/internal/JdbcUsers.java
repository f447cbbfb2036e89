package dev.traceflow.auth.internal;

import dev.traceflow.auth.User;
import dev.traceflow.auth.UserDirectory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Users in the metadata database. Password hashes leave this class only through {@link #passwordHash}. */
@Component
class JdbcUsers implements UserDirectory {

    private static final String COLUMNS = "id, username, admin, enabled, created_at, last_login_at";

    private final JdbcClient jdbc;

    JdbcUsers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    static String normalize(String username) {
        return username == null ? null : username.strip().toLowerCase(Locale.ROOT);
    }

    @Override
    public Optional<User> find(String userId) {
        if (userId == null || userId.length() > 36) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE id = ?").param(userId).query(JdbcUsers::row).optional();
    }

    @Override
    public Optional<User> findByUsername(String username) {
        if (username == null || username.length() > 64) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE username = ?").param(normalize(username))
                .query(JdbcUsers::row).optional();
    }

    List<User> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users ORDER BY username").query(JdbcUsers::row).list();
    }

    boolean any() {
        return jdbc.sql("SELECT count(*) FROM users").query(Long.class).single() > 0;
    }

    /**
     * The enabled admins, counted after their rows are locked until the transaction ends: of two
     * admins demoting (or disabling, deleting) each other at once, the second waits for the first
     * to commit and then counts one admin left. Call inside a transaction.
     */
    long lockEnabledAdmins() {
        jdbc.sql("SELECT id FROM users WHERE admin AND enabled ORDER BY id FOR UPDATE").query(String.class).list();
        return enabledAdmins();
    }

    long enabledAdmins() {
        return jdbc.sql("SELECT count(*) FROM users WHERE admin AND enabled").query(Long.class).single();
    }

    Optional<String> passwordHash(String userId) {
        return jdbc.sql("SELECT password_hash FROM users WHERE id = ?").param(userId).query(String.class).optional();
    }

    /** The version access tokens must carry; empty when the user is gone or disabled. */
    Optional<Integer> tokenVersion(String userId) {
        return jdbc.sql("SELECT token_version FROM users WHERE id = ? AND enabled").param(userId).query(Integer.class).optional();
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the username is taken */
    User create(String username, String passwordHash, boolean admin) {
        String id = UUID.randomUUID().toString();
        OffsetDateTime now = now();
        jdbc.sql("INSERT INTO users (id, username, password_hash, admin, enabled, created_at, token_version) "
                        + "VALUES (?, ?, ?, ?, TRUE, ?, 0)")
                .params(id, normalize(username), passwordHash, admin, now).update();
        return find(id).orElseThrow();
    }

    /** Changing the role also ends access tokens that carry the old roles. */
    void setAdmin(String userId, boolean admin) {
        jdbc.sql("UPDATE users SET admin = ?, token_version = token_version + 1 WHERE id = ?").params(admin, userId).update();
    }

    /** Disabling also ends every access token already issued. */
    void setEnabled(String userId, boolean enabled) {
        jdbc.sql("UPDATE users SET enabled = ?, token_version = token_version + 1 WHERE id = ?").params(enabled, userId).update();
    }

    /** A new password ends every access token already issued. */
    void setPassword(String userId, String passwordHash) {
        jdbc.sql("UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE id = ?")
                .params(passwordHash, userId).update();
    }

    void touchLogin(String userId) {
        jdbc.sql("UPDATE users SET last_login_at = ? WHERE id = ?").params(now(), userId).update();
    }

    boolean delete(String userId) {
        return jdbc.sql("DELETE FROM users WHERE id = ?").param(userId).update() > 0;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static User row(ResultSet rs, int n) throws SQLException {
        OffsetDateTime last = rs.getObject("last_login_at", OffsetDateTime.class);
        return new User(rs.getString("id"), rs.getString("username"), rs.getBoolean("admin"), rs.getBoolean("enabled"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(), last == null ? null : last.toInstant());
    }
}
