package dev.traceflow.access;

import java.time.Instant;

/** A user's role on an app. */
public record Membership(String appId, String userId, AppRole role, Instant createdAt) {
}
