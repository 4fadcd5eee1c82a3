-- A discount code's uses: paid (or refunded, disputed) checkouts, and the customers with a
-- checkout still payable (younger than `window`, the Checkout Session's lifetime), each
-- counted once; `customer`'s own open checkout does not count against them.
CREATE FUNCTION discount_code_uses(code UUID, customer UUID, checkout_window INTERVAL)
RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT count(*) FILTER (WHERE status <> 'pending')
           + count(DISTINCT user_id) FILTER (WHERE status = 'pending'
                                               AND created_at > now() - checkout_window
                                               AND user_id IS DISTINCT FROM customer)
    FROM purchases
    WHERE discount_code_id = code AND status <> 'failed'
$$;
