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
        self.bytes().map(|c| {
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
    pub fn text_on(&self) -> Self {
        let (white, ink) = (Self::rgb(WHITE), Self::rgb(INK));
        if self.contrast(&white) >= self.contrast(&ink) {
            white
        } else {
            ink
        }
    }

    fn rgb([r, g, b]: [u8; 3]) -> Self {
        Self(format!("#{r:02X}{g:02X}{b:02X}"))
    }

    fn bytes(&self) -> [u8; 3] {
        let byte = |i: usize| u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0);
        [byte(1), byte(3), byte(5)]
    }

    /// WCAG contrast ratio, 1 to 21.
    pub fn contrast(&self, other: &Self) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// This colour moved `amount` (0 to 1) of the way toward `toward`.
    fn mix(&self, toward: [u8; 3], amount: f64) -> Self {
        let from = self.bytes();
        let channel = |i: usize| {
            let (a, b) = (f64::from(from[i]), f64::from(toward[i]));
            (a + (b - a) * amount).round().clamp(0.0, 255.0) as u8
        };
        Self::rgb([channel(0), channel(1), channel(2)])
    }

    /// The first step of this colour toward `toward` (5 % at a time) that reads at
    /// `MIN_CONTRAST` against `against`; `toward` itself reads against anything it is used with.
    fn until_readable(&self, toward: [u8; 3], against: &Self) -> Self {
        (0..=20)
            .map(|step| self.mix(toward, f64::from(step) / 20.0))
            .find(|c| c.contrast(against) >= MIN_CONTRAST)
            .unwrap_or_else(|| Self::rgb(toward))
    }
}

/// WCAG AA for body text.
pub const MIN_CONTRAST: f64 = 4.5;
const WHITE: [u8; 3] = [0xFF, 0xFF, 0xFF];
const BLACK: [u8; 3] = [0, 0, 0];
/// The site's text colour (`--text`).
const INK: [u8; 3] = [0x11, 0x18, 0x27];
/// The darkest background text sits on (table headers, `#F3F4F6`).
const GREY_BACKGROUND: [u8; 3] = [0xF3, 0xF4, 0xF6];

/// The colours the site derives from the owner's one colour, each checked for contrast:
/// the owner picks any colour, and text on or in it still reads at 4.5:1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    /// Buttons, the current admin page, chosen filters: the owner's colour, darkened (white
    /// text) or lightened (dark text) only as far as `on_primary` needs to read on it.
    pub primary: HexColour,
    pub on_primary: HexColour,
    /// Links and text in the brand's colour: a shade that reads on the page's backgrounds.
    pub link: HexColour,
    /// A light tint for highlighted areas, under the site's text colour.
    pub tint: HexColour,
}

impl Palette {
    pub fn of(colour: &HexColour) -> Self {
        let on_primary = colour.text_on();
        let away = if on_primary.bytes() == WHITE {
            BLACK
        } else {
            WHITE
        };
        Self {
            primary: colour.until_readable(away, &on_primary),
            on_primary,
            link: colour.until_readable(BLACK, &HexColour::rgb(GREY_BACKGROUND)),
            tint: colour.mix(WHITE, 0.88),
        }
    }

    /// The CSS custom properties every page's style uses.
    pub fn css_variables(&self) -> String {
        format!(
            "--primary:{};--primary-contrast:{};--link:{};--primary-tint:{}",
            self.primary.as_str(),
            self.on_primary.as_str(),
            self.link.as_str(),
            self.tint.as_str()
        )
    }
}

/// At most this many social links show in the footer.
pub const MAX_SOCIAL_LINKS: usize = 6;
const MAX_LINK_LEN: usize = 200;
/// The terms of sale and the privacy policy, each.
pub const MAX_LEGAL_CHARS: usize = 20_000;
/// The creator's introduction above the catalog.
pub const MAX_INTRODUCTION_CHARS: usize = 500;

/// A link to the owner's profile elsewhere: an `https://` address with a host name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialLink(String);

