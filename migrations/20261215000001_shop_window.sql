-- The catalog as a shop window: the creator's short introduction above it, and one item the
-- owner features there (shown while it is published; forgotten if the row goes).
ALTER TABLE site_settings
    ADD COLUMN introduction        TEXT NOT NULL DEFAULT '' CHECK (char_length(introduction) <= 500),
    ADD COLUMN featured_content_id UUID REFERENCES content (id) ON DELETE SET NULL;

-- The catalog and the items' pages show the owner's name and picture as the creator's.
CREATE TRIGGER catalog_changed
    AFTER UPDATE OF name, avatar_updated_at ON users
    FOR EACH ROW WHEN (NEW.role = 'owner')
    EXECUTE FUNCTION announce_change('catalog_changed');
