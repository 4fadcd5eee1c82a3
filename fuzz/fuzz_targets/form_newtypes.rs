//! The form newtypes on any text: they never panic, and what they accept reads back the same.
#![no_main]
use domain::auth::{Email, NewPassword, PersonName};
use domain::content::{Price, Slug, Tags};
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
    let _ = Slug::parse(text);
    let _ = Tags::parse(text);
    let _ = PersonName::parse(text);
    let _ = NewPassword::parse_confirmed(text, text);
});
