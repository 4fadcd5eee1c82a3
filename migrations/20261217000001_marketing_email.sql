-- Marketing email: consent per category, the suppression list, broadcasts, the abandoned
-- checkout automation, and one row per recipient of each marketing email (`marketing_emails`)
-- so that nobody is mailed twice by a retry, a second click or a restart.

-- Consent, never given by default. `marketing_consented_at`: when the person last said yes
-- (kept as the proof of consent).
ALTER TABLE users
    ADD COLUMN news_emails            BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN release_emails         BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN marketing_consented_at TIMESTAMPTZ;

-- Addresses no broadcast or automation mails again, and why. Transactional email ignores it.
CREATE TABLE email_suppressions (
    -- Lower case.
    address    TEXT PRIMARY KEY CHECK (address = lower(address)),
    reason     TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'hard_bounce')),
    -- The SMTP server's answer for a bounce.
    detail     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE broadcasts (
    id            UUID PRIMARY KEY,
    subject       TEXT NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
    body_markdown TEXT NOT NULL CHECK (char_length(body_markdown) BETWEEN 1 AND 50000),
    -- Which consent it needs: 'news' or 'releases'.
    category      TEXT NOT NULL CHECK (category IN ('news', 'releases')),
    -- `domain::marketing::Segment` as JSON.
    segment       JSONB NOT NULL,
    -- draft → scheduled → queued (its recipients written) → sent (all of them tried).
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'queued', 'sent')),
    -- When it goes (set when it is scheduled or sent now).
    send_at       TIMESTAMPTZ,
    recipients    INTEGER,
    queued_at     TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (status = 'draft' OR send_at IS NOT NULL)
);
CREATE INDEX broadcasts_scheduled ON broadcasts (send_at) WHERE status = 'scheduled';

-- The owner's settings of the abandoned checkout automation (one row).
CREATE TABLE abandoned_checkout_settings (
    id            BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    enabled       BOOLEAN NOT NULL DEFAULT true,
    delay_hours   INTEGER NOT NULL DEFAULT 1 CHECK (delay_hours BETWEEN 1 AND 168),
    -- A discount code offered in the email ('' for none).
    discount_code TEXT NOT NULL DEFAULT ''
);
INSERT INTO abandoned_checkout_settings DEFAULT VALUES;

-- The owner's automated sequences: each step an email `delay_days` after its reason (welcome:
-- the address verified; after_purchase: item `content_id` first paid; win_back: a membership
-- ended). Up to 5 steps per sequence.
CREATE TABLE automation_steps (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    automation    TEXT NOT NULL CHECK (automation IN ('welcome', 'after_purchase', 'win_back')),
    content_id    UUID REFERENCES content (id) ON DELETE CASCADE,
    delay_days    INTEGER NOT NULL CHECK (delay_days BETWEEN 0 AND 365),
    subject       TEXT NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
    body_markdown TEXT NOT NULL CHECK (char_length(body_markdown) BETWEEN 1 AND 50000),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((automation = 'after_purchase') = (content_id IS NOT NULL))
);
CREATE INDEX automation_steps_kind ON automation_steps (automation, content_id);

-- One marketing email to one person: a broadcast's recipient, or an automation's email. The
-- unique keys make queueing idempotent; `status` moves pending → sending → a final state
-- once, and a row found `sending` after a crash is never sent again (`unknown`): mailed at
-- most once.
CREATE TABLE marketing_emails (
    id                    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    broadcast_id          UUID REFERENCES broadcasts (id) ON DELETE CASCADE,
    -- 'abandoned_checkout' for the automation's emails.
    automation            TEXT CHECK (automation IN ('abandoned_checkout', 'welcome', 'after_purchase', 'win_back')),
    -- The step of a sequence it is (none for the abandoned checkout email).
    step_id               UUID REFERENCES automation_steps (id) ON DELETE CASCADE,
    content_id            UUID REFERENCES content (id) ON DELETE CASCADE,
    user_id               UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category              TEXT NOT NULL CHECK (category IN ('news', 'releases')),
    status                TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
        ('pending', 'sending', 'sent', 'failed', 'bounced', 'skipped', 'unknown')),
    -- Why it was skipped (unsubscribed, suppressed, bought already …) or failed.
    note                  TEXT,
    due_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts              INTEGER NOT NULL DEFAULT 0,
    -- The address it went to.
    address               TEXT,
    sent_at               TIMESTAMPTZ,
    -- The purchase an abandoned checkout email brought back.
    recovered_purchase_id UUID REFERENCES purchases (id) ON DELETE SET NULL,
    -- When its recipient unsubscribed through its link.
    unsubscribed_at       TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((broadcast_id IS NULL) <> (automation IS NULL)),
    UNIQUE (broadcast_id, user_id),
    UNIQUE (step_id, user_id)
);
-- The abandoned checkout email: once per customer and item, ever.
CREATE UNIQUE INDEX marketing_emails_abandoned ON marketing_emails (user_id, content_id)
    WHERE automation = 'abandoned_checkout';
