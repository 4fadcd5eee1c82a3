//! The text of every account email, as plain text and HTML.

use domain::settings::{HexColour, Palette, DEFAULT_PRIMARY};
use serde::{Deserialize, Serialize};

/// An email ready to be written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    pub kind: EmailKind,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The token whose link the bodies carry as `tokens::TOKEN_SLOT`, filled in at send time.
    pub one_time_link: Option<uuid::Uuid>,
}

impl OutgoingEmail {
    /// The email with the token of its one-time link (the bodies hold its slot).
    pub fn with_one_time_link(self, token: uuid::Uuid) -> Self {
        Self {
            one_time_link: Some(token),
            ..self
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailKind {
    Welcome,
    VerifyEmail,
    PasswordReset,
    PasswordChanged,
    EmailChanged,
    AccountExists,
    PurchaseReceipt,
    SaleNotification,
    RefundConfirmation,
    DisputeNotification,
    MembershipPaymentNotification,
    /// A broadcast as its recipients will get it, sent to the owner alone.
    BroadcastTest,
    /// A private podcast feed was reset because it was fetched from too many networks.
    PodcastFeedReset,
}

impl EmailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::EmailChanged => "email_changed",
            Self::AccountExists => "account_exists",
            Self::PurchaseReceipt => "purchase_receipt",
            Self::SaleNotification => "sale_notification",
            Self::RefundConfirmation => "refund_confirmation",
            Self::DisputeNotification => "dispute_notification",
            Self::MembershipPaymentNotification => "membership_payment_notification",
            Self::BroadcastTest => "broadcast_test",
            Self::PodcastFeedReset => "podcast_feed_reset",
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Who the emails come from: the platform's name, its logo (an absolute URL) if any, its
/// colour (the button and the top rule), and the business behind it with its contact
/// address, under the signature.
/// Who an email goes to, and under which brand.
#[derive(Clone, Copy)]
pub struct Addressee<'a> {
    pub brand: &'a Brand,
    pub to: &'a str,
    /// Their name, for the greeting.
    pub name: &'a str,
}

/// What an email telling the owner of a customer's payment names and links to.
#[derive(Clone, Copy)]
pub struct OwnerNotice<'a> {
    /// The customer, as the owner knows them (name and address).
    pub customer: &'a str,
    pub purchases_url: &'a str,
}

impl<'a> OwnerNotice<'a> {
    /// The owner's message: `paragraphs`, then a link to their purchases.
    fn message(self, owner: Addressee<'a>, paragraphs: &'a [&'a str]) -> Message<'a> {
        Message {
            greeting_name: owner.name,
            paragraphs,
            action: Some(("See your purchases", self.purchases_url)),
            brand: owner.brand,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    pub name: String,
    pub logo_url: Option<String>,
    pub colour: HexColour,
    /// The business name ('' when not given).
    pub business: String,
    /// Where customers write to ('' when not given).
    pub contact_email: String,
}

impl Brand {
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            logo_url: None,
            colour: HexColour::parse(DEFAULT_PRIMARY).expect("the default colour parses"),
            business: String::new(),
            contact_email: String::new(),
        }
    }

    /// "Business · write to contact", or what of it there is.
    pub fn footer(&self) -> Option<String> {
        let contact = (!self.contact_email.is_empty())
            .then(|| format!("Questions? Write to {}", self.contact_email));
        let parts: Vec<String> = [
            (!self.business.is_empty()).then(|| self.business.clone()),
            contact,
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// `inner` (HTML) in the brand's frame: its logo or name above, its signature and footer
/// below, then `footer_html` (a marketing email's links). Tables and inline styles: what
/// mail clients render alike.
pub fn framed(brand: &Brand, inner: &str, footer_html: Option<&str>) -> String {
    let palette = Palette::of(&brand.colour);
    let colour = palette.primary.as_str();
    let mut out = format!(
        "<!doctype html><html><body style=\"margin:0;padding:0;background:#f3f4f6\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f3f4f6\"><tr><td align=\"center\" style=\"padding:24px 12px\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:560px;background:#ffffff;border-top:4px solid {colour};border-radius:8px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#111827\">\
         <tr><td style=\"padding:28px 28px 8px\">"
    );
    match &brand.logo_url {
        Some(logo) => out.push_str(&format!(
            "<p style=\"margin:0 0 16px\"><img src=\"{}\" alt=\"{}\" height=\"40\" style=\"display:block;height:40px;width:auto;border:0\"></p>",
            escape_html(logo),
            escape_html(&brand.name)
        )),
        None => out.push_str(&format!(
            "<p style=\"margin:0 0 16px;font-size:20px;font-weight:700\">{}</p>",
            escape_html(&brand.name)
        )),
    }
    out.push_str(inner);
    out.push_str(&format!(
        "<p>— {}</p></td></tr></table>",
        escape_html(&brand.name)
    ));
    let small = "<p style=\"margin:16px 0 0;font-family:Helvetica,Arial,sans-serif;font-size:13px;color:#4b5563\">";
    if let Some(footer) = brand.footer() {
        out.push_str(&format!("{small}{}</p>", escape_html(&footer)));
    }
    if let Some(links) = footer_html {
        out.push_str(&format!("{small}{links}</p>"));
    }
    out.push_str("</td></tr></table></body></html>");
    out
}

/// Paragraphs of text and an optional call-to-action link, in both formats.
struct Message<'a> {
    greeting_name: &'a str,
    paragraphs: &'a [&'a str],
    action: Option<(&'a str, &'a str)>,
    brand: &'a Brand,
}

impl Message<'_> {
    fn text(&self) -> String {
        let mut out = format!("Hi {},\n\n", self.greeting_name);
        for p in self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        if let Some((label, url)) = self.action {
            out.push_str(&format!("{label}: {url}\n\n"));
        }
        out.push_str(&format!("— {}\n", self.brand.name));
        if let Some(footer) = self.brand.footer() {
            out.push_str(&format!("\n{footer}\n"));
        }
        out
    }

    fn html(&self) -> String {
        let palette = Palette::of(&self.brand.colour);
        let mut inner = format!("<p>Hi {},</p>", escape_html(self.greeting_name));
        for p in self.paragraphs {
            inner.push_str(&format!("<p>{}</p>", escape_html(p)));
        }
        if let Some((label, url)) = self.action {
            inner.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"display:inline-block;background:{};color:{};padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600\">{}</a></p>",
                escape_html(url),
                palette.primary.as_str(),
                palette.on_primary.as_str(),
                escape_html(label)
            ));
        }
        framed(self.brand, &inner, None)
    }

