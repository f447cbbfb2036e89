package dev.traceflow.errors;

import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.storage.EventsStored.ErrorGroupSeen;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Error groups in the metadata database (H2 or PostgreSQL). Writes lock the group's row
 * ({@code SELECT ... FOR UPDATE}), so an event's update and a person's status change never
 * overwrite each other, and the loads' updates may come from more than one thread or server: a
 * group inserted by someone else meanwhile makes the whole update run again, now as an update.
 */
@Component
class JdbcErrorGroups {

    static final int MAX_TYPE_LENGTH = 200;
    static final int MAX_MESSAGE_LENGTH = 1000;
    static final int MAX_FINGERPRINT_LENGTH = 128;

    private static final String COLUMNS = "id, app_id, fingerprint, status, error_type, message, first_seen, last_seen, "
            + "times_seen, regressions, last_regressed_at, status_changed_at";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    JdbcErrorGroups(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** What one load changed: groups created and groups reopened, as they are after the change. */
    record Changes(List<ErrorGroup> created, List<ErrorGroup> regressed) {
    }

    /**
     * Adds one load's events of an app to its groups, in one transaction: new fingerprints become
     * unresolved groups; known ones get their first / last seen widened, their count raised, type
     * and message from the latest event when it is the group's latest, and a resolved group is
     * unresolved again with the regression counted at {@code storedAt}.
     *
     * @throws org.springframework.dao.DataIntegrityViolationException when the app does not exist
     */
    Changes record(String appId, List<ErrorGroupSeen> seen, Instant storedAt) {
        try {
            return tx.execute(status -> apply(appId, seen, storedAt));
        } catch (DuplicateKeyException e) {
            // another server or thread inserted one of the groups first: all of them exist now
            return tx.execute(status -> apply(appId, seen, storedAt));
        }
    }

    private Changes apply(String appId, List<ErrorGroupSeen> seen, Instant storedAt) {
        List<ErrorGroup> created = new ArrayList<>();
        List<ErrorGroup> regressed = new ArrayList<>();
        for (ErrorGroupSeen s : seen) {
            if (s.fingerprint().length() > MAX_FINGERPRINT_LENGTH) {
                continue; // the pipeline's fingerprints are 32 characters; anything else is not a group
            }
            Optional<ErrorGroup> locked = jdbc.sql("SELECT " + COLUMNS + " FROM error_groups WHERE app_id = ? AND fingerprint = ? FOR UPDATE")
                    .params(appId, s.fingerprint()).query(JdbcErrorGroups::row).optional();
            if (locked.isEmpty()) {
                jdbc.sql("""
                                INSERT INTO error_groups (app_id, fingerprint, status, error_type, message, first_seen, last_seen,
                                                          times_seen, regressions)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)""")
                        .params(appId, s.fingerprint(), ErrorStatus.UNRESOLVED.wireName(), type(s.errorType()), message(s.message()),
                                time(s.firstSeen()), time(s.lastSeen()), s.count())
                        .update();
                created.add(find(appId, s.fingerprint()).orElseThrow());
                continue;
            }
            ErrorGroup g = locked.get();
            boolean latest = !s.lastSeen().isBefore(g.lastSeen());
            boolean reopens = g.status() == ErrorStatus.RESOLVED;
            jdbc.sql("""
                            UPDATE error_groups SET first_seen = ?, last_seen = ?, times_seen = times_seen + ?, error_type = ?,
                                   message = ?, status = ?, regressions = ?, last_regressed_at = ?, status_changed_at = ?
                            WHERE id = ?""")
                    .params(time(s.firstSeen().isBefore(g.firstSeen()) ? s.firstSeen() : g.firstSeen()),
                            time(latest ? s.lastSeen() : g.lastSeen()), s.count(),
                            latest ? type(s.errorType()) : g.type(), latest ? message(s.message()) : g.message(),
                            (reopens ? ErrorStatus.UNRESOLVED : g.status()).wireName(),
                            g.regressions() + (reopens ? 1 : 0),
                            time(reopens ? storedAt : g.lastRegressedAt()),
                            time(reopens ? storedAt : g.statusChangedAt()), g.id())
                    .update();
            if (reopens) {
                regressed.add(find(g.id()).orElseThrow());
            }
        }
        return new Changes(created, regressed);
    }

    Optional<ErrorGroup> find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM error_groups WHERE id = ?").param(id).query(JdbcErrorGroups::row).optional();
    }

    Optional<ErrorGroup> find(String appId, String fingerprint) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM error_groups WHERE app_id = ? AND fingerprint = ?")
                .params(appId, fingerprint).query(JdbcErrorGroups::row).optional();
    }

    /** The app's groups, of one status or (null) all, in no particular order. */
    List<ErrorGroup> ofApp(String appId, ErrorStatus status) {
        if (status == null) {
            return jdbc.sql("SELECT " + COLUMNS + " FROM error_groups WHERE app_id = ?").param(appId)
                    .query(JdbcErrorGroups::row).list();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM error_groups WHERE app_id = ? AND status = ?")
                .params(appId, status.wireName()).query(JdbcErrorGroups::row).list();
    }

    /** A status change: the group before and after. */
    record StatusChange(ErrorGroup before, ErrorGroup after) {
    }

    /**
     * Sets a group's status, in the caller's transaction (so the audit row commits with it).
     *
     * @return empty when there is no such group
     */
    Optional<StatusChange> setStatus(long id, ErrorStatus status, Instant at) {
        Optional<ErrorGroup> before = jdbc.sql("SELECT " + COLUMNS + " FROM error_groups WHERE id = ? FOR UPDATE").param(id)
                .query(JdbcErrorGroups::row).optional();
        if (before.isEmpty()) {
            return Optional.empty();
        }
        if (before.get().status() != status) {
            jdbc.sql("UPDATE error_groups SET status = ?, status_changed_at = ? WHERE id = ?")
                    .params(status.wireName(), time(at), id).update();
        }
        return Optional.of(new StatusChange(before.get(), find(id).orElseThrow()));
    }

    private static String type(String errorType) {
        return cut(errorType == null ? ErrorQueries.UNTYPED : errorType, MAX_TYPE_LENGTH);
    }

    private static String message(String message) {
        return message == null ? null : cut(message, MAX_MESSAGE_LENGTH);
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max; // never half a character
        return s.substring(0, end);
    }

    private static OffsetDateTime time(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static ErrorGroup row(ResultSet rs, int n) throws SQLException {
        return new ErrorGroup(rs.getLong("id"), rs.getString("app_id"), rs.getString("fingerprint"),
                ErrorStatus.fromWireName(rs.getString("status")), rs.getString("error_type"), rs.getString("message"),
                instant(rs, "first_seen"), instant(rs, "last_seen"), rs.getLong("times_seen"), rs.getInt("regressions"),
                instant(rs, "last_regressed_at"), instant(rs, "status_changed_at"));
    }
}
