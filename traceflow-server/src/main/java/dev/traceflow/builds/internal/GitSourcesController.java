package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUrl;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.builds.internal.git.GitUrlRefused;
import dev.traceflow.builds.internal.git.ProbeResult;
import dev.traceflow.builds.internal.git.SshHostKeyCheck;
import dev.traceflow.builds.internal.git.SshKeys;
import dev.traceflow.http.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
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
 * {@code /git-sources} (seed 003 "GitSource"): repositories to build from and their connectivity
 * test (their versions: {@link SourceVersionsController}). Admins write (and test: it makes the
 * server connect out); every signed-in user reads.
 */
@RestController
@Tag(name = "Sources", description = "Git sources and their versions (admins write, signed-in users read)")
class GitSourcesController {

    private static final Logger LOG = LoggerFactory.getLogger(GitSourcesController.class);
    static final int MAX_SOURCES = 1000;
    /** A branch name git accepts, without the forms that could be read as options or ranges. */
    static final Pattern BRANCH = Pattern.compile("(?!-)(?!.*\\.\\.)(?!.*//)[A-Za-z0-9._/+-]{1,200}(?<![./])");

    private final JdbcGitSources sources;
    private final JdbcCredentials credentials;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final SourceRemotes remotes;
    private final GitUrlGuard guard;
    private final GitRemote remote;
    private final SchemaChecker schemas;
    private final MeterRegistry metrics;

    GitSourcesController(JdbcGitSources sources, JdbcCredentials credentials, AppAccess access, AuditLog audit, TransactionTemplate tx,
                         Clock clock, SourceRemotes remotes, GitUrlGuard guard, GitRemote remote, SchemaChecker schemas,
                         MeterRegistry metrics) {
        this.sources = sources;
        this.credentials = credentials;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.remotes = remotes;
        this.guard = guard;
        this.remote = remote;
        this.schemas = schemas;
        this.metrics = metrics;
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
        return view(remotes.existing(id));
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
        GitSource old = remotes.existing(id);
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
        GitSource s = remotes.existing(id);
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
        GitSource s = remotes.existing(id);
        SshHostKeyCheck hostKeys = remotes.hostKeys(s);
        ProbeResult r = remote.probe(remotes.storedUrl(s), remotes.auth(s), hostKeys);
        remotes.rememberHostKey(s, hostKeys);
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
}
