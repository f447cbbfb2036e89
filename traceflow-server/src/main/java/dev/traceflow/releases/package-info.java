/**
 * Release health (issue 23): per release of an app, how many sessions (runs of the app, as Sentry
 * SDKs report them) there were, how many crashed, errored or ended abnormally, how many users they
 * had, and the crash-free session and user rates; the storage backend's
 * {@link dev.traceflow.core.storage.ReleaseHealthQueries} computes them.
 */
package dev.traceflow.releases;
