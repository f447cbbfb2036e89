package dev.traceflow.builds.internal;

import dev.traceflow.access.AppScope;
import dev.traceflow.http.ApiException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static dev.traceflow.builds.internal.Rows.instant;
import static dev.traceflow.builds.internal.Rows.time;

/**
 * The builds table, which is also the queue (issue 21). Claims and every write of a worker are
 * conditional updates: a claim only takes a row still {@code queued} at the attempt it read, and a
 * worker's write only lands while the row is {@code running} at the worker's attempt. Under READ
 * COMMITTED (PostgreSQL) and H2's row locks a second claimer's UPDATE waits for the first and then
 * matches nothing, so one build is never claimed twice; {@link #lockCandidate} ({@code SKIP LOCKED}) only spares a
 * claimer that wait.
 *
 * <p>Every change into or out of {@code queued} also moves the project's count in {@code build_queue_counts}
 * ({@link JdbcQueueCounts}) in the same transaction (call these inside one where a method says so), so that
 * {@link #queuedBuilds()} answers without counting the queue. The count is written after the build's rows,
 * so its row is held only from then until the commit.
 */
@Component
class JdbcBuilds {

    static final String COLUMNS = "id, project_id, config_id, app_id, status, kind, parent_id, snapshot_hash, resolved_versions, inputs, "
            + "attempt, max_attempts, lease_owner, lease_until, cancel_requested, triggered_by, triggered_by_name, triggered_by_token, "
            + "queued_at, started_at, finished_at, "
            + "failure_reason, failure_message, logs_ref, artifact_ref, artifact_sha256, artifact_size, release_name";

    /**
     * A worker wrote for an attempt it no longer holds (the lease expired and the build was re-queued or ended):
     * 409 LEASE_LOST when it reaches the worker API.
     */
    static final class LeaseLost extends ApiException {
        LeaseLost(String buildId, int attempt) {
            super(HttpStatus.CONFLICT, "LEASE_LOST", "attempt " + attempt + " no longer holds build " + buildId
                    + ": stop working on it");
        }
    }

    /** A lease that ran out: the build, the attempt that held it. */
    record Expired(String id, int attempt, int maxAttempts) {
    }

    private final JdbcClient jdbc;
    private final JdbcQueueCounts counts;

    @Autowired
    JdbcBuilds(JdbcClient jdbc) {
        this(jdbc, new JdbcQueueCounts(jdbc));
    }

    JdbcBuilds(JdbcClient jdbc, JdbcQueueCounts counts) {
        this.jdbc = jdbc;
        this.counts = counts;
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the project has a queued or running build of the snapshot */
    void insert(Build b) {
        Build.Trigger by = b.triggeredBy() == null ? new Build.Trigger(null, null, null) : b.triggeredBy();
        jdbc.sql("INSERT INTO builds (" + COLUMNS + ", active_snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "?, ?, ?, ?, ?, ?, ?, ?)")
                .params(b.id(), b.projectId(), b.configId(), b.appId(), b.status(), b.kind(), b.parentId(), b.snapshotHash(),
                        b.resolvedVersions(), b.inputs(), b.attempt(), b.maxAttempts(), b.leaseOwner(), time(b.leaseUntil()),
                        b.cancelRequested(), by.userId(), by.username(), by.tokenName(), time(b.queuedAt()), time(b.startedAt()), time(b.finishedAt()),
                        b.failureReason(), b.failureMessage(), b.logsRef(), b.artifactRef(), b.artifactSha256(), b.artifactSize(),
                        b.releaseName(), b.ended() ? null : b.snapshotHash())
                .update();
        // one statement for all stages: a trigger is a few round trips, not one per stage
        StringBuilder sql = new StringBuilder("INSERT INTO build_stages (build_id, position, name, status) VALUES ");
        List<Object> params = new ArrayList<>();
        for (int i = 0; i < Build.STAGES.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, 'pending')");
            params.add(b.id());
            params.add(i);
            params.add(Build.STAGES.get(i));
        }
        jdbc.sql(sql.toString()).params(params).update();
        if (b.status().equals(Build.QUEUED)) {
            moveQueued(b.projectId(), 1);
        }
    }