    fn into_email(self, kind: EmailKind, to: &str, subject: String) -> OutgoingEmail {
        OutgoingEmail {
            kind,
            to: to.to_string(),
            subject,
            text: self.text(),
            html: self.html(),
            one_time_link: None,
        }
    }
}

pub const DEFAULT_WELCOME: &str =
    "Welcome to {platform}! Your account is ready. Everything you get shows up in your library.";
pub const DEFAULT_RECEIPT: &str = "Thank you for your purchase of \"{item}\".";

/// The owner's text with `{name}`, `{platform}`, `{item}` and `{amount}` filled in; their
/// default wording when they wrote none.
pub fn fill(text: &str, default: &str, values: &[(&str, &str)]) -> String {
    let text = if text.trim().is_empty() {
        default
    } else {
        text.trim()
    };
    values.iter().fold(text.to_string(), |out, (key, value)| {
        out.replace(&format!("{{{key}}}"), value)
    })
}

/// `intro`: the owner's welcome text (empty for the default).
pub fn welcome(addressee: Addressee<'_>, library_url: &str, intro: &str) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    let intro = fill(
        intro,
        DEFAULT_WELCOME,
        &[("name", name), ("platform", &brand.name)],
    );
    Message {
        greeting_name: name,
        paragraphs: &[&intro],
        action: Some(("Open your library", library_url)),
        brand,
    }
    .into_email(EmailKind::Welcome, to, format!("Welcome to {}", brand.name))
}

pub fn verify_email(addressee: Addressee<'_>, link: &str) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    Message {
        greeting_name: name,
        paragraphs: &[
            "Please confirm your email address. The link is valid for 24 hours and works once.",
        ],
        action: Some(("Verify your email", link)),
        brand,
    }
    .into_email(
        EmailKind::VerifyEmail,
        to,
        format!("Verify your email for {}", brand.name),
    )
}

