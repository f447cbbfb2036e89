-- Builds part 1 leftovers (issue 20): ssh git sources and paged versions.

-- The ssh server's host key of an ssh source, one line "<type> <base64>" (as ssh-keyscan prints it
-- without the host): given by an admin, or recorded at the first connection (trust on first use).
-- Any other key is refused. Null for https sources, and for ssh sources not reached yet.
ALTER TABLE git_sources ADD COLUMN ssh_host_key VARCHAR(4096);

-- GET /git-sources/{id}/versions pages in this order (tags, then commits; registration order;
-- tag_or_commit breaks ties), continuing after the last row of the previous page.
CREATE INDEX source_versions_page ON source_versions (git_source_id, kind, created_at, tag_or_commit);
