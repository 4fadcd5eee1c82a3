-- Bundles: an item that holds several items. Buying it (one checkout, one purchase) gives
-- access to each; the ground of that access is the bundle's purchase, so a refund of it
-- ends them all, and an item also bought on its own stays.

ALTER TABLE content ADD COLUMN is_bundle BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE bundle_items (
    bundle_id UUID NOT NULL REFERENCES content (id),
    item_id   UUID NOT NULL REFERENCES content (id),
    position  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bundle_id, item_id),
    CHECK (bundle_id <> item_id)
);
CREATE INDEX bundle_items_item ON bundle_items (item_id);
