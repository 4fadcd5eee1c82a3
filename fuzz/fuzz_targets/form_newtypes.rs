//! The form newtypes on any text: they never panic, and what they accept reads back the same.
#![no_main]
use domain::auth::{Email, NewPassword, PersonName};
use domain::chapters::{chapters_text, parse_chapters};
use domain::content::{Price, Slug, Tags};
use domain::memberships::NewTier;
use domain::selling::{your_price, Discount, DiscountCode, RentalTerms};
use domain::settings::HexColour;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(email) = Email::parse(text) {
        let again = Email::parse(email.as_str()).expect("a parsed email parses again");
        assert_eq!(again.as_str(), email.as_str());
    }
    if let Ok(price) = Price::parse(text) {
        assert!(price.is_free() || (100..=99_999).contains(&price.cents()));
        let shown = Price::parse(&price.to_string()).expect("a shown price parses");
        assert_eq!(shown.cents(), price.cents());
    }
    if let Ok(colour) = HexColour::parse(text) {
        assert_eq!(
            HexColour::parse(colour.as_str()).unwrap().as_str(),
            colour.as_str()
        );
    }
    if let Ok(code) = DiscountCode::parse(text) {
        assert_eq!(DiscountCode::parse(code.as_str()).unwrap(), code);
    }
    if let Ok(discount) = Discount::parse(text) {
        // A discount never makes a price negative or dearer, nor a paid one under $1.00.
        for list in [100, 550, 1999, 99_999] {
            let after = discount.apply(list);
            assert!(after == 0 || (100..=list).contains(&after), "{discount:?} on {list}: {after}");
        }
    }
    if let Ok(cents) = your_price(text, 300) {
        assert!((300..=99_999).contains(&cents));
    }
    if let Ok(Some(terms)) = RentalTerms::parse(text, text, text) {
        assert!((1..=365).contains(&terms.window_days) && (1..=720).contains(&terms.viewing_hours));
    }
    if let Ok(tier) = NewTier::parse(text, text, text, text) {
        // A tier has a name and a paid price at one interval at least.
        assert!(!tier.name.is_empty() && tier.name.chars().count() <= 80);
        assert!(tier.monthly.or(tier.yearly).is_some_and(|p| !p.is_free()));
    }
    if let Ok(chapters) = parse_chapters(text) {
        // Chapters start at 0:00, in order, and read back the same.
        assert!(chapters.windows(2).all(|w| w[0].start_seconds < w[1].start_seconds));
        assert!(chapters.first().is_none_or(|c| c.start_seconds == 0));
        assert_eq!(parse_chapters(&chapters_text(&chapters)).unwrap(), chapters);
    }
    let _ = Slug::parse(text);
    let _ = Tags::parse(text);
    let _ = PersonName::parse(text);
    let _ = NewPassword::parse_confirmed(text, text);
});
