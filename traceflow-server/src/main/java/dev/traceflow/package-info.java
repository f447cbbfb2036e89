/**
 * The TraceFlow server. One top-level package per feature (ingest, processing, apps, storage,
 * retention, ops, http); a feature's top package is what other features may use, its
 * {@code internal} sub-package is private to it (checked by ModuleBoundariesTest).
 */
package dev.traceflow;
