package dev.traceflow.auth;

import java.util.Optional;

/** Look-ups of users for other features (e.g. adding a member to an app by username). */
public interface UserDirectory {

    Optional<User> find(String userId);

    /** @param username any case: usernames are unique case-insensitively */
    Optional<User> findByUsername(String username);
}
