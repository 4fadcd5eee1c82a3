//! How an item is sold besides its one price: discount codes, pay what you want, rentals.
//! The rules that compute a price live here, so the item page's quote and the checkout
//! compute the same figure; the server always computes it, the browser never sends one.

use serde::{Deserialize, Serialize};

use crate::content::{Price, MIN_PRICE_CENTS};
use crate::Invalid;

/// A discount code as customers type it: 3 to 32 letters, digits, `-` or `_`, any case;
/// kept upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCode(String);

impl DiscountCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let code = input.trim().to_ascii_uppercase();
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !(3..=32).contains(&code.len()) || !code.chars().all(allowed) {
            return Err(Invalid::new(
                "A discount code is 3 to 32 letters, digits, - or _.",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    /// 1 to 100 percent of the price.
    Percent(i32),
    /// An amount in cents.
    Amount(i32),
}

impl Discount {
    /// Reads the owner's "Amount off": `20%` or `5.00`.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let text = input.trim();
        if let Some(percent) = text.strip_suffix('%') {
            return match percent.trim().parse::<i32>() {
                Ok(p) if (1..=100).contains(&p) => Ok(Self::Percent(p)),
                _ => Err(Invalid::new("A percentage off is 1% to 100%.")),
            };
        }
        match Price::parse(text) {
            Ok(price) if !price.is_free() => Ok(Self::Amount(price.cents())),
            _ => Err(Invalid::new(
                "Enter the amount off as 20% or as 5.00 ($1.00 to $999.99).",
            )),
        }
    }

    /// From the table's two columns (exactly one is set).
    pub fn from_columns(percent_off: Option<i32>, amount_off_cents: Option<i32>) -> Self {
        match (percent_off, amount_off_cents) {
            (Some(p), _) => Self::Percent(p),
            (None, a) => Self::Amount(a.unwrap_or(0)),
        }
    }

    pub fn percent_off(self) -> Option<i32> {
        match self {
            Self::Percent(p) => Some(p),
            Self::Amount(_) => None,
        }
    }

    pub fn amount_off_cents(self) -> Option<i32> {
        match self {
            Self::Amount(a) => Some(a),
            Self::Percent(_) => None,
        }
    }

    /// The price after the discount. A paid price never drops below $1.00 (the least a
    /// card payment here takes) unless the discount takes it all, which makes it free.
    pub fn apply(self, list_cents: i32) -> i32 {
        let off = match self {
            // Rounded to the customer's advantage.
            Self::Percent(p) => ((i64::from(list_cents.max(0)) * i64::from(p) + 99) / 100) as i32,
            Self::Amount(a) => a,
        };
        match list_cents.saturating_sub(off) {
            left if left <= 0 => 0,
            left => left.max(MIN_PRICE_CENTS.min(list_cents)),
        }
    }

    /// `20% off` or `$5.00 off`.
    pub fn label(self) -> String {
        match self {
            Self::Percent(p) => format!("{p}% off"),
            Self::Amount(a) => format!("{} off", crate::content::price_label(a)),
        }
    }
}

/// Buy to keep, or rent for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum Offer {
    #[default]
    Buy,
    Rent,
}

impl Offer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "buy",
            Self::Rent => "rent",
        }
    }

    /// What a form sends; anything but `rent` buys.
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("rent") => Self::Rent,
            _ => Self::Buy,
        }
    }
}

/// The price a customer typed for a pay-what-you-want item, checked against its minimum:
/// at least the minimum, and free or $1.00 to $999.99.
pub fn your_price(input: &str, minimum_cents: i32) -> Result<i32, Invalid> {
    if input.trim().is_empty() {
        return Err(Invalid::new("Enter your price."));
    }
    let price = Price::parse(input)
        .map_err(|_| Invalid::new("Enter your price like 12.34: free, or $1.00 to $999.99."))?;
    if price.cents() < minimum_cents {
        return Err(Invalid::new(format!(
            "Your price must be at least {}.",
            crate::content::price_label(minimum_cents)
        )));
    }
    Ok(price.cents())
}

/// A rental's price and terms (Gumroad's are 30 days to start, 72 hours once started).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RentalTerms {
    pub price_cents: i32,
    pub window_days: i32,
    pub viewing_hours: i32,
}

