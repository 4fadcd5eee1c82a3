//! Content input parsed into types at the edge: `Price`, `Slug`, `Tags`.

use serde::{Deserialize, Serialize};

use crate::Invalid;

pub const MIN_PRICE_CENTS: i32 = 100;
pub const MAX_PRICE_CENTS: i32 = 99_999;
pub const MAX_TAGS: usize = 10;
const MAX_TAG_LEN: usize = 30;
const MAX_SLUG_LEN: usize = 80;
const MAX_CATEGORY_LEN: usize = 50;

/// A price in US cents: free (0), or $1.00 to $999.99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Price(i32);

impl Price {
    pub const FREE: Price = Price(0);

    /// Reads what an owner types: empty, `0` or `free` for free; `12`, `12.5`, `$12.34`.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let text = input.trim().trim_start_matches('$').trim();
        if text.is_empty() || text.eq_ignore_ascii_case("free") {
            return Ok(Self::FREE);
        }
        let invalid = || Invalid::new("Enter a price like 12.34, or 0 for free.");
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
            || fraction.len() > 2
            || whole.len() > 6
        {
            return Err(invalid());
        }
        let whole: i32 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let fraction: i32 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        Self::from_cents(whole * 100 + fraction)
    }

    pub fn from_cents(cents: i32) -> Result<Self, Invalid> {
        if cents == 0 || (MIN_PRICE_CENTS..=MAX_PRICE_CENTS).contains(&cents) {
            Ok(Self(cents))
        } else {
            Err(Invalid::new(
                "A price is free, or between $1.00 and $999.99.",
            ))
        }
    }

    pub fn cents(self) -> i32 {
        self.0
    }

    pub fn is_free(self) -> bool {
        self.0 == 0
    }
}

/// `$12.34`, or `Free`.
impl std::fmt::Display for Price {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&price_label(self.0))
    }
}

/// How an amount in cents reads on a page or in an email: `Free` for nothing, else the
/// one money label (`$0.42`, `$12.34`, `$1,234.00`), whatever the amount.
pub fn price_label(cents: i32) -> String {
    match crate::money::Money::from_cents(cents.into()) {
        Some(money) if money.cents() > 0 => money.to_string(),
        Some(_) => "Free".to_string(),
        None => crate::money::signed_label(cents.into()),
    }
}

/// A URL slug: lower-case ASCII letters and digits in dash-separated words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let slug = input.trim();
        let valid = !slug.is_empty()
            && slug.len() <= MAX_SLUG_LEN
            && slug.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if valid {
            Ok(Self(slug.to_string()))
        } else {
            Err(Invalid::new(
                "The slug may use lower-case letters, digits and single dashes between words.",
            ))
        }
    }

    /// The slug suggested for a title: `Intro to Rust — Part 1!` becomes `intro-to-rust-part-1`.
    pub fn from_title(title: &str) -> Self {
        let mut slug = String::new();
        for c in title.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
            if slug.len() >= MAX_SLUG_LEN {
                break;
            }
        }
        let slug = slug.trim_end_matches('-').to_string();
        Self(if slug.is_empty() {
            "item".to_string()
        } else {
            slug
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A category's name as the owner writes it: one line of 1 to 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryName(String);

impl CategoryName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Invalid::new("Category name is required."));
        }
        if name.chars().count() > MAX_CATEGORY_LEN || name.chars().any(char::is_control) {
            return Err(Invalid::new(format!(
                "Category name: at most {MAX_CATEGORY_LEN} characters on one line."
            )));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One of the owner's categories, as the settings list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub name: String,
    pub published_items: i64,
}

/// Up to ten lower-case tags, without duplicates, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags(Vec<String>);

