-- A thumbnail the owner uploads for an item, shown instead of the one cut from its media.
ALTER TABLE content
    ADD COLUMN thumbnail_type TEXT CHECK (thumbnail_type IN ('image/jpeg', 'image/png', 'image/webp'));
