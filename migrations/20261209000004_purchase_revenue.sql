-- What each sale brought in, counted one way everywhere (dashboard, top items, the owner's
-- item list, customers and their export): the price paid while the sale stands (completed,
-- or disputed and not yet lost), less any part refunded; nothing for a refunded sale or a
-- lost dispute; grants are not sales.
CREATE VIEW purchase_revenue AS
SELECT p.id AS purchase_id, p.user_id, p.content_id, p.status, p.completed_at,
       (CASE WHEN p.status IN ('completed', 'disputed')
             THEN p.amount_cents - LEAST(COALESCE(sp.amount_refunded_cents, 0), p.amount_cents)
             ELSE 0 END)::bigint AS net_cents
FROM purchases p
LEFT JOIN stripe_payments sp ON sp.payment_intent_id = p.stripe_payment_intent_id
WHERE p.kind <> 'grant' AND p.completed_at IS NOT NULL;
