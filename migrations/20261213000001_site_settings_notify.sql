-- Every change to the settings is announced, so that each app server forgets the copy it
-- keeps in memory (backend::settings::service::current), whoever made the change.
CREATE FUNCTION announce_site_settings_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('site_settings_changed', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER site_settings_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON site_settings
    FOR EACH STATEMENT EXECUTE FUNCTION announce_site_settings_change();
