package dev.traceflow.builds.internal.git;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.semver4j.Semver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The versions a fetched mirror offers (for {@link GitRemote#versions}): its tags in semver order,
 * each with the changelog since the tag before, then the default branch's recent commits.
 */
final class MirrorVersions {

    static final int MAX_CHANGELOG_COMMITS = 50;
    static final int RECENT_COMMITS = 50;
    /** Refs with names outside this are not offered as versions (they could not be named in a strategy). */
    private static final Pattern REF_NAME = Pattern.compile("[A-Za-z0-9._/+-]{1,200}");

    private MirrorVersions() {
    }

    /**
     * @param branch  the default branch, whose recent commits are versions too (null: none)
     * @param maxTags repositories with more tags are refused (they would not fit a listing)
     * @throws GitUnavailable for more than {@code maxTags} tags
     */
    static List<RemoteVersion> read(Repository repo, String branch, int maxTags) throws IOException {
        List<Ref> tags = repo.getRefDatabase().getRefsByPrefix(Constants.R_TAGS);
        if (tags.size() > maxTags) {
            throw new GitUnavailable("the repository has " + tags.size() + " tags; at most " + maxTags + " are read");
        }
        List<RemoteVersion> out = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            record Tagged(String name, RevCommit commit, String summary, Semver semver) {
            }
            List<Tagged> tagged = new ArrayList<>();
            for (Ref ref : tags) {
                String name = ref.getName().substring(Constants.R_TAGS.length());
                if (!REF_NAME.matcher(name).matches()) {
                    continue;
                }
                RevObject object = walk.parseAny(ref.getObjectId());
                String summary = null;
                if (object instanceof RevTag tag) {
                    summary = GitFailures.firstLine(tag.getShortMessage());
                }
                RevObject peeled = walk.peel(object);
                if (!(peeled instanceof RevCommit commit)) {
                    continue; // a tag of a tree or blob is no version
                }
                walk.parseBody(commit);
                tagged.add(new Tagged(name, commit, summary == null || summary.isEmpty() ? GitFailures.firstLine(commit.getShortMessage()) : summary,
                        Semver.parse(name.startsWith("v") ? name.substring(1) : name)));
            }
            // semver tags in semver order, the others after them by commit time: the changelog of each runs from the one before
            tagged.sort(Comparator.comparing(Tagged::semver, Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(t -> t.commit().getCommitTime()).thenComparing(Tagged::name));
            RevCommit previous = null;
            for (Tagged t : tagged) {
                out.add(new RemoteVersion("tag", t.name(), t.commit().name(), t.summary(), changelog(walk, t.commit(), previous)));
                previous = t.commit();
            }
            if (branch != null) {
                ObjectId head = repo.resolve(Constants.R_HEADS + branch);
                if (head != null) {
                    walk.reset();
                    walk.markStart(walk.parseCommit(head));
                    int n = 0;
                    for (RevCommit c : walk) {
                        if (n++ >= RECENT_COMMITS) {
                            break;
                        }
                        out.add(new RemoteVersion("commit", c.name(), c.name(), GitFailures.firstLine(c.getShortMessage()),
                                GitFailures.truncate(c.getFullMessage(), 4000)));
                    }
                }
            }
        }
        return out;
    }

    private static String changelog(RevWalk walk, RevCommit to, RevCommit from) throws IOException {
        walk.reset();
        walk.markStart(to);
        if (from != null && !from.equals(to)) {
            walk.markUninteresting(from);
        }
        StringBuilder log = new StringBuilder();
        int n = 0;
        for (RevCommit c : walk) {
            if (n++ >= MAX_CHANGELOG_COMMITS) {
                log.append("...\n");
                break;
            }
            log.append(c.name(), 0, 7).append(' ').append(GitFailures.firstLine(c.getShortMessage())).append('\n');
        }
        return log.toString();
    }
}
