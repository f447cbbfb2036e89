package dev.traceflow.builds.internal;

import java.time.Instant;

/** A registered version of a git source: a tag or a commit, with the commit it names. */
record SourceVersion(String id, String gitSourceId, String kind, String tagOrCommit, String commit, String summary, String changelog,
                     boolean usable, Instant createdAt) {
}
