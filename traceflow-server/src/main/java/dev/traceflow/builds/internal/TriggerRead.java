package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a trigger reads before it writes, in one statement: the project with the config asked for, the project's
 * template with its bindings and their sources' names, and the queue's {@link QueueAdmission} for the config's
 * snapshot. On PostgreSQL every statement is a round trip to another process, paid on the server's CPU and the
 * database's at every {@code POST /builds}; these were three. Nothing is cached: another server sharing the database
 * may change any of it.
 */
@Component
class TriggerRead {

    /** The project's columns as they are, the config's as {@code c_<name>}, the template's as {@code t_<name>}, each binding's as {@code b_<name>}. */
    private static final String SQL = "SELECT "
            + prefixed("p.", "", JdbcProjects.COLUMNS) + ", "
            + prefixed("c.", "c_", JdbcProjects.CONFIG_COLUMNS) + ", "
            + prefixed("t.", "t_", JdbcTemplates.COLUMNS) + ", "
            + prefixed("ts.", "b_", JdbcTemplates.BINDING_COLUMNS) + ", gs.name AS source_name, "
            + QueueAdmission.columns("p.id", "c.snapshot_hash")
            + " FROM build_projects p LEFT JOIN config_instances c ON c.id = ? AND c.project_id = p.id"
            + " LEFT JOIN build_templates t ON t.id = p.template_id LEFT JOIN template_sources ts ON ts.template_id = t.id"
            + " LEFT JOIN git_sources gs ON gs.id = ts.git_source_id WHERE p.id = ? ORDER BY ts.build_order, ts.git_source_id";

    /**
     * @param config    empty when there is no such config, or it belongs to another project
     * @param template  the project's template with its bound sources in build order; empty when the template is gone
     * @param admission for the config's snapshot (no active build when there is no config)
     */
    record Found(Project project, Optional<ConfigInstance> config, Optional<JdbcTemplates.WithSources> template,
                 QueueAdmission.Answer admission) {
    }

    private final JdbcClient jdbc;

    TriggerRead(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Empty when there is no such project. */
    Optional<Found> find(String projectId, String configId) {
        List<Found> first = new ArrayList<>(1);
        List<JdbcTemplates.BoundSource> sources = new ArrayList<>();
        // one row per binding, the other columns on each (one row with null bindings when the template has none)
        jdbc.sql(SQL).params(QueueAdmission.capacitySetting(), configId, projectId).query((RowCallbackHandler) rs -> {
            if (first.isEmpty()) {
                Optional<ConfigInstance> config = rs.getString("c_id") == null ? Optional.empty()
                        : Optional.of(JdbcProjects.config(rs, "c_"));
                Optional<JdbcTemplates.WithSources> template = rs.getString("t_id") == null ? Optional.empty()
                        : Optional.of(new JdbcTemplates.WithSources(JdbcTemplates.row(rs, "t_"), List.of()));
                first.add(new Found(JdbcProjects.row(rs, 0), config, template, QueueAdmission.answer(rs)));
            }
            if (rs.getString("b_id") != null) {
                sources.add(new JdbcTemplates.BoundSource(JdbcTemplates.binding(rs, "b_"), rs.getString("source_name")));
            }
        });
        return first.stream().findFirst().map(f -> new Found(f.project(), f.config(),
                f.template().map(t -> new JdbcTemplates.WithSources(t.template(), List.copyOf(sources))), f.admission()));
    }

    private static String prefixed(String table, String alias, String columns) {
        return String.join(", ", Arrays.stream(columns.split(", ")).map(c -> table + c + (alias.isEmpty() ? "" : " AS " + alias + c)).toList());
    }
}
