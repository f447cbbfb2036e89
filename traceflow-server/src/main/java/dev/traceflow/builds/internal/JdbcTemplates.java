package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.traceflow.builds.internal.Rows.instant;
import static dev.traceflow.builds.internal.Rows.time;

/** Templates and their bound sources in the metadata database. */
@Component
class JdbcTemplates {

    static final String COLUMNS = "id, name, deploy_type, description, created_at, updated_at";
    static final String BINDING_COLUMNS = "id, template_id, git_source_id, version_strategy, build_order, dependencies, build";

    /**
     * A template with its bound sources.
     *
     * @param sources in the order of {@link #bindings}
     */
    record WithSources(Template template, List<BoundSource> sources) {
    }

    /** A binding and the name of its git source (null when the source is gone). */
    record BoundSource(Template.Binding binding, String sourceName) {
    }

    private final JdbcClient jdbc;

    JdbcTemplates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Template t) {
        jdbc.sql("INSERT INTO build_templates (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
                .params(t.id(), t.name(), t.deployType(), t.description(), time(t.createdAt()), time(t.updatedAt())).update();
    }

    void update(Template t) {
        jdbc.sql("UPDATE build_templates SET name = ?, deploy_type = ?, description = ?, updated_at = ? WHERE id = ?")
                .params(t.name(), t.deployType(), t.description(), time(t.updatedAt()), t.id()).update();
    }

    /** Locks the template's row until the transaction ends: bindings of one template change one at a time. */
    Optional<Template> findForUpdate(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_templates WHERE id = ? FOR UPDATE").param(id).query(JdbcTemplates::row)
                .optional();
    }

    Optional<Template> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_templates WHERE id = ?").param(id).query(JdbcTemplates::row).optional();
    }

    boolean nameTaken(String name, String exceptId) {
        return jdbc.sql("SELECT count(*) FROM build_templates WHERE name = ? AND id <> ?").params(name, exceptId == null ? "" : exceptId)
                .query(Long.class).single() > 0;
    }

    List<Template> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM build_templates ORDER BY name").query(JdbcTemplates::row).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM build_templates").query(Long.class).single();
    }

    boolean usedByProjects(String id) {
        return jdbc.sql("SELECT count(*) FROM build_projects WHERE template_id = ?").param(id).query(Long.class).single() > 0;
    }

    boolean delete(String id) {
        return jdbc.sql("DELETE FROM build_templates WHERE id = ?").param(id).update() == 1;
    }

    List<Template.Binding> bindings(String templateId) {
        return jdbc.sql("SELECT " + BINDING_COLUMNS + " FROM template_sources WHERE template_id = ? ORDER BY build_order, git_source_id")
                .param(templateId).query(JdbcTemplates::binding).list();
    }

    void upsert(Template.Binding b) {
        int updated = jdbc.sql("UPDATE template_sources SET version_strategy = ?, build_order = ?, dependencies = ?, build = ? "
                        + "WHERE template_id = ? AND git_source_id = ?")
                .params(json(b.versionStrategy().toJson()), b.buildOrder(), json(CanonicalJson.JSON.valueToTree(b.dependencies())),
                        json(b.build().toJson()), b.templateId(), b.gitSourceId())
                .update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO template_sources (" + BINDING_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")
                    .params(b.id(), b.templateId(), b.gitSourceId(), json(b.versionStrategy().toJson()), b.buildOrder(),
                            json(CanonicalJson.JSON.valueToTree(b.dependencies())), json(b.build().toJson()))
                    .update();
        }
    }

    boolean unbind(String templateId, String gitSourceId) {
        return jdbc.sql("DELETE FROM template_sources WHERE template_id = ? AND git_source_id = ?").params(templateId, gitSourceId)
                .update() == 1;
    }

    private static String json(JsonNode n) {
        return CanonicalJson.JSON.writeValueAsString(n);
    }

    private static Template row(ResultSet rs, int n) throws SQLException {
        return row(rs, "");
    }

    /** A template from columns named with {@code prefix} (a join's aliases) before their own names. */
    static Template row(ResultSet rs, String prefix) throws SQLException {
        return new Template(rs.getString(prefix + "id"), rs.getString(prefix + "name"), rs.getString(prefix + "deploy_type"),
                rs.getString(prefix + "description"), instant(rs, prefix + "created_at"), instant(rs, prefix + "updated_at"));
    }

    private static Template.Binding binding(ResultSet rs, int n) throws SQLException {
        return binding(rs, "");
    }

    /** A binding from columns named with {@code prefix} (a join's aliases) before their own names. */
    static Template.Binding binding(ResultSet rs, String prefix) throws SQLException {
        List<String> deps = new ArrayList<>();
        CanonicalJson.JSON.readTree(rs.getString(prefix + "dependencies")).forEach(d -> deps.add(d.asString()));
        return new Template.Binding(rs.getString(prefix + "id"), rs.getString(prefix + "template_id"), rs.getString(prefix + "git_source_id"),
                VersionStrategy.parse(CanonicalJson.JSON.readTree(rs.getString(prefix + "version_strategy"))), rs.getInt(prefix + "build_order"),
                List.copyOf(deps), BuildSpec.parse(CanonicalJson.JSON.readTree(rs.getString(prefix + "build"))));
    }
}
