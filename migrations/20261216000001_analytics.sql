-- Audience analytics: raw events (kept ANALYTICS_RAW_DAYS), folded into per-day rollups
-- (kept). No raw IP is stored anywhere: unique visitors are counted by a hash salted with
-- a random salt of the day, which is deleted once the day is over.

-- One play of an item by a viewer (the player picks the id). `day` is the day it started in
-- the platform's timezone: every beacon of the session counts on that day.
CREATE TABLE viewing_sessions (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id   UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    day          DATE NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set once, when a beacon first shows the end reached (the outbound event goes once).
    completed_at TIMESTAMPTZ
);
CREATE INDEX viewing_sessions_day ON viewing_sessions (day);
CREATE INDEX viewing_sessions_started ON viewing_sessions (started_at);

-- What the player reported, as it was reported: each beacon carries the session's totals so
-- far, so a lost beacon loses nothing and a replayed one adds nothing. Append-only.
CREATE TABLE viewing_beacons (
    id                  BIGSERIAL PRIMARY KEY,
    session_id          UUID NOT NULL REFERENCES viewing_sessions (id) ON DELETE CASCADE,
    received_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Seconds of the media watched, merged and clamped to its duration: start, end, start, …
    watched             INTEGER[] NOT NULL CHECK (cardinality(watched) % 2 = 0),
    startup_ms          INTEGER CHECK (startup_ms >= 0),
    stall_ms            INTEGER NOT NULL CHECK (stall_ms >= 0),
    stalls              INTEGER NOT NULL CHECK (stalls >= 0),
    switches            INTEGER NOT NULL CHECK (switches >= 0),
    failed              BOOLEAN NOT NULL,
    exited_before_start BOOLEAN NOT NULL
);
CREATE INDEX viewing_beacons_session ON viewing_beacons (session_id);

-- Page views of the catalog (content_id NULL) and of items' pages, written in batches from
-- each server's memory. `visitor` is the day's salted hash; the source is the landing's.
CREATE TABLE page_views (
    id          BIGSERIAL PRIMARY KEY,
    day         DATE NOT NULL,
    viewed_at   TIMESTAMPTZ NOT NULL,
    content_id  UUID REFERENCES content (id) ON DELETE CASCADE,
    visitor     BYTEA NOT NULL,
    -- Set on the view that landed from elsewhere: its source, as the rollups group it.
    source      TEXT
);
CREATE INDEX page_views_day ON page_views (day);

CREATE TABLE visitor_salts (
    day  DATE PRIMARY KEY,
    salt BYTEA NOT NULL
);

-- Where a checkout's buyer first came from (the landing kept in their session).
CREATE TABLE checkout_sources (
    purchase_id UUID PRIMARY KEY REFERENCES purchases (id) ON DELETE CASCADE,
    source      TEXT NOT NULL
);

-- One item's day. Retention: viewers still watching at each 1 % of the duration;
-- startup: how many first frames came within each of `domain::analytics::STARTUP_EDGES_MS`.
CREATE TABLE analytics_item_days (
    content_id          UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    day                 DATE NOT NULL,
    sessions            INTEGER NOT NULL,
    views               INTEGER NOT NULL,
    viewers             INTEGER NOT NULL,
    watch_seconds       BIGINT NOT NULL,
    -- Sum over views of the share of the item watched, in thousandths.
    watched_permille    BIGINT NOT NULL,
    completions         INTEGER NOT NULL,
    stall_ms            BIGINT NOT NULL,
    stalls              INTEGER NOT NULL,
    switches            INTEGER NOT NULL,
    failures            INTEGER NOT NULL,
    exits_before_start  INTEGER NOT NULL,
    startup_histogram   INTEGER[] NOT NULL,
    retention           INTEGER[] NOT NULL,
    page_views          INTEGER NOT NULL,
    visitors            INTEGER NOT NULL,
    PRIMARY KEY (content_id, day)
);
CREATE INDEX analytics_item_days_day ON analytics_item_days (day);

-- The storefront's day: catalog page views and the visitors of any page.
CREATE TABLE analytics_site_days (
    day             DATE PRIMARY KEY,
    catalog_views   INTEGER NOT NULL,
    visitors        INTEGER NOT NULL
);

-- Landings per source and page (content_id NULL: the catalog).
CREATE TABLE analytics_source_days (
    day        DATE NOT NULL,
    content_id UUID REFERENCES content (id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    visits     INTEGER NOT NULL
);
CREATE UNIQUE INDEX analytics_source_days_key
    ON analytics_source_days (day, COALESCE(content_id, '00000000-0000-0000-0000-000000000000'), source);

-- What each customer watched of each item per day (their page in /admin/customers).
CREATE TABLE analytics_viewer_days (
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id      UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    day             DATE NOT NULL,
    watch_seconds   BIGINT NOT NULL,
    last_watched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, content_id, day)
);

-- When the figures were last folded (shown on the page).
CREATE TABLE analytics_passes (
    id          BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    finished_at TIMESTAMPTZ NOT NULL
);

-- Revenue as money moves: a sale on the day it completed, a full refund or a lost dispute
-- (as a negative) on the day it ended, a membership payment, net of its refunds, on the day
-- it was paid (content_id NULL). The dashboard and analytics both sum this.
CREATE VIEW revenue_moves AS
SELECT completed_at AS at, content_id, amount_cents::bigint AS cents
FROM purchases
WHERE status IN ('completed', 'refunded', 'disputed', 'dispute_lost') AND completed_at IS NOT NULL
UNION ALL
SELECT ended_at, content_id, -amount_cents::bigint
FROM purchases
WHERE status IN ('refunded', 'dispute_lost') AND ended_at IS NOT NULL
UNION ALL
SELECT paid_at, NULL::uuid, net_cents FROM membership_revenue;

-- Outbound webhooks gain `viewing.completed`.
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_type_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_event_type_check CHECK (event_type IN
    ('sale', 'refund', 'dispute', 'access_granted', 'access_revoked', 'viewing.completed'));