impl Tags {
    /// Reads comma-separated tags.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let mut tags: Vec<String> = Vec::new();
        for tag in input
            .split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
        {
            let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
            if tag.chars().count() > MAX_TAG_LEN
                || !tag
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == ' ')
            {
                return Err(Invalid::new(format!(
                    "Tags are words of at most {MAX_TAG_LEN} letters, digits, spaces or dashes."
                )));
            }
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(Invalid::new(format!("At most {MAX_TAGS} tags.")));
        }
        Ok(Self(tags))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<String> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices() {
        assert_eq!(Price::parse("").unwrap(), Price::FREE);
        assert_eq!(Price::parse("0").unwrap(), Price::FREE);
        assert_eq!(Price::parse("Free").unwrap(), Price::FREE);
        assert_eq!(Price::parse("12").unwrap().cents(), 1200);
        assert_eq!(Price::parse("12.5").unwrap().cents(), 1250);
        assert_eq!(Price::parse(" $12.34 ").unwrap().cents(), 1234);
        assert_eq!(Price::parse("1").unwrap().cents(), 100);
        assert_eq!(Price::parse("999.99").unwrap().cents(), 99_999);
        for bad in [
            "0.99",
            "1000",
            "-5",
            "12.345",
            "abc",
            "1e3",
            "12,34",
            ".",
            "9999999999",
        ] {
            assert!(Price::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Price::parse("12.34").unwrap().to_string(), "$12.34");
        assert_eq!(Price::parse("5").unwrap().to_string(), "$5.00");
        assert_eq!(Price::FREE.to_string(), "Free");
    }

    #[test]
    fn amounts_outside_the_list_price_range_still_read() {
        // A tax under $1, a bundle's saving or a total over $999.99.
        assert_eq!(price_label(42), "$0.42");
        assert_eq!(price_label(123_400), "$1,234.00");
        assert_eq!(price_label(0), "Free");
        assert_eq!(price_label(1234), "$12.34");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::from_title("Intro to Rust — Part 1!").as_str(),
            "intro-to-rust-part-1"
        );
        assert_eq!(Slug::from_title("¡¡¡").as_str(), "item");
        assert!(Slug::from_title(&"word ".repeat(50)).as_str().len() <= 80);
        assert!(Slug::parse("intro-to-rust").is_ok());
        for bad in ["", "Intro", "a--b", "-a", "a-", "a b", "a/b", "<script>"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(
            Tags::parse(" Rust, web  dev,rust, ").unwrap().as_slice(),
            ["rust", "web dev"]
        );
        assert_eq!(Tags::parse("").unwrap().as_slice(), [] as [String; 0]);
        let eleven = (0..11)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(Tags::parse(&eleven).is_err());
        assert!(Tags::parse("<b>").is_err());
        assert!(Tags::parse(&"x".repeat(31)).is_err());
    }

    #[test]
    fn category_names_are_one_tidy_line() {
        assert_eq!(
            CategoryName::parse("  Live   talks ").unwrap().as_str(),
            "Live talks"
        );
        assert_eq!(
            CategoryName::parse(&"é".repeat(50))
                .unwrap()
                .as_str()
                .chars()
                .count(),
            50
        );
        for bad in ["", "   ", &"x".repeat(51), "a\u{7}b"] {
            assert!(CategoryName::parse(bad).is_err(), "{bad:?}");
        }
    }
}

/// Where an item stands: only `Published` items are in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum ContentStatus {
    Draft,
    Published,
    /// Unpublished: out of the catalog, still playable by those with access.
    Archived,
}

impl ContentStatus {
    pub const ALL: [Self; 3] = [Self::Draft, Self::Published, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// A status as a filter link sends it; anything else is no status.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

/// One item in the owner's content list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentSummary {
    pub id: uuid::Uuid,
    pub slug: String,
    pub title: String,
    pub price_cents: i32,
    pub status: ContentStatus,
    pub media_status: Option<crate::media::MediaStatus>,
    pub owners: i64,
    /// Completed purchases (paid or free; grants are not purchases).
    pub purchases: i64,
    /// What those purchases brought in, net of refunds.
    pub revenue_cents: i64,
    /// How many people started playing it.
    pub plays: i64,
    pub updated_at: time::OffsetDateTime,
}

/// Everything the edit form shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentDetail {
    pub id: uuid::Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub price_cents: i32,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub media_id: Option<uuid::Uuid>,
    pub status: ContentStatus,
    pub custom_thumbnail: bool,
    pub pay_what_you_want: bool,
    pub suggested_price_cents: Option<i32>,
    pub rental_price_cents: Option<i32>,
    pub rental_window_days: i32,
    pub rental_viewing_hours: i32,
    pub is_bundle: bool,
    /// The items a bundle holds, in order.
    pub bundle_items: Vec<uuid::Uuid>,
}

/// Where an item's thumbnail is served: the one the owner uploaded, else the one cut from
/// its media, else none.
pub fn thumbnail_url(
    content_id: uuid::Uuid,
    custom: bool,
    media_id: Option<uuid::Uuid>,
    media_thumbnail: bool,
) -> Option<String> {
    if custom {
        return Some(format!("/content/{content_id}/thumbnail"));
    }
    media_id
        .filter(|_| media_thumbnail)
        .map(|m| format!("/media/{m}/thumbnail.jpg"))
}

