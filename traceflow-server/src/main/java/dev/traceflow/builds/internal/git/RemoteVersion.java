package dev.traceflow.builds.internal.git;

/**
 * A version found in a repository.
 *
 * @param kind        {@code tag} or {@code commit}
 * @param tagOrCommit the tag's name, or the commit's full SHA
 * @param commit      the commit's full SHA (annotated tags peeled)
 * @param summary     the first line of the tag's or commit's message
 * @param changelog   the first lines of the commits since the previous version (a tag: since the
 *                    tag before it in semver or time order; a commit: its own message), newest first,
 *                    at most {@link GitRemote#MAX_CHANGELOG_COMMITS}
 */
public record RemoteVersion(String kind, String tagOrCommit, String commit, String summary, String changelog) {
}
