-- Selling tools: discount codes, pay what you want, rentals.

-- A code the owner hands out: a percentage or an amount off, until an expiry, for a number
-- of uses, on every item or on the items listed in `discount_code_items`.
CREATE TABLE discount_codes (
    id               UUID PRIMARY KEY,
    -- Stored upper case; customers type it in any case.
    code             TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{3,32}$'),
    percent_off      INTEGER CHECK (percent_off BETWEEN 1 AND 100),
    amount_off_cents INTEGER CHECK (amount_off_cents BETWEEN 1 AND 99999),
    expires_at       TIMESTAMPTZ,
    max_uses         INTEGER CHECK (max_uses > 0),
    all_items        BOOLEAN NOT NULL DEFAULT true,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((percent_off IS NULL) <> (amount_off_cents IS NULL))
);

CREATE TABLE discount_code_items (
    code_id    UUID NOT NULL REFERENCES discount_codes (id) ON DELETE CASCADE,
    content_id UUID NOT NULL REFERENCES content (id),
    PRIMARY KEY (code_id, content_id)
);

-- How an item is offered besides its price: pay what you want (`price_cents` is then the
-- minimum) and rent (a price, days to start watching, hours to watch once started).
ALTER TABLE content
    ADD COLUMN pay_what_you_want     BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN suggested_price_cents INTEGER CHECK (suggested_price_cents BETWEEN 100 AND 99999),
    ADD COLUMN rental_price_cents    INTEGER CHECK (rental_price_cents BETWEEN 100 AND 99999),
    ADD COLUMN rental_window_days    INTEGER NOT NULL DEFAULT 30 CHECK (rental_window_days BETWEEN 1 AND 365),
    ADD COLUMN rental_viewing_hours  INTEGER NOT NULL DEFAULT 72 CHECK (rental_viewing_hours BETWEEN 1 AND 720);

-- A purchase buys or rents; it may carry a code, and the list price it was taken off.
ALTER TABLE purchases
    ADD COLUMN offer             TEXT NOT NULL DEFAULT 'buy' CHECK (offer IN ('buy', 'rent')),
    ADD COLUMN discount_code_id  UUID REFERENCES discount_codes (id) ON DELETE SET NULL,
    -- The code as typed (upper case), kept when the owner deletes it.
    ADD COLUMN discount_code     TEXT,
    ADD COLUMN list_price_cents  INTEGER CHECK (list_price_cents >= 0),
    -- The rental's terms when it was bought: the owner may change them later.
    ADD COLUMN rental_window_days   INTEGER,
    ADD COLUMN rental_viewing_hours INTEGER;
CREATE INDEX purchases_discount_code ON purchases (discount_code_id)
    WHERE discount_code_id IS NOT NULL;

-- A rental is access that ends: `expires_at` is the end of the window to start watching,
-- moved to the end of the viewing period at the first play (`started_at`).
ALTER TABLE access DROP CONSTRAINT access_reason_check;
ALTER TABLE access ADD CONSTRAINT access_reason_check
    CHECK (reason IN ('purchased', 'free', 'granted', 'rented'));
ALTER TABLE access
    ADD COLUMN expires_at    TIMESTAMPTZ,
    ADD COLUMN started_at    TIMESTAMPTZ,
    ADD COLUMN viewing_hours INTEGER,
    ADD CHECK ((reason = 'rented') = (expires_at IS NOT NULL));