pub fn password_reset(addressee: Addressee<'_>, link: &str) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    Message {
        greeting_name: name,
        paragraphs: &[
            "Someone asked to reset the password of your account. The link is valid for 1 hour and works once.",
            "If it was not you, ignore this email: your password stays as it is.",
        ],
        action: Some(("Reset your password", link)),
        brand,
    }
    .into_email(EmailKind::PasswordReset, to, format!("Reset your {} password", brand.name))
}

/// The new link of a private feed reset for being shared (`link` holds the token slot).
pub fn podcast_feed_reset(addressee: Addressee<'_>, link: &str, networks: i64) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    let why = format!(
        "Your private podcast feed was opened from {networks} different networks today, so we replaced its link: the old one no longer works."
    );
    Message {
        greeting_name: name,
        paragraphs: &[
            &why,
            "Add the new link to your podcast app (and keep it to yourself: it is yours alone).",
        ],
        action: Some(("Your new feed link", link)),
        brand,
    }
    .into_email(
        EmailKind::PodcastFeedReset,
        to,
        format!("Your {} podcast feed has a new link", brand.name),
    )
}

pub fn password_changed(addressee: Addressee<'_>, forgot_url: &str) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    Message {
        greeting_name: name,
        paragraphs: &[
            "The password of your account was just changed, and every other session was signed out.",
            "If you did not do this, reset your password now.",
        ],
        action: Some(("Reset your password", forgot_url)),
        brand,
    }
    .into_email(EmailKind::PasswordChanged, to, format!("Your {} password was changed", brand.name))
}

/// Sent to the old address when the account's email address changes, so that the owner of
/// the old address learns of a change they did not make.
/// Sent to the old address (`addressee.to`).
pub fn email_changed(
    addressee: Addressee<'_>,
    new_address: &str,
    forgot_url: &str,
) -> OutgoingEmail {
    let Addressee {
        brand,
        to: old_address,
        name,
    } = addressee;
    let notice = format!(
        "The email address of your account was just changed from {old_address} to {new_address}."
    );
    Message {
        greeting_name: name,
        paragraphs: &[
            &notice,
            "If you did not do this, reset your password now from this address and contact us.",
        ],
        action: Some(("Reset your password", forgot_url)),
        brand,
    }
    .into_email(
        EmailKind::EmailChanged,
        old_address,
        format!("Your {} email address was changed", brand.name),
    )
}

/// Sent when someone registers with an address that already has an account: the page
/// answers as for a new account (so it tells nobody which addresses have one), and the
/// address's owner learns what happened here.
pub fn account_exists(
    addressee: Addressee<'_>,
    login_url: &str,
    forgot_url: &str,
) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    let forgot = format!("Forgot your password? Reset it here: {forgot_url}");
    Message {
        greeting_name: name,
        paragraphs: &[
            "Someone, perhaps you, just tried to create an account with this email address, which already has one. No new account was made.",
            "If it was you, log in with your password.",
            &forgot,
        ],
        action: Some(("Log in", login_url)),
        brand,
    }
    .into_email(
        EmailKind::AccountExists,
        to,
        format!("You already have a {} account", brand.name),
    )
}

/// What a purchase email says about the purchase.
pub struct PurchaseFacts<'a> {
    pub title: &'a str,
    /// `$12.34`.
    pub amount: &'a str,
    pub payment_id: &'a str,
    pub date: &'a str,
    /// `Visa •••• 4242`, when Stripe has said.
    pub payment_method: Option<&'a str>,
    /// Tax Stripe added on top of the amount, e.g. `$1.30`.
    pub tax: Option<&'a str>,
    /// Stripe's own receipt, when there is one.
    pub stripe_receipt_url: Option<&'a str>,
}

impl PurchaseFacts<'_> {
    /// `Amount: $12.99 · Tax: $1.30 · Date: 2 Dec 2026 · Payment: pi_… (Visa •••• 4242)`.
    fn details(&self) -> String {
        let mut out = format!("Amount: {}", self.amount);
        if let Some(tax) = self.tax {
            out.push_str(&format!(" · Tax: {tax}"));
        }
        out.push_str(&format!(
            " · Date: {} · Payment: {}",
            self.date, self.payment_id
        ));
        if let Some(method) = self.payment_method {
            out.push_str(&format!(" ({method})"));
        }
        out
    }
}

