package dev.traceflow.benchmark;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The error groups the error-detail endpoint is asked about. The bare call needs a group's
 * fingerprint and the times its metadata would hold; the HTTP call needs the group's id, which only
 * the server knows (read from {@code GET /api/errors} once it runs).
 *
 * @param fingerprints the fingerprints of the loaded error events, as the server computes them
 * @param firstSeen    the earliest loaded event time (what a group's {@code firstSeen} would say)
 * @param lastSeen     the latest one
 * @param groupIds     ids of the server's groups per app, most events first; empty before the server runs
 */
record KnownErrors(List<String> fingerprints, Instant firstSeen, Instant lastSeen, Map<String, List<String>> groupIds) {

    KnownErrors withGroupIds(Map<String, List<String>> ids) {
        return new KnownErrors(fingerprints, firstSeen, lastSeen, Map.copyOf(ids));
    }

    String fingerprint(QueryVariation v) {
        return v.pick(fingerprints);
    }

    String groupId(QueryVariation v) {
        List<String> ids = groupIds.get(v.appId());
        if (ids == null || ids.isEmpty()) {
            throw new IllegalStateException("no error group known for app " + v.appId());
        }
        return v.pick(ids);
    }
}
