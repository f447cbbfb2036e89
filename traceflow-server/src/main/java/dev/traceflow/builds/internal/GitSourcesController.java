package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.builds.internal.git.GitAuth;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUnavailable;
import dev.traceflow.builds.internal.git.GitUrl;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.builds.internal.git.GitUrlRefused;
import dev.traceflow.builds.internal.git.ProbeResult;
import dev.traceflow.builds.internal.git.RemoteVersion;
import dev.traceflow.builds.internal.git.SshHostKeyCheck;
import dev.traceflow.builds.internal.git.SshKeys;
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
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /git-sources} (seed 003 "GitSource"): repositories to build from, their connectivity
 * test and their versions. Admins write (and test, and fetch versions: both make the server
 * connect out); every signed-in user reads.
 */
@RestController
@Tag(name = "Sources", description = "Git sources and their versions (admins write, signed-in users read)")
class GitSourcesController {

    private static final Logger LOG = LoggerFactory.getLogger(GitSourcesController.class);
    static final int MAX_SOURCES = 1000;
    static final int DEFAULT_VERSIONS_LIMIT = 100;
    static final int MAX_VERSIONS_LIMIT = 1000;
    /** A branch name git accepts, without the forms that could be read as options or ranges. */
    static final Pattern BRANCH = Pattern.compile("(?!-)(?!.*\\.\\.)(?!.*//)[A-Za-z0-9._/+-]{1,200}(?<![./])");

    private final JdbcGitSources sources;
    private final JdbcSourceVersions versions;
    private final JdbcCredentials credentials;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final StoredFetchSources unsealed;
    private final GitUrlGuard guard;
    private final GitRemote remote;
    private final SchemaChecker schemas;
    private final MeterRegistry metrics;
    private final BuildsProperties properties;
    private final PageCursors cursors;

    GitSourcesController(JdbcGitSources sources, JdbcSourceVersions versions, JdbcCredentials credentials, AppAccess access,
                         AuditLog audit, TransactionTemplate tx, Clock clock, StoredFetchSources unsealed, GitUrlGuard guard, GitRemote remote,
                         SchemaChecker schemas, MeterRegistry metrics, BuildsProperties properties, PageCursors cursors) {
        this.sources = sources;
        this.versions = versions;
        this.credentials = credentials;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.unsealed = unsealed;
        this.guard = guard;
        this.remote = remote;
        this.schemas = schemas;
        this.metrics = metrics;
        this.properties = properties;
        this.cursors = cursors;
    }

    record SourceBody(@Schema(example = "shop-web") String name,
                      @Schema(example = "https://git.example.com/team/shop-web.git",
                              description = "https or ssh (scp-like git@host:path too); plain http only inside "
                                      + "TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS; no credentials in the URL") String repoUrl,
                      @Schema(example = "main") String defaultBranch,
                      @Schema(description = "a credential's id; \"\" removes it (PATCH)") String credentialId,
                      @Schema(implementation = Object.class, description = "JSON Schema that configs are checked against") JsonNode exposedSchema,
                      @Schema(example = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
                              description = "ssh sources: the server's host key, `<type> <base64>` (ssh-keyscan's output without "
                                      + "the host); any other key is refused. Without it the first connection records the key it "
                                      + "is shown (trust on first use; TRACEFLOW_BUILDS_SSH_TRUST_ON_FIRST_USE=false refuses "
                                      + "instead). \"\" forgets it (PATCH).") String sshHostKey) {
    }

    @PostMapping("/git-sources")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register a git source", description = """
            Role: admin. `repoUrl` passes the SSRF guard: https or ssh; never file:, git:, ext:: or other transport \
            helpers, bundles, credentials, a query or a fragment; the host must resolve only to public addresses unless \
            TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS lists its network (and plain http only there). `exposedSchema`: a JSON \
            Schema (draft 4 to 2020-12; local $refs only; at most 256 KB, 32 levels). Audited (`git_source.create`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> create(@RequestBody(required = false) SourceBody body) {
        access.requireAdmin();
        if (body == null) {
            throw ApiException.invalid("a git source body is required");
        }
        String name = Strings.name("name", body.name());
        GitUrl url = url(body.repoUrl());
        String branch = branch(body.defaultBranch());
        String credentialId = credential(body.credentialId());
        String schema = schema(body.exposedSchema());
        String hostKey = body.sshHostKey() == null || body.sshHostKey().isEmpty() ? null : hostKey(url, body.sshHostKey());
        requireCredentialFits(url, credentialId);
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        GitSource s = new GitSource(id, name, url.toString(), branch, credentialId, schema, hostKey, now, now);
        tx.executeWithoutResult(t -> {
            if (sources.nameTaken(name, null)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "a git source named '" + name + "' exists");
            }
            if (sources.count() >= MAX_SOURCES) {
                throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_SOURCES", "at most " + MAX_SOURCES + " git sources");
            }
            sources.insert(s);
            audit.record("git_source.create", "git_source", id, null, details(s));
        });
        return view(s);
    }

