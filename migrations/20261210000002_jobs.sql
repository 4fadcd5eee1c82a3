-- One job runner for every kind of background work (backend/src/jobs): a job is a kind and a
-- JSON payload, claimed with FOR UPDATE SKIP LOCKED under a lease its runner renews while it
-- works (a runner that dies leaves the lease to run out, and another runner takes the job
-- again). A job that fails is retried with backoff and jitter, then kept as failed, with its
-- error, for the owner to see and retry. A job done is deleted.
CREATE TABLE jobs (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      JSONB NOT NULL DEFAULT 'null',
    -- A job that must exist once while it waits or runs (a periodic job, one per item…).
    unique_key   TEXT,
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'failed')),
    run_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';

-- Periodic jobs: when each kind runs next, whichever instance gets there first.
CREATE TABLE job_schedules (
    kind        TEXT PRIMARY KEY,
    every_secs  INTEGER NOT NULL CHECK (every_secs > 0),
    next_run_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Sample content requests become `seed_samples` jobs; a request still waiting or retrying is
-- carried over with its tries and error, so an upgrade loses no pending work.
INSERT INTO jobs (kind, payload, unique_key, status, attempts, max_attempts, last_error)
SELECT 'seed_samples', jsonb_build_object('owner', owner_id), 'seed_samples',
       CASE WHEN attempts >= 2 THEN 'failed' ELSE 'queued' END, attempts, 2, last_error
FROM sample_requests
ORDER BY requested_at
LIMIT 1;
DROP TABLE sample_requests;
