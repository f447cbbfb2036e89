package dev.traceflow.auth;

import java.time.Instant;

/** A person who can log in. Never carries the password hash. @param lastLoginAt null until the first login */
public record User(String id, String username, boolean admin, boolean enabled, Instant createdAt, Instant lastLoginAt) {
}
