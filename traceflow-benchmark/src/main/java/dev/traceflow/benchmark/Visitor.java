package dev.traceflow.benchmark;

/**
 * One simulated browser tab: the identity and device fields every event of that tab repeats.
 *
 * @param userId          null for anonymous visitors (most of them)
 * @param viewportWidth   CSS pixels
 * @param viewportHeight  CSS pixels
 */
record Visitor(String sessionId, String anonymousId, String userId, String userAgent,
               int viewportWidth, int viewportHeight, String release) {
}
