-- Builds (issues 21 and 24): who triggered a build, as it was said when they did, and the list of an
-- app's builds. Portable between H2 and PostgreSQL.

-- triggered_by keeps the user's id; these keep the names, frozen at the trigger: a user renamed or
-- deleted, or an API token revoked (its row is deleted), still leaves the build saying who asked.
-- triggered_by_token is the API token's name when the trigger came with one, NULL after a login.
ALTER TABLE builds ADD COLUMN triggered_by_name VARCHAR(64);
ALTER TABLE builds ADD COLUMN triggered_by_token VARCHAR(64);
UPDATE builds SET triggered_by_name = (SELECT u.username FROM users u WHERE u.id = builds.triggered_by)
    WHERE triggered_by IS NOT NULL;

-- GET /builds?appId=: an app's builds, newest first
CREATE INDEX builds_app_queued ON builds (app_id, queued_at);
