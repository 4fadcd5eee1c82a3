-- Private podcast feeds: audio items get a progressive rendition (AAC in M4A, its size in
-- `media.podcast_bytes`), and each customer a private RSS feed whose URL carries the feed's
-- id and an HMAC of it (never stored). Resetting a feed ends its row and starts a new one.
-- A feed fetched from more networks in a day than the owner allows is reset by itself.

ALTER TABLE media ADD COLUMN podcast_bytes BIGINT CHECK (podcast_bytes > 0);
ALTER TABLE site_settings
    ADD COLUMN feed_networks_per_day SMALLINT NOT NULL DEFAULT 5
        CHECK (feed_networks_per_day BETWEEN 1 AND 100);

CREATE TABLE podcast_feeds (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at   TIMESTAMPTZ,
    -- 'reset' (by its customer), 'shared' (fetched from too many networks in a day).
    end_reason TEXT CHECK (end_reason IN ('reset', 'shared')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE UNIQUE INDEX podcast_feeds_live ON podcast_feeds (user_id) WHERE ended_at IS NULL;

-- The networks (/24 or /48, never an address) a feed was fetched from, per day.
CREATE TABLE podcast_feed_networks (
    feed_id UUID NOT NULL REFERENCES podcast_feeds (id) ON DELETE CASCADE,
    day     DATE NOT NULL,
    network TEXT NOT NULL CHECK (char_length(network) <= 64),
    PRIMARY KEY (feed_id, day, network)
);