/// `intro`: the owner's receipt text (empty for the default).
pub fn purchase_receipt(
    addressee: Addressee<'_>,
    purchase: &PurchaseFacts<'_>,
    receipt_url: &str,
    intro: &str,
) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    let bought = fill(
        intro,
        DEFAULT_RECEIPT,
        &[
            ("name", name),
            ("platform", &brand.name),
            ("item", purchase.title),
            ("amount", purchase.amount),
        ],
    );
    let details = purchase.details();
    let stripe_receipt = purchase
        .stripe_receipt_url
        .map(|url| format!("Your card statement receipt: {url}"));
    let mut paragraphs = vec![
        bought.as_str(),
        details.as_str(),
        "It is in your library now, ready to watch.",
    ];
    paragraphs.extend(stripe_receipt.as_deref());
    Message {
        greeting_name: name,
        paragraphs: &paragraphs,
        // The durable receipt link: the library entry (or the receipt, once not playable).
        action: Some(("Open in your library", receipt_url)),
        brand,
    }
    .into_email(
        EmailKind::PurchaseReceipt,
        to,
        format!("Your receipt from {}", brand.name),
    )
}

pub fn sale_notification(
    owner: Addressee<'_>,
    notice: OwnerNotice<'_>,
    purchase: &PurchaseFacts<'_>,
) -> OutgoingEmail {
    let customer = notice.customer;
    let sold = format!(
        "{customer} bought \"{}\" for {}.",
        purchase.title, purchase.amount
    );
    let details = format!("Date: {} · Payment: {}", purchase.date, purchase.payment_id);
    notice.message(owner, &[&sold, &details]).into_email(
        EmailKind::SaleNotification,
        owner.to,
        format!("New sale: {}", purchase.title),
    )
}

pub fn refund_confirmation(
    addressee: Addressee<'_>,
    purchase: &PurchaseFacts<'_>,
    reason: &str,
    purchases_url: &str,
) -> OutgoingEmail {
    let Addressee { brand, to, name } = addressee;
    let refunded = format!(
        "Your purchase of \"{}\" ({}) has been refunded. The money goes back to your card within 5 to 10 days.",
        purchase.title, purchase.amount
    );
    let why = format!("Reason: {reason}");
    Message {
        greeting_name: name,
        paragraphs: &[&refunded, &why, "The item has left your library."],
        action: Some(("Your purchases", purchases_url)),
        brand,
    }
    .into_email(
        EmailKind::RefundConfirmation,
        to,
        format!("Your refund from {}", brand.name),
    )
}

/// What the owner is told of a dispute: opened (`outcome` None), won or lost.
pub fn dispute_notification(
    owner: Addressee<'_>,
    notice: OwnerNotice<'_>,
    purchase: &PurchaseFacts<'_>,
    outcome: Option<bool>,
) -> OutgoingEmail {
    let customer = notice.customer;
    let (subject, what) = match outcome {
        None => (
            format!("Dispute opened: {}", purchase.title),
            format!(
                "{customer} disputed their payment of {} for \"{}\" with their bank. Their access is suspended until the dispute closes. Answer it in your Stripe dashboard.",
                purchase.amount, purchase.title
            ),
        ),
        Some(true) => (
            format!("Dispute won: {}", purchase.title),
            format!(
                "The dispute over {customer}'s payment for \"{}\" closed in your favour. Their access is back.",
                purchase.title
            ),
        ),
        Some(false) => (
            format!("Dispute lost: {}", purchase.title),
            format!(
                "The dispute over {customer}'s payment of {} for \"{}\" closed in their favour: the money went back to them and their access has ended.",
                purchase.amount, purchase.title
            ),
        ),
    };
    let details = purchase.details();
    notice.message(owner, &[&what, &details]).into_email(
        EmailKind::DisputeNotification,
        owner.to,
        subject,
    )
}

/// What happened to a membership's payment, for the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipPaymentChange {
    /// Refunded in Stripe, in full or in part.
    Refunded,
    DisputeOpened,
    DisputeWon,
    DisputeLost,
}

