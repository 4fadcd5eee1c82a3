-- The owner's settings: one row, read on every page, so a change shows at once on every
-- app server.

CREATE TABLE site_settings (
    id                    BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    platform_name         TEXT NOT NULL DEFAULT 'Codex',
    primary_color         TEXT NOT NULL DEFAULT '#3B82F6' CHECK (primary_color ~ '^#[0-9A-Fa-f]{6}$'),
    contact_email         TEXT NOT NULL DEFAULT '',
    business_name         TEXT NOT NULL DEFAULT '',
    timezone              TEXT NOT NULL DEFAULT 'UTC',
    email_from_name       TEXT NOT NULL DEFAULT '',
    email_reply_to        TEXT NOT NULL DEFAULT '',
    send_welcome          BOOLEAN NOT NULL DEFAULT true,
    send_receipt          BOOLEAN NOT NULL DEFAULT true,
    send_sale_notification BOOLEAN NOT NULL DEFAULT true,
    send_refund           BOOLEAN NOT NULL DEFAULT true,
    -- The owner's wording of the welcome and receipt emails ('' for the default).
    welcome_text          TEXT NOT NULL DEFAULT '',
    receipt_text          TEXT NOT NULL DEFAULT '',
    -- The uploaded logo's type (image/png, image/jpeg, image/svg+xml); NULL: none.
    logo_type             TEXT,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO site_settings DEFAULT VALUES;

-- When the user's avatar (a 256 px square JPEG in storage) was last uploaded; NULL: none.
ALTER TABLE users ADD COLUMN avatar_updated_at TIMESTAMPTZ;
