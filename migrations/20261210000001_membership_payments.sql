-- Each paid invoice of a membership, with the payment that paid it, so that a refund or a
-- dispute of that payment (kept in stripe_payments as for any payment) reaches the owner
-- and counts in the figures. Filled from `invoice.paid` and, on API versions since
-- 2025-03-31, `invoice_payment.paid`, in whichever order they come.
CREATE TABLE membership_payments (
    invoice_id             TEXT PRIMARY KEY,
    stripe_subscription_id TEXT,
    payment_intent_id      TEXT,
    -- What the invoice took, tax included, and the tax in it.
    amount_paid_cents      BIGINT CHECK (amount_paid_cents >= 0),
    tax_cents              BIGINT NOT NULL DEFAULT 0 CHECK (tax_cents >= 0),
    currency               TEXT,
    paid_at                TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX membership_payments_subscription ON membership_payments (stripe_subscription_id);
CREATE INDEX membership_payments_payment ON membership_payments (payment_intent_id);
CREATE INDEX membership_payments_paid ON membership_payments (paid_at DESC);

-- What each membership payment brought in, counted as `purchase_revenue` counts a sale:
-- the price paid (tax aside) while it stands, less any part refunded; nothing once fully
-- refunded or a dispute is lost.
CREATE VIEW membership_revenue AS
SELECT m.invoice_id, s.id AS subscription_id, s.user_id, s.tier_id, m.paid_at,
       (m.amount_paid_cents - m.tax_cents)::bigint AS amount_cents,
       LEAST(COALESCE(sp.amount_refunded_cents, 0), m.amount_paid_cents - m.tax_cents)::bigint
           AS refunded_cents,
       COALESCE(sp.fully_refunded, false) AS fully_refunded,
       sp.dispute_status,
       (CASE WHEN COALESCE(sp.fully_refunded, false) OR sp.dispute_status = 'lost' THEN 0
             ELSE m.amount_paid_cents - m.tax_cents
                  - LEAST(COALESCE(sp.amount_refunded_cents, 0), m.amount_paid_cents - m.tax_cents)
        END)::bigint AS net_cents
FROM membership_payments m
JOIN subscriptions s ON s.stripe_subscription_id = m.stripe_subscription_id
LEFT JOIN stripe_payments sp ON sp.payment_intent_id = m.payment_intent_id
WHERE m.paid_at IS NOT NULL AND m.amount_paid_cents IS NOT NULL;
