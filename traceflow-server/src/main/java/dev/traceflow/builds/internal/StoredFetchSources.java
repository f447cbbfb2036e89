package dev.traceflow.builds.internal;

import dev.traceflow.auth.SecretSealer;
import dev.traceflow.builds.internal.git.GitAuth;
import org.springframework.stereotype.Component;

import java.util.Optional;

/** The server's git sources with their credentials unsealed: what in-process workers fetch with, and what a claim hands a remote one. */
@Component
class StoredFetchSources implements FetchSources {

    private final JdbcGitSources sources;
    private final JdbcCredentials credentials;
    private final SecretSealer sealer;

    StoredFetchSources(JdbcGitSources sources, JdbcCredentials credentials, SecretSealer sealer) {
        this.sources = sources;
        this.credentials = credentials;
        this.sealer = sealer;
    }

    @Override
    public Optional<FetchSource> find(String gitSourceId) {
        return sources.find(gitSourceId).map(s -> new FetchSource(s.id(), s.name(), s.repoUrl(), s.defaultBranch(), auth(s), s.sshHostKey()));
    }

    /** The source's credential as git is shown it (a token for https, the deploy key for ssh); null without one. */
    GitAuth auth(GitSource s) {
        if (s.credentialId() == null) {
            return null;
        }
        Credential c = credentials.find(s.credentialId()).orElse(null);
        if (c == null) {
            return null;
        }
        String secret = sealer.unseal(c.secretSealed(), c.id());
        return c.type().equals(Credential.SSH_KEY) ? GitAuth.sshKey(c.username(), secret) : new GitAuth(c.username(), secret);
    }
}
