package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.builds.internal.git.GitAuth;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUnavailable;
import dev.traceflow.builds.internal.git.GitUrl;
import dev.traceflow.builds.internal.git.ProbeResult;
import dev.traceflow.builds.internal.git.RemoteVersion;
import dev.traceflow.builds.internal.git.SshHostKeyCheck;
import dev.traceflow.http.ApiException;
import dev.traceflow.reading.PageCursors;
import dev.traceflow.reading.ReadRequests;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code /git-sources/{id}/versions}: a source's versions (tags and the default branch's recent
 * commits) fetched into its mirror and registered, listed a page at a time with a signed cursor, and
 * marked usable or not. Fetching and marking are the admins'; every signed-in user reads.
 */
@RestController
@Tag(name = "Sources")
class SourceVersionsController {

    private static final Logger LOG = LoggerFactory.getLogger(SourceVersionsController.class);
    static final int DEFAULT_VERSIONS_LIMIT = 100;
    static final int MAX_VERSIONS_LIMIT = 1000;

    private final JdbcSourceVersions versions;
    private final SourceRemotes remotes;
    private final GitRemote remote;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final PageCursors cursors;

    SourceVersionsController(JdbcSourceVersions versions, SourceRemotes remotes, GitRemote remote, AppAccess access, AuditLog audit,
                             TransactionTemplate tx, Clock clock, MeterRegistry metrics, PageCursors cursors) {
        this.versions = versions;
        this.remotes = remotes;
        this.remote = remote;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.metrics = metrics;
        this.cursors = cursors;
    }

    @GetMapping("/git-sources/{id}/versions")
    @Operation(summary = "A git source's registered versions, a page at a time", description = """
            Role: viewer (any signed-in user). Tags (semver order; tags registered by a later fetch after the ones \
            before) then the default branch's recent commits, each with `tagOrCommit`, `commit`, `summary`, \
            `changelog` (commits since the version before) and `usable`. Answer: `{"items", "total", "nextCursor"}`. \
            `limit` 1-1000 (default 100); `cursor`: the previous page's `nextCursor` (absent on the last page; \
            signed, so an edited cursor, one of another source or one from before a server restart is a 400). The \
            order is stable: versions registered between two pages never make a page repeat or skip one. A bad \
            `limit` or `cursor` is 400 `INVALID_PARAMETER` with the parameter in `details`.""",
            parameters = {
                    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "1-1000, default 100"),
                    @Parameter(name = "cursor", in = ParameterIn.QUERY, description = "`nextCursor` of the previous page")},
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> versions(@PathVariable String id, @RequestParam(required = false) String limit,
                                 @RequestParam(required = false) String cursor) {
        access.caller();
        int n = limit(limit);
        JdbcSourceVersions.Position after = cursor == null ? null : position(id, cursor);
        remotes.existing(id);
        return page(id, after, n);
    }