impl SocialLink {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim();
        let invalid = || {
            Invalid::new(format!(
                "Social links: {value:.60} is not an https:// address (one per line)."
            ))
        };
        let rest = value.strip_prefix("https://").ok_or_else(invalid)?;
        let (host, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        let host_ok = host.contains('.')
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-'])
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        let path_ok = path
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '`'));
        if !host_ok || !path_ok || value.len() > MAX_LINK_LEN {
            return Err(invalid());
        }
        Ok(Self(format!("https://{}{path}", host.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the footer calls it: the network's name, else the host without `www.`.
    pub fn label(&self) -> String {
        let host = self.0["https://".len()..]
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        let host = host.strip_prefix("www.").unwrap_or(host);
        let known = [
            ("youtube.com", "YouTube"),
            ("youtu.be", "YouTube"),
            ("instagram.com", "Instagram"),
            ("tiktok.com", "TikTok"),
            ("x.com", "X"),
            ("twitter.com", "X"),
            ("facebook.com", "Facebook"),
            ("linkedin.com", "LinkedIn"),
            ("patreon.com", "Patreon"),
            ("twitch.tv", "Twitch"),
            ("vimeo.com", "Vimeo"),
            ("bsky.app", "Bluesky"),
            ("threads.net", "Threads"),
            ("soundcloud.com", "SoundCloud"),
            ("spotify.com", "Spotify"),
            ("github.com", "GitHub"),
        ];
        known
            .iter()
            .find(|(domain, _)| host == *domain || host.ends_with(&format!(".{domain}")))
            .map(|(_, name)| (*name).to_string())
            .unwrap_or_else(|| host.to_string())
    }
}

/// The social links typed one per line (blank lines skipped), at most `MAX_SOCIAL_LINKS`.
pub fn parse_social_links(text: &str) -> Result<Vec<SocialLink>, Invalid> {
    let links = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(SocialLink::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if links.len() > MAX_SOCIAL_LINKS {
        return Err(Invalid::new(format!(
            "Social links: at most {MAX_SOCIAL_LINKS}."
        )));
    }
    Ok(links)
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
    /// `https://` addresses, checked when saved (`SocialLink`).
    pub social_links: Vec<String>,
    /// Plain text shown at `/terms` and `/privacy`; '' when not written.
    pub terms_text: String,
    pub privacy_text: String,
    /// A few plain sentences by the creator above the catalog; '' when not written.
    pub introduction: String,
    /// The item the catalog features, while it is published.
    pub featured_content_id: Option<uuid::Uuid>,
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
    fn social_links_are_https_addresses_named_by_their_network() {
        let link = SocialLink::parse(" https://WWW.YouTube.com/@films ").unwrap();
        assert_eq!(link.as_str(), "https://www.youtube.com/@films");
        assert_eq!(link.label(), "YouTube");
        assert_eq!(
            SocialLink::parse("https://m.youtube.com/x")
                .unwrap()
                .label(),
            "YouTube"
        );
        assert_eq!(
            SocialLink::parse("https://notyoutube.com").unwrap().label(),
            "notyoutube.com"
        );
        assert_eq!(
            SocialLink::parse("https://www.ada.dev/").unwrap().label(),
            "ada.dev"
        );
        for bad in [
            "http://x.com/a",
            "javascript:alert(1)",
            "https://",
            "https://localhost",
            "https://a.com/\"onmouseover=x",
            "https://a.com/<b>",
            "https://a b.com",
            "https://-a.com",
        ] {
            assert!(SocialLink::parse(bad).is_err(), "{bad}");
        }
        assert!(SocialLink::parse(&format!("https://a.com/{}", "x".repeat(200))).is_err());
    }

    #[test]
    fn at_most_six_social_links() {
        let six = "https://a.com\n\nhttps://b.com\nhttps://c.com\nhttps://d.com\nhttps://e.com\nhttps://f.com";
        assert_eq!(parse_social_links(six).unwrap().len(), 6);
        assert!(parse_social_links(&format!("{six}\nhttps://g.com")).is_err());
        assert!(parse_social_links("  \n").unwrap().is_empty());
    }

    #[test]
    fn every_colour_of_the_palette_reads_at_four_and_a_half_to_one() {
        let ink = HexColour::rgb(INK);
        let grey = HexColour::rgb(GREY_BACKGROUND);
        // Every 17th step of each channel: 4,096 colours, bright, dark and in between.
        for r in (0..=255).step_by(17) {
            for g in (0..=255).step_by(17) {
                for b in (0..=255).step_by(17) {
                    let colour = HexColour::rgb([r as u8, g as u8, b as u8]);
                    let p = Palette::of(&colour);
                    assert!(
                        p.primary.contrast(&p.on_primary) >= MIN_CONTRAST,
                        "{colour:?} {p:?}"
                    );
                    assert!(p.link.contrast(&grey) >= MIN_CONTRAST, "{colour:?} {p:?}");
                    assert!(p.tint.contrast(&ink) >= MIN_CONTRAST, "{colour:?} {p:?}");
                }
            }
        }
    }

    #[test]
    fn a_colour_that_already_reads_is_kept() {
        let navy = HexColour::parse("#1E3A8A").unwrap();
        let p = Palette::of(&navy);
        assert_eq!(p.primary, navy);
        assert_eq!(p.on_primary.as_str(), "#FFFFFF");
        assert_eq!(p.link, navy);
        // The default blue gets dark text, and a darker shade for links.
        let blue = Palette::of(&HexColour::parse(DEFAULT_PRIMARY).unwrap());
        assert_eq!(blue.primary.as_str(), DEFAULT_PRIMARY);
        assert_eq!(blue.on_primary.as_str(), "#111827");
        assert_ne!(blue.link.as_str(), DEFAULT_PRIMARY);
        assert!(blue
            .css_variables()
            .starts_with("--primary:#3B82F6;--primary-contrast:#111827;--link:#"));
    }

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
        assert_eq!(
            HexColour::parse("#1D4ED8").unwrap().text_on().as_str(),
            "#FFFFFF"
        );
        assert_eq!(
            HexColour::parse("#FDE047").unwrap().text_on().as_str(),
            "#111827"
        );
        assert_eq!(
            HexColour::parse("#FFFFFF").unwrap().text_on().as_str(),
            "#111827"
        );
        assert_eq!(
            HexColour::parse("#000000").unwrap().text_on().as_str(),
            "#FFFFFF"
        );
    }
}
