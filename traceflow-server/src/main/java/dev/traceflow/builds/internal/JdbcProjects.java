package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import static dev.traceflow.builds.internal.Rows.instant;
import static dev.traceflow.builds.internal.Rows.time;

/** Projects and their configs in the metadata database. */
@Component
class JdbcProjects {

    static final String COLUMNS = "id, app_id, name, customer, environment, template_id, owner_id, created_at, updated_at";
    static final String CONFIG_COLUMNS = "id, project_id, template_id, env, config, file_replacements, text_replacements, "
            + "content_hash, validated, snapshot_hash, resolved_versions, created_at, updated_at";
    private final JdbcClient jdbc;
    private final JdbcQueueCounts counts;

    JdbcProjects(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.counts = new JdbcQueueCounts(jdbc);
    }

    void insert(Project p) {
        jdbc.sql("INSERT INTO build_projects (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(p.id(), p.appId(), p.name(), p.customer(), p.environment(), p.templateId(), p.ownerId(), time(p.createdAt()),
                        time(p.updatedAt()))
                .update();
        counts.create(p.id());
    }

    void update(Project p) {
        jdbc.sql("UPDATE build_projects SET name = ?, customer = ?, environment = ?, template_id = ?, updated_at = ? WHERE id = ?")
                .params(p.name(), p.customer(), p.environment(), p.templateId(), time(p.updatedAt()), p.id()).update();
    }

    Optional<Project> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_projects WHERE id = ?").param(id).query(JdbcProjects::row).optional();
    }

    boolean nameTaken(String appId, String name, String exceptId) {
        return jdbc.sql("SELECT count(*) FROM build_projects WHERE app_id = ? AND name = ? AND id <> ?")
                .params(appId, name, exceptId == null ? "" : exceptId).query(Long.class).single() > 0;
    }

    long countOfApp(String appId) {
        return jdbc.sql("SELECT count(*) FROM build_projects WHERE app_id = ?").param(appId).query(Long.class).single();
    }

    List<Project> all(int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_projects ORDER BY app_id, name").query(JdbcProjects::row).list().stream()
                .limit(limit).toList();
    }

    List<Project> ofApp(String appId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_projects WHERE app_id = ? ORDER BY name").param(appId)
                .query(JdbcProjects::row).list();
    }

    boolean delete(String id) {
        return jdbc.sql("DELETE FROM build_projects WHERE id = ?").param(id).update() == 1;
    }

    void insert(ConfigInstance c) {
        jdbc.sql("INSERT INTO config_instances (" + CONFIG_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(c.id(), c.projectId(), c.templateId(), c.env(), c.config(), c.fileReplacements(), c.textReplacements(),
                        c.contentHash(), c.validated(), c.snapshotHash(), c.resolvedVersions(), time(c.createdAt()), time(c.updatedAt()))
                .update();
    }

    void update(ConfigInstance c) {
        jdbc.sql("UPDATE config_instances SET template_id = ?, env = ?, config = ?, file_replacements = ?, text_replacements = ?, "
                        + "content_hash = ?, validated = ?, snapshot_hash = ?, resolved_versions = ?, updated_at = ? WHERE id = ?")
                .params(c.templateId(), c.env(), c.config(), c.fileReplacements(), c.textReplacements(), c.contentHash(), c.validated(),
                        c.snapshotHash(), c.resolvedVersions(), time(c.updatedAt()), c.id())
                .update();
    }

    Optional<ConfigInstance> findConfig(String id) {
        return jdbc.sql("SELECT " + CONFIG_COLUMNS + " FROM config_instances WHERE id = ?").param(id).query(JdbcProjects::config)
                .optional();
    }

    /** The project's config with this content, if one is saved (another than {@code exceptId}). */
    Optional<String> sameContent(String projectId, String contentHash, String exceptId) {
        return jdbc.sql("SELECT id FROM config_instances WHERE project_id = ? AND content_hash = ? AND id <> ?")
                .params(projectId, contentHash, exceptId == null ? "" : exceptId).query(String.class).optional();
    }

    List<ConfigInstance> configsOf(String projectId) {
        return jdbc.sql("SELECT " + CONFIG_COLUMNS + " FROM config_instances WHERE project_id = ? ORDER BY created_at, id")
                .param(projectId).query(JdbcProjects::config).list();
    }

    long countConfigs(String projectId) {
        return jdbc.sql("SELECT count(*) FROM config_instances WHERE project_id = ?").param(projectId).query(Long.class).single();
    }

    boolean deleteConfig(String id) {
        return jdbc.sql("DELETE FROM config_instances WHERE id = ?").param(id).update() == 1;
    }

    static Project row(ResultSet rs, int n) throws SQLException {
        return new Project(rs.getString("id"), rs.getString("app_id"), rs.getString("name"), rs.getString("customer"),
                rs.getString("environment"), rs.getString("template_id"), rs.getString("owner_id"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static ConfigInstance config(ResultSet rs, int n) throws SQLException {
        return config(rs, "");
    }

    /** A config from columns named with {@code prefix} (a join's aliases) before their own names. */
    static ConfigInstance config(ResultSet rs, String prefix) throws SQLException {
        String snapshotHash = rs.getString(prefix + "snapshot_hash");
        return new ConfigInstance(rs.getString(prefix + "id"), rs.getString(prefix + "project_id"), rs.getString(prefix + "template_id"),
                rs.getString(prefix + "env"), rs.getString(prefix + "config"), rs.getString(prefix + "file_replacements"),
                rs.getString(prefix + "text_replacements"), rs.getString(prefix + "content_hash").trim(), rs.getBoolean(prefix + "validated"),
                snapshotHash == null ? null : snapshotHash.trim(), rs.getString(prefix + "resolved_versions"),
                instant(rs, prefix + "created_at"), instant(rs, prefix + "updated_at"));
    }
}
