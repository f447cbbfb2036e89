package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.git.RemoteVersion;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static dev.traceflow.builds.internal.Rows.instant;
import static dev.traceflow.builds.internal.Rows.time;

/** Versions of git sources in the metadata database. */
@Component
class JdbcSourceVersions {

    private static final String COLUMNS = "id, git_source_id, kind, tag_or_commit, commit_sha, summary, changelog, usable, created_at";

    private final JdbcClient jdbc;
    private final JdbcTemplate batches;

    JdbcSourceVersions(JdbcClient jdbc, JdbcTemplate batches) {
        this.jdbc = jdbc;
        this.batches = batches;
    }

    /** The listing order: tags first (in the order they were registered, i.e. semver order), then commits. */
    private static final String LISTING_ORDER = " ORDER BY kind DESC, created_at, tag_or_commit";

    /** Every version of a source, in listing order. */
    List<SourceVersion> ofSource(String sourceId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM source_versions WHERE git_source_id = ?" + LISTING_ORDER)
                .param(sourceId).query(JdbcSourceVersions::row).list();
    }

    /** Where a page of the listing stopped: its last row's sort key (unique: tag_or_commit is, per source). */
    record Position(String kind, Instant createdAt, String tagOrCommit) {
    }

    /**
     * One page of a source's versions in listing order: the rows after {@code after} (null: from
     * the first), at most {@code limit}. Keyset paging, so a page never repeats or skips a row
     * because versions were registered meanwhile (new ones sort after the ones there were).
     */
    List<SourceVersion> page(String sourceId, Position after, int limit) {
        if (after == null) {
            return jdbc.sql("SELECT " + COLUMNS + " FROM source_versions WHERE git_source_id = ?" + LISTING_ORDER + " LIMIT ?")
                    .params(sourceId, limit).query(JdbcSourceVersions::row).list();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM source_versions WHERE git_source_id = ? AND (kind < ? OR (kind = ? AND "
                        + "(created_at > ? OR (created_at = ? AND tag_or_commit > ?))))" + LISTING_ORDER + " LIMIT ?")
                .params(sourceId, after.kind(), after.kind(), time(after.createdAt()), time(after.createdAt()), after.tagOrCommit(), limit)
                .query(JdbcSourceVersions::row).list();
    }

    long count(String sourceId) {
        return jdbc.sql("SELECT count(*) FROM source_versions WHERE git_source_id = ?").param(sourceId).query(Long.class).single();
    }

    /**
     * What strategies choose from: every version without its summary and changelog (the
     * listing's bulk), so that validation stays cheap for repositories with many tags.
     */
    List<SourceVersion> forResolution(String sourceId) {
        return jdbc.sql("SELECT id, git_source_id, kind, tag_or_commit, commit_sha, usable, created_at FROM source_versions "
                        + "WHERE git_source_id = ?").param(sourceId)
                .query((rs, n) -> new SourceVersion(rs.getString("id"), rs.getString("git_source_id"), rs.getString("kind"),
                        rs.getString("tag_or_commit"), rs.getString("commit_sha"), null, null, rs.getBoolean("usable"),
                        instant(rs, "created_at")))
                .list();
    }

    Optional<SourceVersion> find(String sourceId, String tagOrCommit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM source_versions WHERE git_source_id = ? AND tag_or_commit = ?")
                .params(sourceId, tagOrCommit).query(JdbcSourceVersions::row).optional();
    }

    void setUsable(String id, boolean usable) {
        jdbc.sql("UPDATE source_versions SET usable = ? WHERE id = ?").params(usable, id).update();
    }

    /**
     * Makes the stored versions what the repository has now: new ones are added (usable), changed
     * ones get their commit, summary and changelog anew (an admin's "not usable" stays), and the ones
     * gone from the repository become unusable (builds that used them keep their record).
     *
     * @return how many were added, changed and retired
     */
    int[] sync(String sourceId, List<RemoteVersion> found, Instant now) {
        Map<String, SourceVersion> stored = new HashMap<>();
        for (SourceVersion v : ofSource(sourceId)) {
            stored.put(v.tagOrCommit(), v);
        }
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long order = 0;
        for (RemoteVersion r : found) {
            if (!seen.add(r.tagOrCommit())) {
                continue;
            }
            // created_at keeps the repository's order for new rows: one microsecond apart
            Instant at = now.plusNanos(1000 * order++);
            SourceVersion old = stored.get(r.tagOrCommit());
            if (old == null) {
                inserts.add(new Object[]{UUID.randomUUID().toString(), sourceId, r.kind(), r.tagOrCommit(), r.commit(), r.summary(),
                        r.changelog(), true, time(at)});
            } else if (!old.commit().equals(r.commit()) || !Objects.equals(old.summary(), r.summary())
                    || !Objects.equals(old.changelog(), r.changelog())) {
                updates.add(new Object[]{r.commit(), r.summary(), r.changelog(), old.id()});
            }
        }
        List<Object[]> retired = new ArrayList<>();
        for (SourceVersion v : stored.values()) {
            if (!seen.contains(v.tagOrCommit()) && v.usable()) {
                retired.add(new Object[]{v.id()});
            }
        }
        if (!inserts.isEmpty()) {
            batches.batchUpdate("INSERT INTO source_versions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", inserts);
        }
        if (!updates.isEmpty()) {
            batches.batchUpdate("UPDATE source_versions SET commit_sha = ?, summary = ?, changelog = ? WHERE id = ?", updates);
        }
        if (!retired.isEmpty()) {
            batches.batchUpdate("UPDATE source_versions SET usable = FALSE WHERE id = ?", retired);
        }
        return new int[]{inserts.size(), updates.size(), retired.size()};
    }

    private static SourceVersion row(ResultSet rs, int n) throws SQLException {
        return new SourceVersion(rs.getString("id"), rs.getString("git_source_id"), rs.getString("kind"), rs.getString("tag_or_commit"),
                rs.getString("commit_sha"), rs.getString("summary"), rs.getString("changelog"), rs.getBoolean("usable"),
                instant(rs, "created_at"));
    }
}
