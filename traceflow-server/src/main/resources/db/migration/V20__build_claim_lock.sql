-- Builds (issue 21): the overall limit on running builds (traceflow.builds.queue.max-running).
-- A claim under that limit locks this one row (SELECT ... FOR UPDATE) before it counts the running
-- builds, so racing claimers, in-process or remote, never start more than the limit together.
CREATE TABLE build_claim_lock (
    id INTEGER PRIMARY KEY
);
INSERT INTO build_claim_lock (id) VALUES (1);