impl RentalTerms {
    pub const DEFAULT_WINDOW_DAYS: i32 = 30;
    pub const DEFAULT_VIEWING_HOURS: i32 = 72;

    /// Reads the editor's rental fields: no price means not for rent.
    pub fn parse(
        price: &str,
        window_days: &str,
        viewing_hours: &str,
    ) -> Result<Option<Self>, Invalid> {
        let price = Price::parse(price)
            .map_err(|_| Invalid::new("Enter a rental price like 3.99, or leave it empty."))?;
        if price.is_free() {
            return Ok(None);
        }
        let number =
            |text: &str, default: i32, range: std::ops::RangeInclusive<i32>, what: &str| {
                let text = text.trim();
                if text.is_empty() {
                    return Ok(default);
                }
                text.parse::<i32>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| {
                        Invalid::new(format!(
                            "{what} must be {} to {}.",
                            range.start(),
                            range.end()
                        ))
                    })
            };
        Ok(Some(Self {
            price_cents: price.cents(),
            window_days: number(
                window_days,
                Self::DEFAULT_WINDOW_DAYS,
                1..=365,
                "Days to start watching",
            )?,
            viewing_hours: number(
                viewing_hours,
                Self::DEFAULT_VIEWING_HOURS,
                1..=720,
                "Hours to watch",
            )?,
        }))
    }

    /// From an item's columns: no rental price means not for rent.
    pub fn from_columns(
        price_cents: Option<i32>,
        window_days: i32,
        viewing_hours: i32,
    ) -> Option<Self> {
        price_cents.map(|price_cents| Self {
            price_cents,
            window_days,
            viewing_hours,
        })
    }

    /// `30 days to start watching, 72 hours to finish once started`.
    pub fn summary(self) -> String {
        format!(
            "{} days to start watching, {} hours to finish once started",
            self.window_days, self.viewing_hours
        )
    }
}

/// The suggested price of a pay-what-you-want item: empty for none, else $1.00 to $999.99
/// and at least the minimum.
pub fn suggested_price(input: &str, minimum_cents: i32) -> Result<Option<i32>, Invalid> {
    let price = Price::parse(input)?;
    if price.is_free() {
        return Ok(None);
    }
    if price.cents() < minimum_cents {
        return Err(Invalid::new(
            "The suggested price must be at least the minimum price.",
        ));
    }
    Ok(Some(price.cents()))
}

/// How an item is offered, as its page and its editor show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SellingOptions {
    /// `price_cents` is then the least a customer may pay.
    pub pay_what_you_want: bool,
    pub suggested_price_cents: Option<i32>,
    pub rental: Option<RentalTerms>,
}

/// What a code does to an item's prices, as the item page shows before checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub code: String,
    pub label: String,
    /// The price to keep it, after the code (`None`: the code does not apply to buying).
    pub buy_cents: Option<i32>,
    /// The price to rent it, after the code, when it is for rent.
    pub rent_cents: Option<i32>,
}

/// Why a code cannot be used (each its own message on the item page). A code that does not
/// exist, has expired or is for other items gets one answer (`Invalid`), so trying codes
/// tells nobody which exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeRefusal {
    Invalid,
    UsedUp,
    NotForPayWhatYouWant,
}

impl CodeRefusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::Invalid => "This discount code is not valid for this item.",
            Self::UsedUp => "This discount code has been used up.",
            Self::NotForPayWhatYouWant => {
                "Discount codes do not apply to pay-what-you-want prices: choose your price instead."
            }
        }
    }

    /// The `?checkout=` value the checkout sends the customer back with.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "code_invalid",
            Self::UsedUp => "code_used_up",
            Self::NotForPayWhatYouWant => "code_pwyw",
        }
    }

    pub const ALL: [Self; 3] = [Self::Invalid, Self::UsedUp, Self::NotForPayWhatYouWant];

    pub fn from_query(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// One item of a bundle, as the bundle's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleEntry {
    /// `None` when the item is not in the catalog (named, not linked).
    pub slug: Option<String>,
    pub title: String,
    pub price_cents: i32,
    /// The caller may already play it.
    pub owned: bool,
}

