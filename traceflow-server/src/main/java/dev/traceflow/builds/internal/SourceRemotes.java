package dev.traceflow.builds.internal;

import dev.traceflow.audit.AuditLog;
import dev.traceflow.builds.internal.git.GitAuth;
import dev.traceflow.builds.internal.git.GitUnavailable;
import dev.traceflow.builds.internal.git.GitUrl;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.builds.internal.git.GitUrlRefused;
import dev.traceflow.builds.internal.git.SshHostKeyCheck;
import dev.traceflow.builds.internal.git.SshKeys;
import dev.traceflow.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.Map;

/**
 * What the source endpoints need to reach a stored git source: the source, its URL read back through
 * the SSRF guard, its credential, its ssh host key check (and the key recorded at a first connection),
 * and the API's answer when the repository cannot be read.
 */
@Component
class SourceRemotes {

    private static final Logger LOG = LoggerFactory.getLogger(SourceRemotes.class);

    private final JdbcGitSources sources;
    private final StoredFetchSources unsealed;
    private final GitUrlGuard guard;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final BuildsProperties properties;

    SourceRemotes(JdbcGitSources sources, StoredFetchSources unsealed, GitUrlGuard guard, AuditLog audit, TransactionTemplate tx,
                  BuildsProperties properties) {
        this.sources = sources;
        this.unsealed = unsealed;
        this.guard = guard;
        this.audit = audit;
        this.tx = tx;
        this.properties = properties;
    }

    GitSource existing(String id) {
        return sources.find(id).orElseThrow(() -> Strings.notFound("git source", id));
    }

    /** A stored URL, read back with the guard's parser (the connection is checked again when made). */
    GitUrl storedUrl(GitSource s) {
        try {
            return guard.requireAllowed(s.repoUrl());
        } catch (GitUrlRefused e) {
            throw ApiException.invalid("the source's repoUrl is refused now: " + e.getMessage());
        }
    }

    GitAuth auth(GitSource s) {
        return unsealed.auth(s);
    }

    /**
     * The answer when the repository cannot be read: 422 when the source's own settings are what
     * the server refused (its credential, its ssh host key), for the admin to fix; 502 when the
     * server could not be reached or read.
     */
    static ApiException unavailable(GitUnavailable.Cause cause, String problem) {
        return switch (cause) {
            case AUTHENTICATION -> new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "GIT_AUTH_FAILED", problem);
            case HOST_KEY -> new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "SSH_HOST_KEY_MISMATCH", problem);
            case SERVER -> new ApiException(HttpStatus.BAD_GATEWAY, "GIT_UNAVAILABLE", problem);
        };
    }

    /** The host key check of an ssh source (null for https): its recorded key, or trust on first use as configured. */
    SshHostKeyCheck hostKeys(GitSource s) {
        if (!s.repoUrl().startsWith("ssh://")) {
            return null;
        }
        return SshHostKeyCheck.of(s.sshHostKey(), properties.sshTrustOnFirstUse());
    }

    /** Records, with an audit row, the host key an ssh source's server showed at its first connection. */
    void rememberHostKey(GitSource s, SshHostKeyCheck hostKeys) {
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
}
