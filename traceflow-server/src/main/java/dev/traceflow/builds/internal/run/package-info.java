/**
 * Running builds' commands and their logs (issue 21, items 5 and 6). The three interfaces
 * {@link dev.traceflow.builds.internal.run.CommandRunner}, {@link dev.traceflow.builds.internal.run.BuildLogSink}
 * and {@link dev.traceflow.builds.internal.run.BuildDirectory} are the frozen seam with the build
 * queue and its workers; this package implements the first two (a bubblewrap sandbox, and a durable,
 * masked log on the metadata database with an archive per ended build), serves the log over REST
 * and over the realtime gateway's {@code /ws}, and uses the third to find a build's app.
 */
package dev.traceflow.builds.internal.run;
