package dev.traceflow.builds.internal;

import java.time.Instant;

/** A project of an app, built with a template; the app's roles apply to it and its configs. */
record Project(String id, String appId, String name, String customer, String environment, String templateId, String ownerId,
               Instant createdAt, Instant updatedAt) {
}
