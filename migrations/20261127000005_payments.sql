-- Purchases (Stripe Checkout, free items, the owner's grants), the Stripe events already
-- handled, and rate-limit windows that start at a client's first request.

CREATE TABLE purchases (
    id                       UUID PRIMARY KEY,
    user_id                  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id               UUID NOT NULL REFERENCES content (id),
    kind                     TEXT NOT NULL CHECK (kind IN ('checkout', 'free', 'grant')),
    status                   TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'refunded', 'revoked')),
    -- The price read on the server when the purchase started, in US cents.
    amount_cents             INTEGER NOT NULL CHECK (amount_cents >= 0),
    currency                 TEXT NOT NULL DEFAULT 'usd',
    stripe_session_id        TEXT UNIQUE,
    stripe_checkout_url      TEXT,
    stripe_payment_intent_id TEXT,
    stripe_refund_id         TEXT,
    failure_reason           TEXT,
    refund_reason            TEXT,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at             TIMESTAMPTZ,
    ended_at                 TIMESTAMPTZ,
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX purchases_user ON purchases (user_id, created_at DESC);
CREATE INDEX purchases_created ON purchases (created_at DESC);
CREATE INDEX purchases_content ON purchases (content_id) WHERE status = 'completed';
CREATE INDEX purchases_payment_intent ON purchases (stripe_payment_intent_id)
    WHERE stripe_payment_intent_id IS NOT NULL;

-- Each Stripe event is handled once: its id is written in the transaction that handles it.
CREATE TABLE stripe_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One counter per bucket; its window starts at the first request and restarts after it ends.
DELETE FROM rate_limits;
ALTER TABLE rate_limits DROP CONSTRAINT rate_limits_pkey;
ALTER TABLE rate_limits ADD PRIMARY KEY (bucket);
