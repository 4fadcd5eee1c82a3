-- Emails and webhook deliveries are run by jobs (`jobs_due`); nothing reads the outbox's and
-- the deliveries' own due indexes any more, and every insert paid for them. An old release
-- still running during a rollout finds its due rows without them, only more slowly.
DROP INDEX IF EXISTS email_outbox_due;
DROP INDEX IF EXISTS webhook_deliveries_due;
