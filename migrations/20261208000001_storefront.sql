-- The owner's categories, in the order the catalog shows them. An item names its category;
-- a rename follows into every item (ON UPDATE CASCADE), a deletion leaves items without one.
CREATE TABLE categories (
    name     TEXT PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 50),
    position INTEGER NOT NULL
);
INSERT INTO categories (name, position)
SELECT category, (row_number() OVER (ORDER BY category))::integer
FROM (SELECT DISTINCT category FROM content WHERE category IS NOT NULL AND category <> '') AS used;
UPDATE content SET category = NULL WHERE category = '';
ALTER TABLE content ADD CONSTRAINT content_category_fkey FOREIGN KEY (category)
    REFERENCES categories (name) ON UPDATE CASCADE ON DELETE SET NULL;

-- Where the storefront's footer points: the owner's social profiles (https URLs, at most 6)
-- and their terms of sale and privacy policy (plain text shown at /terms and /privacy;
-- '' when not written, and the footer leaves the link out).
ALTER TABLE site_settings
    ADD COLUMN social_links TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(social_links) <= 6),
    ADD COLUMN terms_text   TEXT NOT NULL DEFAULT '' CHECK (char_length(terms_text) <= 20000),
    ADD COLUMN privacy_text TEXT NOT NULL DEFAULT '' CHECK (char_length(privacy_text) <= 20000);
