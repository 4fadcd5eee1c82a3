use serde::{Deserialize, Serialize};

use crate::Invalid;

pub const DEFAULT_PRIMARY: &str = "#3B82F6";

/// A colour as `#RRGGBB` (upper case once parsed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HexColour(String);

impl HexColour {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim();
        let valid = value.len() == 7
            && value.starts_with('#')
            && value[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !valid {
            return Err(Invalid::new(
                "Primary colour: use the form #RRGGBB, for example #3B82F6.",
            ));
        }
        Ok(Self(value.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn channels(&self) -> [f64; 3] {
        let byte = |i: usize| u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0);
        [byte(1), byte(3), byte(5)].map(|c| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        })
    }

    /// WCAG relative luminance.
    fn luminance(&self) -> f64 {
        let [r, g, b] = self.channels();
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// White or near-black, whichever reads better on this colour (button text).
    pub fn text_on(&self) -> &'static str {
        let l = self.luminance();
        let on_white = 1.05 / (l + 0.05);
        let on_black = (l + 0.05) / 0.05;
        if on_white >= on_black {
            "#FFFFFF"
        } else {
            "#111827"
        }
    }
}

/// Everything on `/admin/settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub platform_name: String,
    pub primary_color: String,
    pub contact_email: String,
    pub business_name: String,
    pub timezone: String,
    pub email_from_name: String,
    pub email_reply_to: String,
    pub send_welcome: bool,
    pub send_receipt: bool,
    pub send_sale_notification: bool,
    pub send_refund: bool,
    /// Stripe Tax computes and adds tax at checkout.
    pub automatic_tax: bool,
    pub logo_type: Option<String>,
    pub welcome_text: String,
    pub receipt_text: String,
    /// Unix seconds of the last change: the logo URL carries it, so browsers never show an
    /// old logo.
    pub version: i64,
}

impl Settings {
    pub fn logo_url(&self) -> Option<String> {
        self.logo_type
            .as_ref()
            .map(|_| format!("/site/logo?v={}", self.version))
    }
}

/// A rendered email for the settings' preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPreview {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_six_hex_digits() {
        assert_eq!(HexColour::parse(" #3b82f6 ").unwrap().as_str(), "#3B82F6");
        for bad in [
            "3B82F6",
            "#3B82F",
            "#3B82F6A",
            "#GGGGGG",
            "",
            "red",
            "#3B82F6;}",
        ] {
            assert!(HexColour::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn button_text_keeps_its_contrast() {
        assert_eq!(HexColour::parse("#1D4ED8").unwrap().text_on(), "#FFFFFF");
        assert_eq!(HexColour::parse("#FDE047").unwrap().text_on(), "#111827");
        assert_eq!(HexColour::parse("#FFFFFF").unwrap().text_on(), "#111827");
        assert_eq!(HexColour::parse("#000000").unwrap().text_on(), "#FFFFFF");
    }
}
