//! Amounts of money as people read them: one label everywhere, `$0.42`, `$12.34`,
//! `$1,234.00`. A list price is a [`crate::content::Price`] ($1 to $999.99, or free); a
//! total, a tax, a saving or revenue is [`Money`], any non-negative amount.

use serde::{Deserialize, Serialize};

/// Any non-negative amount of US dollars, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Money(i64);

impl Money {
    /// `None` for a negative amount.
    pub fn from_cents(cents: i64) -> Option<Self> {
        (cents >= 0).then_some(Self(cents))
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

/// `$1,234.56`.
impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dollars = (self.0 / 100).to_string();
        f.write_str("$")?;
        for (i, digit) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                f.write_str(",")?;
            }
            write!(f, "{digit}")?;
        }
        write!(f, ".{:02}", self.0 % 100)
    }
}

/// The label of an amount that may be negative (a month's revenue after refunds):
/// `-$12.34`.
pub fn signed_label(cents: i64) -> String {
    let label = Money(cents.unsigned_abs().min(i64::MAX as u64) as i64).to_string();
    if cents < 0 {
        format!("-{label}")
    } else {
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_amount_reads_the_same_way() {
        let label = |cents| Money::from_cents(cents).unwrap().to_string();
        assert_eq!(label(0), "$0.00");
        assert_eq!(label(42), "$0.42");
        assert_eq!(label(1234), "$12.34");
        assert_eq!(label(99_999), "$999.99");
        assert_eq!(label(123_400), "$1,234.00");
        assert_eq!(label(10_000_000_005), "$100,000,000.05");
        assert_eq!(Money::from_cents(-1), None);
        assert_eq!(signed_label(-123_456), "-$1,234.56");
        assert_eq!(signed_label(5), "$0.05");
        assert_eq!(signed_label(i64::MIN), "-$92,233,720,368,547,758.07");
    }
}