/// The sizes a grid may choose from (`srcset`): the frame cut from the media at 480 and
/// 1280 pixels wide; none for an owner's own picture, which has one size.
pub fn grid_thumbnail_srcset(
    custom: bool,
    media_id: Option<uuid::Uuid>,
    media_thumbnail: bool,
) -> Option<String> {
    media_id
        .filter(|_| media_thumbnail && !custom)
        .map(|m| format!("/media/{m}/thumbnail-480.jpg 480w, /media/{m}/thumbnail.jpg 1280w"))
}

/// How wide a grid shows a thumbnail, for `sizes`.
pub const GRID_THUMBNAIL_SIZES: &str = "(max-width: 640px) 100vw, 320px";

/// A published item as the catalog shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub id: uuid::Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub price_cents: i32,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub kind: Option<String>,
    pub duration_seconds: Option<f64>,
    pub media_id: Option<uuid::Uuid>,
    /// The media item has a thumbnail cut from it.
    pub has_thumbnail: bool,
    /// The owner uploaded a thumbnail for the item.
    pub custom_thumbnail: bool,
    /// `price_cents` is the least a customer may pay.
    pub pay_what_you_want: bool,
    pub suggested_price_cents: Option<i32>,
    pub rental_price_cents: Option<i32>,
    pub rental_window_days: i32,
    pub rental_viewing_hours: i32,
    /// Holds several items (`domain::selling::BundleContents`), no media of its own.
    pub is_bundle: bool,
    /// A membership tier on sale unlocks it.
    pub in_membership: bool,
}

impl CatalogItem {
    pub fn rental(&self) -> Option<crate::selling::RentalTerms> {
        crate::selling::RentalTerms::from_columns(
            self.rental_price_cents,
            self.rental_window_days,
            self.rental_viewing_hours,
        )
    }

    /// `$12.34`, `Free`, or `$5.00+` when the customer chooses the price.
    pub fn price_text(&self) -> String {
        match (self.pay_what_you_want, self.price_cents) {
            (true, 0) => "Name your price".to_string(),
            (true, min) => format!("{}+", price_label(min)),
            (false, price) => price_label(price),
        }
    }
}

/// The catalog's orders (`?sort=`): newest first unless asked otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogSort {
    #[default]
    Newest,
    /// Most bought first.
    Popular,
    PriceLow,
    PriceHigh,
}

impl CatalogSort {
    pub const ALL: [Self; 4] = [Self::Newest, Self::Popular, Self::PriceLow, Self::PriceHigh];

    /// The value of `?sort=`; anything unknown is the default order.
    pub fn from_query(value: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|sort| Some(sort.as_query()) == value)
            .unwrap_or_default()
    }

    pub fn as_query(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Popular => "popular",
            Self::PriceLow => "price",
            Self::PriceHigh => "price-desc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Newest => "Newest",
            Self::Popular => "Most popular",
            Self::PriceLow => "Price: low to high",
            Self::PriceHigh => "Price: high to low",
        }
    }
}

/// The top of the catalog: who sells here, what they feature, and rows of what there is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopWindow {
    pub creator: Option<Creator>,
    /// Plain text, '' when not written.
    pub introduction: String,
    pub featured: Option<CatalogItem>,
    /// The featured item's description as one line of plain text (the Markdown read, not shown).
    pub featured_summary: String,
    /// The newest items (empty when the catalog is small enough to see at once).
    pub newest: Vec<CatalogItem>,
    pub bundles: Vec<CatalogItem>,
    pub memberships: Vec<crate::memberships::TierView>,
}

/// The one who sells on this platform, as the storefront shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creator {
    pub name: String,
    /// The address of their picture, when they uploaded one.
    pub picture: Option<String>,
}

/// What the item page says besides the offers: the description (Markdown made into safe
/// HTML on the server), who made it, and what else to look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemAbout {
    pub description_html: String,
    /// The description's text on one line, for search engines and link previews.
    pub summary: String,
    pub creator: Option<Creator>,
    /// The names of its captions' languages.
    pub captions: Vec<String>,
    /// How many files come with it.
    pub downloads: i64,
    /// Published items of the same category or bundle, newest first.
    pub related: Vec<CatalogItem>,
}

/// What a visitor may do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    Anonymous,
    /// Signed in, email not verified yet: must verify before getting or buying.
    Unverified,
    Customer,
    HasAccess,
    /// May play it for now, on a rental or a membership only: may still buy it to keep.
    Renting,
    Owner,
}