    Optional<Build> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM builds WHERE id = ?").param(id).query(JdbcBuilds::row).optional();
    }

    /** The queued or running build of the project with this snapshot, if any. */
    Optional<String> activeWithSnapshot(String projectId, String snapshotHash) {
        return jdbc.sql("SELECT id FROM builds WHERE project_id = ? AND active_snapshot = ?").params(projectId, snapshotHash)
                .query(String.class).optional();
    }

    /**
     * Newest first, among the apps of {@code scope}; {@code appId}, {@code projectId} and {@code status} narrow it
     * when not null.
     */
    List<Build> list(AppScope scope, String appId, String projectId, String status, int offset, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM builds WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (!scope.everyApp()) {
            if (scope.appIds().isEmpty()) {
                return List.of();
            }
            sql.append(" AND app_id IN (").append(String.join(", ", scope.appIds().stream().map(a -> "?").toList())).append(")");
            params.addAll(scope.appIds());
        }
        if (appId != null) {
            sql.append(" AND app_id = ?");
            params.add(appId);
        }
        if (projectId != null) {
            sql.append(" AND project_id = ?");
            params.add(projectId);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            params.add(status);
        }
        sql.append(" ORDER BY queued_at DESC, id DESC LIMIT ? OFFSET ?");
        params.add(limit);
        params.add(offset);
        return jdbc.sql(sql.toString()).params(params).query(JdbcBuilds::row).list();
    }

    List<Build.Stage> stages(String buildId) {
        return jdbc.sql("SELECT name, status, started_at, finished_at FROM build_stages WHERE build_id = ? ORDER BY position")
                .param(buildId)
                .query((rs, n) -> stage(rs))
                .list();
    }

    /**
     * The stages of several builds in one query (a page of the list, not one query per build).
     *
     * @return by build id, each build's stages in step order; a build without stages (or unknown) is absent
     */
    Map<String, List<Build.Stage>> stagesOf(Collection<String> buildIds) {
        if (buildIds.isEmpty()) {
            return Map.of();
        }
        Map<String, List<Build.Stage>> out = new HashMap<>();
        jdbc.sql("SELECT build_id, name, status, started_at, finished_at FROM build_stages WHERE build_id IN ("
                        + String.join(", ", Collections.nCopies(buildIds.size(), "?")) + ") ORDER BY build_id, position")
                .params(List.copyOf(buildIds))
                .query((rs, n) -> out.computeIfAbsent(rs.getString("build_id"), k -> new ArrayList<>()).add(stage(rs)))
                .list();
        return out;
    }

    private static Build.Stage stage(ResultSet rs) throws SQLException {
        return new Build.Stage(rs.getString("name"), rs.getString("status"), instant(rs, "started_at"), instant(rs, "finished_at"));
    }

    long count(String status) {
        return jdbc.sql("SELECT count(*) FROM builds WHERE status = ?").param(status).query(Long.class).single();
    }

    long countRunning(String projectId) {
        return jdbc.sql("SELECT count(*) FROM builds WHERE project_id = ? AND status = 'running'").param(projectId).query(Long.class)
                .single();
    }

    Optional<Instant> oldestQueued() {
        return jdbc.sql("SELECT min(queued_at) AS t FROM builds WHERE status = 'queued'").query((rs, n) -> instant(rs, "t")).optional();
    }

    /** A queued build as claimers see it: just what a claim needs (the inputs stay in the table until a claim wins). */
    record Candidate(String id, String projectId, int attempt, Instant queuedAt) {
    }

    /** Queued builds, oldest first: what claimers choose from. */
    List<Candidate> queued(int limit) {
        return jdbc.sql("SELECT id, project_id, attempt, queued_at FROM builds WHERE status = 'queued' ORDER BY queued_at, id LIMIT ?")
                .param(limit)
                .query((rs, n) -> new Candidate(rs.getString("id"), rs.getString("project_id"), rs.getInt("attempt"), instant(rs, "queued_at")))
                .list();
    }

    /**
     * The queued builds, as the kept counts say ({@link JdbcQueueCounts#SLOTS} rows per project, not a count of the queue). Under READ
     * COMMITTED it misses the builds of transactions that are not committed yet.
     */
    long queuedBuilds() {
        return counts.total();
    }

    /** Moves the project's count of queued builds by {@code delta} (see {@link JdbcQueueCounts#move}). */
    private void moveQueued(String projectId, int delta) {
        counts.move(projectId, delta);
    }

    /** {@link #moveQueued} for the project of a build. */
    private void moveQueuedOf(String buildId, int delta) {
        moveQueued(jdbc.sql("SELECT project_id FROM builds WHERE id = ?").param(buildId).query(String.class).single(), delta);
    }

    /**
     * Takes a queued build: raises its attempt, leases it to {@code owner} until {@code leaseUntil}.
     * Call inside a transaction that holds the project's row lock (see {@link #lockProject}) when the
     * per-project limit matters (it always is one: the claim also moves the project's queued count).
     *
     * @return whether this caller got it (false: another claimer was first, or it was canceled)
     */
    boolean claim(Candidate candidate, String owner, Instant now, Instant leaseUntil) {
        boolean won = jdbc.sql("UPDATE builds SET status = 'running', attempt = attempt + 1, lease_owner = ?, lease_until = ?, "
                        + "started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'queued' AND attempt = ?")
                .params(owner, time(leaseUntil), time(now), candidate.id(), candidate.attempt()).update() == 1;
        if (won) {
            moveQueued(candidate.projectId(), -1);
        }
        return won;
    }

    /**
     * Locks a candidate's row for the caller's transaction, without waiting: false when another transaction holds it (a
     * claimer taking it, a cancel) or it is no longer queued at the attempt read. A claimer that picked the build another
     * one is taking moves on at once instead of waiting for that one's commit to find it taken. Take it before
     * {@link #lockProject}.
     */
    boolean lockCandidate(Candidate candidate) {
        return jdbc.sql("SELECT id FROM builds WHERE id = ? AND status = 'queued' AND attempt = ? FOR UPDATE SKIP LOCKED")
                .params(candidate.id(), candidate.attempt()).query(String.class).optional().isPresent();
    }

    /** Serializes claims under the overall limit: held until the transaction ends. Take it before {@link #lockCandidate}. */
    void lockClaims() {
        jdbc.sql("SELECT id FROM build_claim_lock WHERE id = 1 FOR UPDATE").query(Integer.class).optional();
    }

    /** Serialises the claims of one project's builds, so that its running count is read and raised by one claimer at a time. */
    void lockProject(String projectId) {
        jdbc.sql("SELECT id FROM build_projects WHERE id = ? FOR UPDATE").param(projectId).query(String.class).optional();
    }

    /**
     * Extends the lease of the attempt.
     *
     * @return whether a cancel was asked for
     * @throws LeaseLost when the attempt no longer holds the build
     */
    boolean heartbeat(String id, int attempt, Instant leaseUntil) {
        fenced(id, attempt, jdbc.sql("UPDATE builds SET lease_until = ? WHERE id = ? AND attempt = ? AND status = 'running'")
                .params(time(leaseUntil), id, attempt).update());
        return jdbc.sql("SELECT cancel_requested FROM builds WHERE id = ?").param(id).query(Boolean.class).single();
    }

    /** Fails with {@link LeaseLost} unless the attempt holds the build. */
    void requireHeld(String id, int attempt) {
        fenced(id, attempt, jdbc.sql("SELECT count(*) FROM builds WHERE id = ? AND attempt = ? AND status = 'running'")
                .params(id, attempt).query(Integer.class).single());
    }

    /** A stage's status and times, written by the attempt that holds the build. */
    void stage(String id, int attempt, String name, String status, Instant startedAt, Instant finishedAt) {
        requireHeld(id, attempt);
        jdbc.sql("UPDATE build_stages SET status = ?, started_at = ?, finished_at = ? WHERE build_id = ? AND name = ?")
                .params(status, time(startedAt), time(finishedAt), id, name).update();
    }

    /** Back to pending: a new attempt starts over. */
    void resetStages(String id, int attempt) {
        requireHeld(id, attempt);
        jdbc.sql("UPDATE build_stages SET status = 'pending', started_at = NULL, finished_at = NULL WHERE build_id = ?").param(id)
                .update();
    }

    /** The artifact the attempt stored. */
    void artifact(String id, int attempt, String ref, String sha256, long size) {
        fenced(id, attempt, jdbc.sql("UPDATE builds SET artifact_ref = ?, artifact_sha256 = ?, artifact_size = ? WHERE id = ? "
                + "AND attempt = ? AND status = 'running'").params(ref, sha256, size, id, attempt).update());
    }

    /**
     * Ends the build for the attempt that holds it.
     *
     * @param status {@code success | fail | canceled}
     * @throws LeaseLost when the attempt no longer holds it
     */
    void finish(String id, int attempt, String status, String reason, String message, String releaseName, Instant now) {
        fenced(id, attempt, jdbc.sql("UPDATE builds SET status = ?, failure_reason = ?, failure_message = ?, release_name = ?, "
                        + "finished_at = ?, lease_owner = NULL, lease_until = NULL, active_snapshot = NULL "
                        + "WHERE id = ? AND attempt = ? AND status = 'running'")
                .params(status, reason, message, releaseName, time(now), id, attempt).update());
        jdbc.sql("UPDATE build_stages SET status = ? WHERE build_id = ? AND status IN ('pending', 'running')")
                .params(status.equals(Build.SUCCESS) ? "skipped" : status, id).update();
    }

    /** The log archive's reference, once the log sink archived it (after the build ended). */
    void logsRef(String id, String ref) {
        jdbc.sql("UPDATE builds SET logs_ref = ? WHERE id = ?").params(ref, id).update();
    }

    /** Cancels a build no worker holds; call inside a transaction. @return whether it was queued */
    boolean cancelQueued(String id, Instant now) {
        boolean canceled = jdbc.sql("UPDATE builds SET status = 'canceled', finished_at = ?, cancel_requested = TRUE, active_snapshot = NULL, "
                + "failure_reason = 'canceled' WHERE id = ? AND status = 'queued'").params(time(now), id).update() == 1;
        if (canceled) {
            moveQueuedOf(id, -1);
        }
        return canceled;
    }

    /** Asks the worker of a running build to end it. @return whether it was running */
    boolean requestCancel(String id) {
        return jdbc.sql("UPDATE builds SET cancel_requested = TRUE WHERE id = ? AND status = 'running'").param(id).update() == 1;
    }

    List<Expired> expired(Instant now, int limit) {
        return jdbc.sql("SELECT id, attempt, max_attempts FROM builds WHERE status = 'running' AND lease_until < ? ORDER BY lease_until "
                        + "LIMIT ?")
                .params(time(now), limit).query((rs, n) -> new Expired(rs.getString("id"), rs.getInt("attempt"), rs.getInt("max_attempts")))
                .list();
    }

    /**
     * Puts an expired attempt's build back in the queue (its next claim raises the attempt); call inside a transaction.
     *
     * @return whether it was still expired
     */
    boolean requeue(Expired e, Instant now) {
        boolean requeued = jdbc.sql("UPDATE builds SET status = 'queued', lease_owner = NULL, lease_until = NULL WHERE id = ? AND attempt = ? "
                + "AND status = 'running' AND lease_until < ?").params(e.id(), e.attempt(), time(now)).update() == 1;
        if (requeued) {
            moveQueuedOf(e.id(), 1);
        }
        return requeued;
    }

    /** The app's successful builds that define a release, newest first (at most {@code limit} of them). */
    List<Build> releases(String appId, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM builds WHERE app_id = ? AND status = 'success' AND release_name IS NOT NULL "
                + "ORDER BY finished_at DESC, id DESC LIMIT ?").params(appId, limit).query(JdbcBuilds::row).list();
    }

    private static void fenced(String id, int attempt, int rows) {
        if (rows != 1) {
            throw new LeaseLost(id, attempt);
        }
    }

    /** A random one of the first few queued builds: claimers racing for the head of the queue collide less. */
    static <T> List<T> shuffledHead(List<T> candidates, int head) {
        List<T> out = new ArrayList<>(candidates);
        int n = Math.min(head, out.size());
        for (int i = n - 1; i > 0; i--) {
            int j = ThreadLocalRandom.current().nextInt(i + 1);
            T t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }

    static Build row(ResultSet rs, int n) throws SQLException {
        long size = rs.getLong("artifact_size");
        Long artifactSize = rs.wasNull() ? null : size;
        return new Build(rs.getString("id"), rs.getString("project_id"), rs.getString("config_id"), rs.getString("app_id"),
                rs.getString("status"), rs.getString("kind"), rs.getString("parent_id"), trim(rs.getString("snapshot_hash")),
                rs.getString("resolved_versions"), rs.getString("inputs"), rs.getInt("attempt"), rs.getInt("max_attempts"),
                rs.getString("lease_owner"), instant(rs, "lease_until"), rs.getBoolean("cancel_requested"),
                new Build.Trigger(rs.getString("triggered_by"), rs.getString("triggered_by_name"), rs.getString("triggered_by_token")),
                instant(rs, "queued_at"), instant(rs, "started_at"), instant(rs, "finished_at"), rs.getString("failure_reason"),
                rs.getString("failure_message"), rs.getString("logs_ref"), rs.getString("artifact_ref"),
                trim(rs.getString("artifact_sha256")), artifactSize, rs.getString("release_name"));
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
