package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.git.GitAuth;

import java.util.Optional;

/**
 * What the fetch step knows of a build's git sources: on the server, the catalogue and its sealed
 * credentials ({@link StoredFetchSources}); in a worker process, only what the claim answer carried
 * for that one build ({@link RemoteWorkers}).
 */
interface FetchSources {

    /** @return the source, or empty when it was deleted since the build was triggered */
    Optional<FetchSource> find(String gitSourceId);

    /**
     * One source as the fetch needs it.
     *
     * @param auth       null for a public repository; its secret is never logged ({@link GitAuth#toString})
     * @param sshHostKey the key an ssh server must show, or null
     */
    record FetchSource(String id, String name, String repoUrl, String defaultBranch, GitAuth auth, String sshHostKey) {
    }
}
