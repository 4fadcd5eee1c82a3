-- Payments you can trust: what Stripe said about each payment whatever the order it said it
-- in, access that keeps each of its grounds, disputes, emails written once, reconciliation.

-- Access keeps every ground it has: a purchase and a grant are separate rows, so revoking
-- one keeps the other.
ALTER TABLE access DROP CONSTRAINT access_pkey;
ALTER TABLE access ADD PRIMARY KEY (user_id, content_id, reason);
-- Repair what the single row lost: a purchase completed after a grant was recorded under
-- the grant's reason (and lost with the grant).
INSERT INTO access (user_id, content_id, reason, granted_at)
SELECT DISTINCT ON (user_id, content_id, ground) user_id, content_id, ground,
       COALESCE(completed_at, created_at)
FROM (SELECT user_id, content_id, completed_at, created_at,
             CASE kind WHEN 'checkout' THEN 'purchased' WHEN 'free' THEN 'free' ELSE 'granted' END AS ground
      FROM purchases WHERE status = 'completed') completed
ON CONFLICT (user_id, content_id, reason) DO NOTHING;

ALTER TABLE purchases DROP CONSTRAINT purchases_status_check;
ALTER TABLE purchases ADD CONSTRAINT purchases_status_check CHECK (status IN
    ('pending', 'completed', 'failed', 'refunded', 'revoked', 'disputed', 'dispute_lost'));
-- Tax Stripe added on top of the price (Stripe Tax), in cents.
ALTER TABLE purchases ADD COLUMN tax_cents INTEGER NOT NULL DEFAULT 0 CHECK (tax_cents >= 0);

-- What Stripe has said about one payment. A refund or a dispute can arrive before the
-- payment's purchase is known (events come in any order): it waits here and wins.
CREATE TABLE stripe_payments (
    payment_intent_id     TEXT PRIMARY KEY,
    charge_id             TEXT,
    -- The most Stripe has reported refunded; only grows.
    amount_refunded_cents BIGINT NOT NULL DEFAULT 0,
    fully_refunded        BOOLEAN NOT NULL DEFAULT false,
    dispute_id            TEXT,
    -- open, then won or lost; a closed dispute never reopens.
    dispute_status        TEXT CHECK (dispute_status IN ('open', 'won', 'lost')),
    dispute_reason        TEXT,
    dispute_amount_cents  BIGINT,
    card_brand            TEXT,
    card_last4            TEXT,
    receipt_url           TEXT,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An email a retry or a second event must not send twice carries a key.
ALTER TABLE email_outbox ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX email_outbox_dedupe ON email_outbox (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- `server reconcile` and the daily job: what Stripe's events and sessions of the last 30 days
-- repaired.
CREATE TABLE reconciliation_runs (
    id                     UUID PRIMARY KEY,
    trigger                TEXT NOT NULL CHECK (trigger IN ('daily', 'command')),
    started_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at            TIMESTAMPTZ,
    events_checked         INTEGER NOT NULL DEFAULT 0,
    sessions_checked       INTEGER NOT NULL DEFAULT 0,
    paid_without_access    INTEGER NOT NULL DEFAULT 0,
    access_without_payment INTEGER NOT NULL DEFAULT 0,
    refunds_applied        INTEGER NOT NULL DEFAULT 0,
    disputes_applied       INTEGER NOT NULL DEFAULT 0,
    error                  TEXT
);
CREATE INDEX reconciliation_runs_recent ON reconciliation_runs (started_at DESC);

-- Stripe Tax: Checkout computes and adds tax when the owner turns it on.
ALTER TABLE site_settings ADD COLUMN automatic_tax BOOLEAN NOT NULL DEFAULT false;
