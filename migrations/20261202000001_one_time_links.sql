-- Emails that carry a one-time link (verify email, reset password) no longer hold the
-- token: their bodies hold a slot, filled in by the delivery worker from this token id and
-- a key from the environment. The database alone cannot open those links.
ALTER TABLE email_outbox ADD COLUMN link_token_id UUID;

-- Bodies written before this release still hold their tokens; those tokens are spent so
-- that nothing readable from the table opens an account.
UPDATE user_tokens SET used_at = now()
WHERE used_at IS NULL
  AND id IN (SELECT t.id FROM user_tokens t
             JOIN email_outbox e ON e.body_text LIKE '%token=' || replace(t.id::text, '-', '') || '.%');