/// What a bundle holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleContents {
    pub items: Vec<BundleEntry>,
}

impl BundleContents {
    /// What the items cost one by one.
    pub fn worth_cents(&self) -> i32 {
        self.items.iter().map(|i| i.price_cents).sum()
    }

    /// What buying the bundle at `price_cents` saves, if anything.
    pub fn savings_cents(&self, price_cents: i32) -> Option<i32> {
        Some(self.worth_cents() - price_cents).filter(|s| *s > 0)
    }
}

/// One code in the owner's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscountView {
    pub id: uuid::Uuid,
    pub code: String,
    pub discount: Discount,
    /// `27 Nov 2026`, or none.
    pub expires_on: Option<String>,
    pub expired: bool,
    pub max_uses: Option<i32>,
    /// Checkouts that hold a use: paid, or still open.
    pub used: i64,
    /// Empty: every item.
    pub items: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_case_and_plain() {
        assert_eq!(
            DiscountCode::parse(" launch-20 ").unwrap().as_str(),
            "LAUNCH-20"
        );
        assert!(DiscountCode::parse("ab").is_err());
        assert!(DiscountCode::parse("no spaces").is_err());
        assert!(DiscountCode::parse(&"x".repeat(33)).is_err());
    }

    #[test]
    fn discounts_parse_as_percent_or_amount() {
        assert_eq!(Discount::parse("20%").unwrap(), Discount::Percent(20));
        assert_eq!(Discount::parse("$5").unwrap(), Discount::Amount(500));
        assert!(Discount::parse("0%").is_err());
        assert!(Discount::parse("101%").is_err());
        assert!(Discount::parse("0").is_err());
        assert!(Discount::parse("abc").is_err());
    }

    #[test]
    fn percent_off_rounds_for_the_customer() {
        assert_eq!(Discount::Percent(20).apply(1999), 1599);
        assert_eq!(Discount::Percent(33).apply(1000), 670);
        assert_eq!(Discount::Percent(100).apply(1999), 0);
    }

    #[test]
    fn a_paid_price_stays_at_least_one_dollar_unless_free() {
        assert_eq!(Discount::Amount(500).apply(1999), 1499);
        assert_eq!(Discount::Amount(500).apply(550), 100);
        assert_eq!(Discount::Amount(500).apply(500), 0);
        assert_eq!(Discount::Amount(5000).apply(1999), 0);
        assert_eq!(Discount::Percent(95).apply(1000), 100);
    }

    #[test]
    fn your_price_respects_the_minimum() {
        assert_eq!(your_price("5", 300), Ok(500));
        assert_eq!(your_price("0", 0), Ok(0));
        assert!(your_price("2.99", 300).is_err());
        assert!(your_price("0.50", 0).is_err());
        assert!(your_price("", 0).is_err());
        assert!(your_price("1000", 0).is_err());
    }

    #[test]
    fn rental_terms_default_to_thirty_days_and_seventy_two_hours() {
        let terms = RentalTerms::parse("3.99", "", "").unwrap().unwrap();
        assert_eq!(
            terms,
            RentalTerms {
                price_cents: 399,
                window_days: 30,
                viewing_hours: 72
            }
        );
        assert_eq!(RentalTerms::parse("", "", "").unwrap(), None);
        assert!(RentalTerms::parse("3.99", "0", "").is_err());
        assert!(RentalTerms::parse("3.99", "", "721").is_err());
    }

    #[test]
    fn a_bundle_saves_what_its_items_cost_over_its_price() {
        let entry = |price_cents| BundleEntry {
            slug: None,
            title: String::new(),
            price_cents,
            owned: false,
        };
        let bundle = BundleContents {
            items: vec![entry(1299), entry(999)],
        };
        assert_eq!(bundle.worth_cents(), 2298);
        assert_eq!(bundle.savings_cents(1500), Some(798));
        assert_eq!(bundle.savings_cents(2500), None);
    }

    #[test]
    fn suggested_price_is_at_least_the_minimum() {
        assert_eq!(suggested_price("", 0), Ok(None));
        assert_eq!(suggested_price("10", 500), Ok(Some(1000)));
        assert!(suggested_price("4", 500).is_err());
    }
}
