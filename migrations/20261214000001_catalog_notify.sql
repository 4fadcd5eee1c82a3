-- Every change to what the catalog and the items' pages show is announced, so that each app
-- server forgets what it keeps of them in memory (backend::content::service::catalog,
-- server::page_cache), whoever made it. One function announces on the channel its trigger
-- names; the settings' trigger uses it too.
CREATE FUNCTION announce_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END;
$$;

DROP TRIGGER site_settings_changed ON site_settings;
DROP FUNCTION announce_site_settings_change();
CREATE TRIGGER site_settings_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON site_settings
    FOR EACH STATEMENT EXECUTE FUNCTION announce_change('site_settings_changed');

DO $$
DECLARE
    catalog_table text;
BEGIN
    FOREACH catalog_table IN ARRAY ARRAY['content', 'categories', 'chapters', 'bundle_items',
                                         'membership_tiers', 'membership_tier_items'] LOOP
        EXECUTE format('CREATE TRIGGER catalog_changed
                            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                            FOR EACH STATEMENT EXECUTE FUNCTION announce_change(''catalog_changed'')',
                       catalog_table);
    END LOOP;
END;
$$;

-- Media rows are touched on every uploaded part; only what the pages show counts.
CREATE TRIGGER catalog_changed
    AFTER INSERT OR DELETE OR UPDATE OF kind, status, duration_seconds, has_thumbnail OR TRUNCATE ON media
    FOR EACH STATEMENT EXECUTE FUNCTION announce_change('catalog_changed');
