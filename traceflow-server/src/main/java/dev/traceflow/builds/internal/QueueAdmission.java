package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What the queue says to a new build, read in one statement: the project's queued or running build
 * of the same snapshot (a 409), the queued builds as {@code build_queue_counts} keeps them, and the
 * {@code build.queueCapacity} setting (a 429 at or beyond it). One round trip instead of three, on
 * every trigger, retry and rollback; nothing is cached, so a setting changed by another server that
 * shares the database counts at once.
 */
@Component
class QueueAdmission {

    /** The setting's stored JSON is read with the others' statement; its default applies when none is stored. */
    private static final BuildSettings.Definition CAPACITY = BuildSettings.definition("build.queueCapacity").orElseThrow();

    /**
     * @param activeBuild the queued or running build of the project with the snapshot, if any
     * @param queued      the queued builds of every project (committed ones: see {@link JdbcBuilds#queuedBuilds()})
     * @param capacity    the {@code build.queueCapacity} setting
     */
    record Answer(Optional<String> activeBuild, long queued, long capacity) {

        boolean full() {
            return queued >= capacity;
        }
    }

    private final JdbcClient jdbc;

    QueueAdmission(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Answer of(String projectId, String snapshotHash) {
        return jdbc.sql("SELECT " + columns("?", "?")).params(projectId, snapshotHash, CAPACITY.name()).query((rs, n) -> answer(rs)).single();
    }

    /**
     * The admission's select list, for a statement that reads it along with other things ({@link TriggerRead}): its
     * columns {@code active_build, queued, capacity}, read back by {@link #answer}; its one parameter, after any in
     * {@code project} and {@code snapshot}, is {@link #capacitySetting}.
     *
     * @param project  SQL giving the project's id
     * @param snapshot SQL giving the snapshot's hash
     */
    static String columns(String project, String snapshot) {
        return "(SELECT id FROM builds WHERE project_id = " + project + " AND active_snapshot = " + snapshot + ") AS active_build, "
                + "(SELECT COALESCE(SUM(queued), 0) FROM build_queue_counts) AS queued, "
                + "(SELECT setting_value FROM build_settings WHERE name = ?) AS capacity";
    }

    /** The parameter of {@link #columns}. */
    static String capacitySetting() {
        return CAPACITY.name();
    }

    /** The answer in the current row of a statement that selected {@link #columns}. */
    static Answer answer(ResultSet rs) throws SQLException {
        String stored = rs.getString("capacity");
        JsonNode capacity = stored == null ? CAPACITY.defaultValue() : CanonicalJson.JSON.readTree(stored);
        return new Answer(Optional.ofNullable(rs.getString("active_build")), rs.getLong("queued"), capacity.asLong());
    }
}
