package dev.traceflow.builds.internal.run;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;

/**
 * Build logs ({@code traceflow.builds.logs.*}, e.g. {@code TRACEFLOW_BUILDS_LOGS_MAX_LINE_CHARS}).
 *
 * @param dir               where each ended build's log is archived as one file; default {@code <data-dir>/builds/logs}
 * @param maxLineChars      longer lines are cut (and say so at their end)
 * @param maxLinesPerAppend the most lines one append may carry
 * @param pageSize          the most lines one {@code GET /builds/{id}/logs} answers (and one follower step sends)
 * @param minSecretChars    secrets shorter than this are not masked (masking a two-letter word would shred the log);
 *                          the credential and variable rules keep real secrets longer
 * @param maxSecretsPerBuild the most secrets one build may register
 * @param recentLines       lines of each running build kept in memory too, for followers (replays beyond them read the database)
 * @param pruneArchived     delete a build's rows once its archive is written (reads then come from the archive);
 *                          off by default: the rows are kept, and a retention job may prune them later
 */
@ConfigurationProperties("traceflow.builds.logs")
public record BuildLogProperties(Path dir,
                                 @DefaultValue("8192") int maxLineChars,
                                 @DefaultValue("10000") int maxLinesPerAppend,
                                 @DefaultValue("1000") int pageSize,
                                 @DefaultValue("6") int minSecretChars,
                                 @DefaultValue("200") int maxSecretsPerBuild,
                                 @DefaultValue("20000") int recentLines,
                                 @DefaultValue("false") boolean pruneArchived) {
}
