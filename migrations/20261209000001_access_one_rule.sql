-- Who may play what, written once (`backend::access`).
--
-- `tier_unlocks`: the published items each membership tier unlocks (every item, its chosen
-- items, the items of its chosen bundles). Drafts and archived items are never unlocked by
-- a tier.
CREATE VIEW tier_unlocks AS
SELECT t.id AS tier_id, c.id AS content_id
FROM membership_tiers t
JOIN content c
  ON t.all_items
  OR c.id IN (SELECT i.content_id FROM membership_tier_items i WHERE i.tier_id = t.id)
  OR c.id IN (SELECT b.item_id FROM bundle_items b
              JOIN membership_tier_items i ON i.content_id = b.bundle_id
              WHERE i.tier_id = t.id)
WHERE c.status = 'published' AND c.deleted_at IS NULL;

-- `live_access`: the grounds that let someone play an item now (not revoked, not over; a
-- member's only while the item is published). Every read of access goes through it.
CREATE VIEW live_access AS
SELECT a.user_id, a.content_id, a.reason, a.granted_at, a.expires_at, a.started_at
FROM access a
JOIN content c ON c.id = a.content_id
WHERE a.revoked_at IS NULL
  AND (a.expires_at IS NULL OR a.expires_at > now())
  AND (a.reason <> 'member' OR (c.status = 'published' AND c.deleted_at IS NULL));

-- What a bundle's buyer paid for: its published items when the purchase was made, and
-- items the owner added (or published) since. An edit of the bundle never takes one away.
CREATE TABLE purchase_items (
    purchase_id UUID NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
    item_id     UUID NOT NULL REFERENCES content (id),
    PRIMARY KEY (purchase_id, item_id)
);
CREATE INDEX purchase_items_item ON purchase_items (item_id);

INSERT INTO purchase_items (purchase_id, item_id)
SELECT p.id, b.item_id
FROM purchases p JOIN bundle_items b ON b.bundle_id = p.content_id
ON CONFLICT DO NOTHING;

-- Member grounds on items that were never published (the draft leak) end now.
UPDATE access SET revoked_at = now()
WHERE reason = 'member' AND revoked_at IS NULL
  AND content_id IN (SELECT id FROM content WHERE status <> 'published' OR deleted_at IS NOT NULL);

-- Playlists, captions and thumbnails ask by media item.
CREATE INDEX content_media ON content (media_id) WHERE media_id IS NOT NULL;