    @GetMapping("/git-sources")
    @Operation(summary = "Git sources", description = "Role: viewer (any signed-in user).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list() {
        access.caller();
        return Map.of("items", sources.all().stream().map(GitSourcesController::view).toList());
    }

    @GetMapping("/git-sources/{id}")
    @Operation(summary = "One git source", description = "Role: viewer (any signed-in user).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        access.caller();
        return view(existing(id));
    }

    @PatchMapping("/git-sources/{id}")
    @Operation(summary = "Change a git source", description = "Role: admin. Only the fields given change; the URL passes the guard "
            + "again. Audited (`git_source.update`).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) SourceBody body) {
        access.requireAdmin();
        if (body == null || body.name() == null && body.repoUrl() == null && body.defaultBranch() == null && body.credentialId() == null
                && body.exposedSchema() == null && body.sshHostKey() == null) {
            throw ApiException.invalid("nothing to change: give name, repoUrl, defaultBranch, credentialId, exposedSchema or sshHostKey");
        }
        GitSource old = existing(id);
        String name = body.name() == null ? old.name() : Strings.name("name", body.name());
        GitUrl parsed = body.repoUrl() == null ? guard.parseStored(old.repoUrl()) : url(body.repoUrl());
        String url = parsed.toString();
        String branch = body.defaultBranch() == null ? old.defaultBranch() : branch(body.defaultBranch());
        String credentialId = body.credentialId() == null ? old.credentialId()
                : body.credentialId().isEmpty() ? null : credential(body.credentialId());
        String schema = body.exposedSchema() == null ? old.exposedSchema() : schema(body.exposedSchema());
        String hostKey;
        if (body.sshHostKey() != null) {
            hostKey = body.sshHostKey().isEmpty() ? null : hostKey(parsed, body.sshHostKey());
        } else {
            // a host key belongs to the server it was seen at: another host or port (or scheme) starts without one
            hostKey = sameServer(old.repoUrl(), parsed) ? old.sshHostKey() : null;
        }
        if (body.repoUrl() != null || body.credentialId() != null) {
            requireCredentialFits(parsed, credentialId);
        }
        GitSource s = new GitSource(id, name, url, branch, credentialId, schema, hostKey, old.createdAt(), clock.instant());
        tx.executeWithoutResult(t -> {
            if (sources.nameTaken(name, id)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "a git source named '" + name + "' exists");
            }
            sources.update(s);
            audit.record("git_source.update", "git_source", id, null, details(s));
        });
        return view(s);
    }

    @DeleteMapping("/git-sources/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a git source", description = "Role: admin. 409 while a template binds it. Its versions and mirror go "
            + "with it. Audited (`git_source.delete`).", security = @SecurityRequirement(name = "BearerAuth"))
    void delete(@PathVariable String id) {
        access.requireAdmin();
        GitSource s = existing(id);
        tx.executeWithoutResult(t -> {
            if (sources.boundToTemplates(id)) {
                throw new ApiException(HttpStatus.CONFLICT, "IN_USE", "a template binds this source; unbind it first");
            }
            if (!sources.delete(id)) {
                throw Strings.notFound("git source", id);
            }
            audit.record("git_source.delete", "git_source", id, null, Map.of("name", s.name()));
        });
        try {
            remote.forget(id);
        } catch (IOException e) {
            LOG.warn("The mirror of deleted git source {} could not be removed: {}", id, e.getMessage());
        }
    }

    @PostMapping("/git-sources/{id}/test")
    @Operation(summary = "Test a git source's connectivity", description = """
            Role: admin. Lists the repository's refs (JGit, through the SSRF guard): `reachable` (a git server \
            answered), `authenticated` (it took the credential, or wanted none), `defaultBranch` (the branch HEAD \
            names), `ok` when all three hold; `problem` says why not. Always 200 for a source that exists. ssh \
            sources: the server's host key must be the source's `sshHostKey`; a source without one records the key \
            its server shows now (trust on first use, audited as `git_source.host_key`).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> test(@PathVariable String id) {
        access.requireAdmin();
        GitSource s = existing(id);
        SshHostKeyCheck hostKeys = hostKeys(s);
        ProbeResult r = remote.probe(storedUrl(s), auth(s), hostKeys);
        rememberHostKey(s, hostKeys);
        metrics.counter("traceflow.builds.git.tests", "outcome", r.ok() ? "ok" : !r.reachable() ? "unreachable"
                : !r.authenticated() ? "unauthenticated" : "no_default_branch").increment();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ok", r.ok());
        v.put("reachable", r.reachable());
        v.put("authenticated", r.authenticated());
        v.put("defaultBranch", r.defaultBranch());
        v.put("refs", r.refs());
        if (r.problem() != null) {
            v.put("problem", r.problem());
        }
        return v;
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
        existing(id);
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
        answer.put("items", rows.stream().map(GitSourcesController::view).toList());
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
        } catch (java.time.format.DateTimeParseException e) {
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
        GitSource s = existing(id);
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
        GitUrl url = storedUrl(s);
        GitAuth auth = auth(s);
        String branch = s.defaultBranch();
        SshHostKeyCheck hostKeys = hostKeys(s);
        if (branch == null) {
            ProbeResult probe = remote.probe(url, auth, hostKeys);
            rememberHostKey(s, hostKeys);
            if (!probe.ok()) {
                throw unavailable(hostKeys != null && hostKeys.refused() ? GitUnavailable.Cause.HOST_KEY
                        : probe.reachable() && !probe.authenticated() ? GitUnavailable.Cause.AUTHENTICATION : GitUnavailable.Cause.SERVER,
                        probe.problem());
            }
            branch = probe.defaultBranch();
            hostKeys = hostKeys(existing(id));
        }
        long started = System.nanoTime();
        List<RemoteVersion> found;
        try {
            found = remote.versions(id, url, auth, branch, hostKeys);
        } catch (GitUnavailable e) {
            metrics.counter("traceflow.builds.git.fetches", "outcome", "failed").increment();
            rememberHostKey(s, hostKeys);
            throw unavailable(e.kind(), e.getMessage());
        }
        rememberHostKey(s, hostKeys);
        metrics.timer("traceflow.builds.git.fetch").record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
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

    /**
     * The answer when the repository cannot be read: 422 when the source's own settings are what
     * the server refused (its credential, its ssh host key), for the admin to fix; 502 when the
     * server could not be reached or read.
     */
    private static ApiException unavailable(GitUnavailable.Cause cause, String problem) {
        return switch (cause) {
            case AUTHENTICATION -> new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "GIT_AUTH_FAILED", problem);
            case HOST_KEY -> new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "SSH_HOST_KEY_MISMATCH", problem);
            case SERVER -> new ApiException(HttpStatus.BAD_GATEWAY, "GIT_UNAVAILABLE", problem);
        };
    }

    /** The host key check of an ssh source (null for https): its recorded key, or trust on first use as configured. */
    private SshHostKeyCheck hostKeys(GitSource s) {
        if (!s.repoUrl().startsWith("ssh://")) {
            return null;
        }
        return SshHostKeyCheck.of(s.sshHostKey(), properties.sshTrustOnFirstUse());
    }

    /** Records, with an audit row, the host key an ssh source's server showed at its first connection. */
    private void rememberHostKey(GitSource s, SshHostKeyCheck hostKeys) {
        String seen = hostKeys == null ? null : hostKeys.firstSeenKey();
        if (seen == null) {
            return;
        }
        tx.executeWithoutResult(t -> {
            if (sources.recordHostKey(s.id(), s.repoUrl(), seen)) {
                audit.record("git_source.host_key", "git_source", s.id(), null, Map.of("sshHostKey", seen,
                        "fingerprint", SshKeys.fingerprint(SshKeys.publicKey(seen)), "trustedOnFirstUse", true));
                LOG.info("Git source {}: ssh host key {} recorded at the first connection", s.id(), SshKeys.fingerprint(SshKeys.publicKey(seen)));
            }
        });
    }

    private static String hostKey(GitUrl url, String line) {
        if (!url.scheme().equals("ssh")) {
            throw ApiException.invalid("sshHostKey is for ssh sources only");
        }
        try {
            return SshKeys.line(SshKeys.publicKey(line));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("sshHostKey is refused: " + e.getMessage());
        }
    }

    private boolean sameServer(String oldUrl, GitUrl now) {
        GitUrl before = guard.parseStored(oldUrl);
        return before.scheme().equals(now.scheme()) && before.host().equals(now.host())
                && before.effectivePort() == now.effectivePort();
    }

    /** An ssh source takes an ssh key, an http(s) source a token: the other kind could never be sent. */
    private void requireCredentialFits(GitUrl url, String credentialId) {
        if (credentialId == null) {
            return;
        }
        Credential c = credentials.find(credentialId).orElseThrow(() -> ApiException.invalid("credentialId names no credential"));
        boolean ssh = url.scheme().equals("ssh");
        if (ssh != c.type().equals(Credential.SSH_KEY)) {
            throw ApiException.invalid(ssh ? "an ssh source needs an ssh-key credential" : "an http(s) source needs an https-token credential");
        }
    }

    private GitSource existing(String id) {
        return sources.find(id).orElseThrow(() -> Strings.notFound("git source", id));
    }

    private GitUrl url(String repoUrl) {
        if (repoUrl == null) {
            throw ApiException.invalid("repoUrl is required");
        }
        try {
            return guard.requireAllowed(repoUrl);
        } catch (GitUrlRefused e) {
            metrics.counter("traceflow.builds.git.urls_refused", "reason", e.reason()).increment();
            throw ApiException.invalid("repoUrl is refused: " + e.getMessage());
        }
    }

    /** A stored URL, read back with the guard's parser (the connection is checked again when made). */
    private GitUrl storedUrl(GitSource s) {
        try {
            return guard.requireAllowed(s.repoUrl());
        } catch (GitUrlRefused e) {
            throw ApiException.invalid("the source's repoUrl is refused now: " + e.getMessage());
        }
    }

    private GitAuth auth(GitSource s) {
        return unsealed.auth(s);
    }

    private static String branch(String branch) {
        if (branch == null) {
            return null;
        }
        if (!BRANCH.matcher(branch).matches()) {
            throw ApiException.invalid("defaultBranch is not a valid branch name");
        }
        return branch;
    }

    private String credential(String credentialId) {
        if (credentialId == null) {
            return null;
        }
        if (credentials.find(credentialId).isEmpty()) {
            throw ApiException.invalid("credentialId names no credential");
        }
        return credentialId;
    }

    private String schema(JsonNode schema) {
        if (schema == null || schema.isNull()) {
            return null;
        }
        try {
            schemas.compile(schema);
        } catch (SchemaChecker.BadSchema e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "VALIDATION_FAILED", "exposedSchema is refused: " + e.getMessage(),
                    List.of(Map.of("pointer", e.pointer, "message", e.getMessage())), null);
        }
        return CanonicalJson.JSON.writeValueAsString(schema);
    }

    private static Map<String, Object> details(GitSource s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", s.name());
        d.put("repoUrl", s.repoUrl());
        d.put("defaultBranch", s.defaultBranch());
        d.put("credentialId", s.credentialId());
        d.put("exposedSchema", s.exposedSchema() != null);
        d.put("sshHostKey", s.sshHostKey());
        return d;
    }

    static Map<String, Object> view(GitSource s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", s.id());
        v.put("name", s.name());
        v.put("repoUrl", s.repoUrl());
        v.put("defaultBranch", s.defaultBranch());
        v.put("credentialId", s.credentialId());
        v.put("exposedSchema", s.exposedSchema() == null ? null : CanonicalJson.JSON.readTree(s.exposedSchema()));
        if (s.repoUrl().startsWith("ssh://")) {
            v.put("sshHostKey", s.sshHostKey());
            v.put("sshHostKeyFingerprint", s.sshHostKey() == null ? null : SshKeys.fingerprint(SshKeys.publicKey(s.sshHostKey())));
        }
        v.put("createdAt", s.createdAt());
        v.put("updatedAt", s.updatedAt());
        return v;
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