CREATE INDEX marketing_emails_due ON marketing_emails (due_at) WHERE status = 'pending';
CREATE INDEX marketing_emails_sending ON marketing_emails (id) WHERE status = 'sending';
CREATE INDEX marketing_emails_user ON marketing_emails (user_id, created_at DESC);

-- Members now: a subscription that is paid up (or being retried) and not past its access.
CREATE VIEW current_members AS
SELECT DISTINCT user_id, tier_id
FROM subscriptions
WHERE status IN ('active', 'trialing', 'past_due') AND access_until > now();

-- Who may get marketing email of `category`: verified customers who consented to it and
-- whose address is not suppressed.
CREATE FUNCTION marketing_audience(category TEXT)
RETURNS TABLE (user_id UUID) LANGUAGE sql STABLE AS $$
    SELECT u.id FROM users u
    WHERE u.role = 'customer' AND u.email_verified_at IS NOT NULL
      AND CASE category WHEN 'news' THEN u.news_emails WHEN 'releases' THEN u.release_emails ELSE false END
      AND NOT EXISTS (SELECT 1 FROM email_suppressions s WHERE s.address = lower(u.email))
$$;

-- A broadcast's recipients (`domain::marketing::Segment`): the audience of its category in
-- the segment. Both the count the owner sees and the queueing read it.
CREATE FUNCTION broadcast_recipients(category TEXT, segment JSONB)
RETURNS TABLE (user_id UUID) LANGUAGE sql STABLE AS $$
    SELECT a.user_id FROM marketing_audience(category) a
    WHERE CASE segment->>'kind'
        WHEN 'everyone' THEN true
        WHEN 'buyers' THEN EXISTS (
            SELECT 1 FROM purchases p
            WHERE p.user_id = a.user_id AND p.status = 'completed'
              AND (p.content_id IN (SELECT (jsonb_array_elements_text(segment->'items'))::uuid)
                   OR EXISTS (SELECT 1 FROM purchase_items i
                              WHERE i.purchase_id = p.id
                                AND i.item_id IN (SELECT (jsonb_array_elements_text(segment->'items'))::uuid))))
        WHEN 'members' THEN EXISTS (
            SELECT 1 FROM current_members m
            WHERE m.user_id = a.user_id AND m.tier_id = (segment->>'tier')::uuid)
        WHEN 'lapsed' THEN NOT EXISTS (
            SELECT 1 FROM purchases p
            WHERE p.user_id = a.user_id AND p.status = 'completed' AND p.amount_cents > 0
              AND p.completed_at > now() - make_interval(days => (segment->>'days')::int))
        WHEN 'free_only' THEN NOT EXISTS (
            SELECT 1 FROM purchases p
            WHERE p.user_id = a.user_id AND p.amount_cents > 0
              AND p.status IN ('completed', 'refunded', 'disputed', 'dispute_lost'))
          AND NOT EXISTS (
            SELECT 1 FROM subscriptions s
            WHERE s.user_id = a.user_id AND s.stripe_subscription_id IS NOT NULL)
        ELSE false
    END
$$;

-- Revenue's moves name their purchase (added last, as a view may only grow at its end), so
-- that the revenue an email recovered is counted as all revenue is.
CREATE OR REPLACE VIEW revenue_moves AS
SELECT completed_at AS at, content_id, amount_cents::bigint AS cents, id AS purchase_id
FROM purchases
WHERE status IN ('completed', 'refunded', 'disputed', 'dispute_lost') AND completed_at IS NOT NULL
UNION ALL
SELECT ended_at, content_id, -amount_cents::bigint, id
FROM purchases
WHERE status IN ('refunded', 'dispute_lost') AND ended_at IS NOT NULL
UNION ALL
SELECT paid_at, NULL::uuid, net_cents, NULL::uuid FROM membership_revenue;
