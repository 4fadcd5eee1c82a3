-- A subscription Stripe bills differently from what Codex sold (a plan switched in the
-- portal, a promotion code): what differs, for the owner; its access then never extends
-- past what was paid at the tier's price.
ALTER TABLE subscriptions ADD COLUMN mismatch TEXT;
