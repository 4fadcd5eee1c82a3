-- Media processing moves onto the one job runner: a `process_media` job per item, keyed
-- `process_media:<media id>` so that an item has one at a time.
--
-- A finished job is now kept for a while as `done` (the owner and the tests can tell what
-- ran, and how many tries it took); `PruneFinishedJobs` removes it after a week.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'failed', 'done'));
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE status = 'done';
-- Queueing work again replaces its failed job (`jobs::queue::enqueue`), found by its key.
CREATE INDEX jobs_failed_key ON jobs (unique_key) WHERE status = 'failed';

-- Pending and failed media jobs are carried over with their tries and error, so an upgrade
-- loses no pending work (a running one's worker belongs to the release being replaced: it
-- is queued again; encoding twice writes the same files); done ones are history. The old
-- rows are marked done so that the old release's workers, still running while it rolls
-- out, leave them. `media_jobs` is dropped by a later release, which carries over what the
-- old release queued meanwhile (docs/RUNBOOK.md: migrations stay backwards compatible).
INSERT INTO jobs (kind, payload, unique_key, status, run_at, attempts, max_attempts, last_error,
                  created_at, updated_at)
SELECT 'process_media', jsonb_build_object('media', media_id), 'process_media:' || media_id,
       CASE WHEN status = 'failed' THEN 'failed' ELSE 'queued' END,
       CASE WHEN status = 'running' THEN now() ELSE run_after END,
       attempts, max_attempts, last_error, created_at, updated_at
FROM media_jobs
WHERE status IN ('queued', 'running', 'failed');
UPDATE media_jobs SET status = 'done', locked_until = NULL, updated_at = now()
WHERE status IN ('queued', 'running');
