/**
 * User behaviour answers (API.md "Reading data"): the list of sessions with cursor paging, one
 * session with its event timeline, page transitions ({@code /api/user-behavior/paths}) and click
 * heatmaps per page ({@code /api/user-behavior/heatmap}). The numbers come from the storage
 * backend's {@link dev.traceflow.core.storage.SessionQueries}; parameters, access checks and
 * cursors from {@link dev.traceflow.reading}. Nothing here is used by other features.
 */
package dev.traceflow.behavior;
