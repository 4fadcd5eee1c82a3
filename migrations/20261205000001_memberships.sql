-- Memberships: tiers sold as Stripe subscriptions (monthly and/or yearly), each unlocking
-- the items the owner chose (or every item) while the subscription is live.

CREATE TABLE membership_tiers (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name                TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    description         TEXT NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    monthly_price_cents INTEGER CHECK (monthly_price_cents BETWEEN 100 AND 99999999),
    yearly_price_cents  INTEGER CHECK (yearly_price_cents BETWEEN 100 AND 99999999),
    all_items           BOOLEAN NOT NULL DEFAULT false,
    -- A retired tier is no longer sold; its members keep it until their subscription ends.
    retired_at          TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (monthly_price_cents IS NOT NULL OR yearly_price_cents IS NOT NULL)
);
CREATE UNIQUE INDEX membership_tiers_name ON membership_tiers (lower(name))
    WHERE retired_at IS NULL;

CREATE TABLE membership_tier_items (
    tier_id    UUID NOT NULL REFERENCES membership_tiers (id) ON DELETE CASCADE,
    content_id UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    PRIMARY KEY (tier_id, content_id)
);
CREATE INDEX membership_tier_items_content ON membership_tier_items (content_id);

-- One row per subscription Checkout started; its Stripe state is copied from Stripe's own
-- subscription object each time an event about it arrives (never from the event), so any
-- order of events ends in Stripe's current state.
CREATE TABLE subscriptions (
    id                         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tier_id                    UUID NOT NULL REFERENCES membership_tiers (id),
    billing_interval           TEXT NOT NULL CHECK (billing_interval IN ('month', 'year')),
    amount_cents               INTEGER NOT NULL CHECK (amount_cents > 0),
    stripe_checkout_session_id TEXT UNIQUE,
    stripe_checkout_url        TEXT,
    stripe_subscription_id     TEXT UNIQUE,
    stripe_customer_id         TEXT,
    -- `checkout` until Stripe has a subscription, then Stripe's status.
    status                     TEXT NOT NULL DEFAULT 'checkout' CHECK (status IN (
        'checkout', 'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due',
        'unpaid', 'canceled', 'paused')),
    current_period_start       TIMESTAMPTZ,
    current_period_end         TIMESTAMPTZ,
    cancel_at_period_end       BOOLEAN NOT NULL DEFAULT false,
    -- Derived from the above (`domain::memberships::access_until`): the member's items
    -- play until then.
    access_until               TIMESTAMPTZ,
    created_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                 TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_user ON subscriptions (user_id);
CREATE INDEX subscriptions_tier ON subscriptions (tier_id);

-- A member's access ends with the subscription, as a rental's does.
ALTER TABLE access DROP CONSTRAINT access_reason_check;
ALTER TABLE access ADD CONSTRAINT access_reason_check
    CHECK (reason IN ('purchased', 'free', 'granted', 'rented', 'member'));
ALTER TABLE access DROP CONSTRAINT access_check;
ALTER TABLE access ADD CONSTRAINT access_expires_check
    CHECK ((reason IN ('rented', 'member')) = (expires_at IS NOT NULL));
