-- Email and outbound webhook deliveries move onto the one job runner: each waiting email
-- gets a `deliver_email` job, each waiting webhook delivery a `deliver_webhook` job, with the
-- tries it has had, due when it was due; the outbox and delivery rows stay the owner's log.
-- Their `next_attempt_at` is pushed out of reach so that the old release's workers, still
-- running while this one rolls out, leave them to the jobs (the column goes in a later
-- release; docs/RUNBOOK.md: migrations stay backwards compatible).
INSERT INTO jobs (kind, payload, unique_key, run_at, attempts, max_attempts, last_error)
SELECT 'deliver_email', jsonb_build_object('email', id), 'deliver_email:' || id,
       next_attempt_at, least(attempts, 5), 6, last_error
FROM email_outbox
WHERE status = 'pending';
UPDATE email_outbox SET next_attempt_at = 'infinity' WHERE status = 'pending';

INSERT INTO jobs (kind, payload, unique_key, run_at, attempts, max_attempts, last_error)
SELECT 'deliver_webhook', jsonb_build_object('delivery', id), 'deliver_webhook:' || id,
       next_attempt_at, least(attempts, 7), 8, last_error
FROM webhook_deliveries
WHERE status = 'pending';
UPDATE webhook_deliveries SET next_attempt_at = 'infinity' WHERE status = 'pending';
