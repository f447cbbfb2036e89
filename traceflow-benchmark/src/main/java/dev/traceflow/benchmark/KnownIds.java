package dev.traceflow.benchmark;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The ids the detail endpoints are asked about. The error detail's bare call needs a group's
 * fingerprint and the times its metadata would hold; its HTTP call needs the group's id, which only
 * the server knows (read from {@code GET /api/errors} once it runs). The session detail asks, for
 * each variation, a session that starts in that variation's range and matches its filters (found in
 * the loaded file before timing), so both sides find it.
 *
 * @param fingerprints the fingerprints of the loaded error events, as the server computes them
 * @param firstSeen    the earliest loaded event time (what a group's {@code firstSeen} would say)
 * @param lastSeen     the latest one
 * @param groupIds     ids of the server's groups per app, most events first; empty before the server runs
 * @param sessionIds   a session id per variation index
 */
record KnownIds(List<String> fingerprints, Instant firstSeen, Instant lastSeen, Map<String, List<String>> groupIds,
                Map<Integer, String> sessionIds) {

    KnownIds withGroupIds(Map<String, List<String>> ids) {
        return new KnownIds(fingerprints, firstSeen, lastSeen, Map.copyOf(ids), sessionIds);
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

    String sessionId(QueryVariation v) {
        String id = sessionIds.get(v.index());
        if (id == null) {
            throw new IllegalStateException("no session known for variation " + v.index());
        }
        return id;
    }
}