/// The owner is told that a membership payment was refunded or disputed: the membership
/// itself goes on as Stripe's subscription says.
pub fn membership_payment_notification(
    owner: Addressee<'_>,
    notice: OwnerNotice<'_>,
    payment: &PurchaseFacts<'_>,
    change: MembershipPaymentChange,
) -> OutgoingEmail {
    let customer = notice.customer;
    let (subject, what) = match change {
        MembershipPaymentChange::Refunded => (
            format!("Membership payment refunded: {}", payment.title),
            format!(
                "{customer}'s membership payment of {} for \"{}\" was refunded in Stripe.",
                payment.amount, payment.title
            ),
        ),
        MembershipPaymentChange::DisputeOpened => (
            format!("Membership payment disputed: {}", payment.title),
            format!(
                "{customer} disputed their membership payment of {} for \"{}\" with their bank. Answer it in your Stripe dashboard; the membership goes on as Stripe bills it.",
                payment.amount, payment.title
            ),
        ),
        MembershipPaymentChange::DisputeWon => (
            format!("Dispute won: {}", payment.title),
            format!(
                "The dispute over {customer}'s membership payment for \"{}\" closed in your favour.",
                payment.title
            ),
        ),
        MembershipPaymentChange::DisputeLost => (
            format!("Dispute lost: {}", payment.title),
            format!(
                "The dispute over {customer}'s membership payment of {} for \"{}\" closed in their favour: the money went back to them. Cancel the membership in Stripe if it should not go on.",
                payment.amount, payment.title
            ),
        ),
    };
    let details = payment.details();
    notice.message(owner, &[&what, &details]).into_email(
        EmailKind::MembershipPaymentNotification,
        owner.to,
        subject,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html_but_kept_in_text() {
        let email = welcome(
            Addressee {
                brand: &Brand::named("Codex"),
                to: "a@example.com",
                name: "<b>Ada</b> & co",
            },
            "http://x/library",
            "",
        );
        assert!(email.html.contains("&lt;b&gt;Ada&lt;/b&gt; &amp; co"));
        assert!(!email.html.contains("<b>Ada"));
        assert!(email.text.contains("Hi <b>Ada</b> & co,"));
    }

    #[test]
    fn links_appear_in_both_parts() {
        let link = "http://127.0.0.1:3000/verify-email?token=abc.def";
        let email = verify_email(
            Addressee {
                brand: &Brand::named("Codex"),
                to: "a@example.com",
                name: "Ada",
            },
            link,
        );
        assert!(email.text.contains(link));
        assert!(email.html.contains(&format!("href=\"{link}\"")));
        assert_eq!(email.kind.as_str(), "verify_email");
    }

    #[test]
    fn the_owners_text_is_filled_in_and_escaped() {
        let brand = Brand {
            logo_url: Some("https://films.example.com/site/logo?v=1".into()),
            ..Brand::named("Film Club")
        };
        let email = welcome(
            Addressee {
                brand: &brand,
                to: "a@example.com",
                name: "Ada",
            },
            "http://x/library",
            "Hello {name} <3, enjoy {platform}.",
        );
        assert!(email.text.contains("Hello Ada <3, enjoy Film Club."));
        assert!(email.html.contains("Hello Ada &lt;3, enjoy Film Club."));
        assert!(email
            .html
            .contains("<img src=\"https://films.example.com/site/logo?v=1\""));
        let default = welcome(
            Addressee {
                brand: &brand,
                to: "a@example.com",
                name: "Ada",
            },
            "http://x/library",
            "  ",
        );
        assert!(default.text.contains("Welcome to Film Club!"));
    }

    #[test]
    fn the_brand_colours_the_button_and_signs_the_footer() {
        let brand = Brand {
            colour: HexColour::parse("#FACC15").unwrap(),
            business: "Film Club Ltd".into(),
            contact_email: "hello@films.example.com".into(),
            ..Brand::named("Film Club")
        };
        let email = verify_email(
            Addressee {
                brand: &brand,
                to: "a@example.com",
                name: "Ada",
            },
            "http://x/verify-email?token=t",
        );
        // A light colour gets dark text on the button.
        assert!(email.html.contains("background:#FACC15;color:#111827"));
        assert!(email.html.contains("border-top:4px solid #FACC15"));
        let footer = "Film Club Ltd · Questions? Write to hello@films.example.com";
        assert!(email.html.contains(footer));
        assert!(email.text.ends_with(&format!("{footer}\n")));
        let plain = verify_email(
            Addressee {
                brand: &Brand::named("Codex"),
                to: "a@example.com",
                name: "Ada",
            },
            "http://x",
        );
        assert!(!plain.text.contains("Questions?"));
    }
}