    /** A page of the listing, with the cursor of the next one and the total. */
    private Map<String, Object> page(String sourceId, JdbcSourceVersions.Position after, int limit) {
        List<SourceVersion> rows = versions.page(sourceId, after, limit + 1);
        boolean more = rows.size() > limit;
        if (more) {
            rows = rows.subList(0, limit);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", rows.stream().map(SourceVersionsController::view).toList());
        answer.put("total", versions.count(sourceId));
        if (more) {
            SourceVersion last = rows.get(rows.size() - 1);
            answer.put("nextCursor", cursors.encode(String.join("|", sourceId, last.kind(), last.createdAt().toString(), last.tagOrCommit())));
        }
        return answer;
    }

    private static int limit(String limit) {
        if (limit == null) {
            return DEFAULT_VERSIONS_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_VERSIONS_LIMIT) {
            throw ReadRequests.invalid("limit", "limit must be a whole number from 1 to " + MAX_VERSIONS_LIMIT);
        }
        return n;
    }

    private JdbcSourceVersions.Position position(String sourceId, String cursor) {
        // signed by this server, so the parts are ours; still checked, and tied to the source it was made for
        String[] parts = cursors.decode(cursor).split("\\|", 4);
        if (parts.length != 4 || !parts[0].equals(sourceId) || !(parts[1].equals("tag") || parts[1].equals("commit"))) {
            throw ReadRequests.invalid("cursor", "cursor belongs to another list: start this one again without it");
        }
        try {
            return new JdbcSourceVersions.Position(parts[1], Instant.parse(parts[2]), parts[3]);
        } catch (DateTimeParseException e) {
            throw ReadRequests.invalid("cursor", "cursor belongs to another list: start this one again without it");
        }
    }

    record VersionMark(@Schema(example = "v1.2.0") String tagOrCommit, Boolean usable) {
    }

    @PostMapping("/git-sources/{id}/versions")
    @Operation(summary = "Fetch a git source's versions, or mark one", description = """
            Role: admin. Without a body: fetches the tags and the default branch (JGit, into the source's mirror) \
            and registers what is there; versions gone from the repository become unusable. With \
            `{"tagOrCommit", "usable"}`: marks a registered version usable or not (strategies skip unusable ones). \
            Answers the first page of the listing, as `GET` with the default `limit` (its `nextCursor` continues with `GET`). \
            502 GIT_UNAVAILABLE when the repository cannot be reached or read; 422 GIT_AUTH_FAILED when the server \
            refuses the source's credential (or wants one), 422 SSH_HOST_KEY_MISMATCH when an ssh server shows a host \
            key other than the source's `sshHostKey`. Audited (`git_source.versions`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> refresh(@PathVariable String id, @RequestBody(required = false) VersionMark mark) {
        access.requireAdmin();
        GitSource s = remotes.existing(id);
        if (mark != null) {
            if (mark.tagOrCommit() == null || mark.usable() == null) {
                throw ApiException.invalid("give tagOrCommit and usable, or no body to fetch the versions");
            }
            SourceVersion v = versions.find(id, mark.tagOrCommit())
                    .orElseThrow(() -> Strings.notFound("version of this source", mark.tagOrCommit()));
            tx.executeWithoutResult(t -> {
                versions.setUsable(v.id(), mark.usable());
                audit.record("git_source.version_mark", "git_source", id, null, Map.of("tagOrCommit", v.tagOrCommit(),
                        "usable", mark.usable()));
            });
            return page(id, null, DEFAULT_VERSIONS_LIMIT);
        }
        GitUrl url = remotes.storedUrl(s);
        GitAuth auth = remotes.auth(s);
        String branch = s.defaultBranch();
        SshHostKeyCheck hostKeys = remotes.hostKeys(s);
        if (branch == null) {
            ProbeResult probe = remote.probe(url, auth, hostKeys);
            remotes.rememberHostKey(s, hostKeys);
            if (!probe.ok()) {
                throw SourceRemotes.unavailable(hostKeys != null && hostKeys.refused() ? GitUnavailable.Cause.HOST_KEY
                        : probe.reachable() && !probe.authenticated() ? GitUnavailable.Cause.AUTHENTICATION : GitUnavailable.Cause.SERVER,
                        probe.problem());
            }
            branch = probe.defaultBranch();
            hostKeys = remotes.hostKeys(remotes.existing(id));
        }
        long started = System.nanoTime();
        List<RemoteVersion> found;
        try {
            found = remote.versions(id, url, auth, branch, hostKeys);
        } catch (GitUnavailable e) {
            metrics.counter("traceflow.builds.git.fetches", "outcome", "failed").increment();
            remotes.rememberHostKey(s, hostKeys);
            throw SourceRemotes.unavailable(e.kind(), e.getMessage());
        }
        remotes.rememberHostKey(s, hostKeys);
        metrics.timer("traceflow.builds.git.fetch").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        metrics.counter("traceflow.builds.git.fetches", "outcome", "ok").increment();
        int[] changed = tx.execute(t -> {
            int[] c = versions.sync(id, found, clock.instant());
            audit.record("git_source.versions", "git_source", id, null, Map.of("added", c[0], "changed", c[1], "retired", c[2]));
            return c;
        });
        LOG.info("Versions of git source {} fetched: {} found, {} added, {} changed, {} retired", id, found.size(), changed[0], changed[1],
                changed[2]);
        return page(id, null, DEFAULT_VERSIONS_LIMIT);
    }

    static Map<String, Object> view(SourceVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("gitSourceId", v.gitSourceId());
        m.put("kind", v.kind());
        m.put("tagOrCommit", v.tagOrCommit());
        m.put("commit", v.commit());
        m.put("summary", v.summary());
        m.put("changelog", v.changelog());
        m.put("usable", v.usable());
        m.put("createdAt", v.createdAt());
        return m;
    }
}
