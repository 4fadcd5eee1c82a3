-- Every change to what the catalog and the items' pages show is announced, so that each app
-- server forgets the visitors' pages it keeps rendered (server::page_cache), whoever made it.
CREATE FUNCTION announce_catalog_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('catalog_changed', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON content
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
-- Media rows are touched on every uploaded part; only what the pages show counts.
CREATE TRIGGER catalog_changed
    AFTER INSERT OR DELETE OR UPDATE OF kind, status, duration_seconds, has_thumbnail OR TRUNCATE ON media
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
CREATE TRIGGER catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
CREATE TRIGGER catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON chapters
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
CREATE TRIGGER catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bundle_items
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
CREATE TRIGGER catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON membership_tiers
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
CREATE TRIGGER catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON membership_tier_items
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
