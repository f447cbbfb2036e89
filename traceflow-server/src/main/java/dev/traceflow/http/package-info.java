/**
 * HTTP plumbing shared by every feature: API.md's error shape ({@link dev.traceflow.http.ApiError},
 * {@link dev.traceflow.http.ApiException}) for our own and the framework's errors, and the
 * per-request trace id that ties an answer to its log lines.
 */
package dev.traceflow.http;
