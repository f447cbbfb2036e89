package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import static dev.traceflow.builds.internal.Rows.instant;
import static dev.traceflow.builds.internal.Rows.time;

/** Git sources in the metadata database. */
@Component
class JdbcGitSources {

    private static final String COLUMNS = "id, name, repo_url, default_branch, credential_id, exposed_schema, ssh_host_key, created_at, updated_at";

    private final JdbcClient jdbc;

    JdbcGitSources(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(GitSource s) {
        jdbc.sql("INSERT INTO git_sources (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(s.id(), s.name(), s.repoUrl(), s.defaultBranch(), s.credentialId(), s.exposedSchema(), s.sshHostKey(),
                        time(s.createdAt()),
                        time(s.updatedAt()))
                .update();
    }

    void update(GitSource s) {
        jdbc.sql("UPDATE git_sources SET name = ?, repo_url = ?, default_branch = ?, credential_id = ?, exposed_schema = ?, "
                        + "ssh_host_key = ?, updated_at = ? WHERE id = ?")
                .params(s.name(), s.repoUrl(), s.defaultBranch(), s.credentialId(), s.exposedSchema(), s.sshHostKey(), time(s.updatedAt()),
                        s.id())
                .update();
    }

    /**
     * Records the host key an ssh source's server showed at its first connection, unless a key
     * was recorded meanwhile or the source's URL changed (the key belongs to the URL it was seen at).
     *
     * @return whether it was recorded
     */
    boolean recordHostKey(String id, String repoUrl, String hostKey) {
        return jdbc.sql("UPDATE git_sources SET ssh_host_key = ? WHERE id = ? AND repo_url = ? AND ssh_host_key IS NULL")
                .params(hostKey, id, repoUrl).update() == 1;
    }

    Optional<GitSource> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM git_sources WHERE id = ?").param(id).query(JdbcGitSources::row).optional();
    }

    boolean nameTaken(String name, String exceptId) {
        return jdbc.sql("SELECT count(*) FROM git_sources WHERE name = ? AND id <> ?").params(name, exceptId == null ? "" : exceptId)
                .query(Long.class).single() > 0;
    }

    List<GitSource> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM git_sources ORDER BY name").query(JdbcGitSources::row).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM git_sources").query(Long.class).single();
    }

    boolean boundToTemplates(String id) {
        return jdbc.sql("SELECT count(*) FROM template_sources WHERE git_source_id = ?").param(id).query(Long.class).single() > 0;
    }

    boolean delete(String id) {
        return jdbc.sql("DELETE FROM git_sources WHERE id = ?").param(id).update() == 1;
    }

    private static GitSource row(ResultSet rs, int n) throws SQLException {
        return new GitSource(rs.getString("id"), rs.getString("name"), rs.getString("repo_url"), rs.getString("default_branch"),
                rs.getString("credential_id"), rs.getString("exposed_schema"), rs.getString("ssh_host_key"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }
}
