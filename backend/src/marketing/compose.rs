//! A marketing email's subject and bodies under the brand, with the footer every one of them
//! carries: why the person gets it, and the link to their preferences (where "Unsubscribe"
//! is one button: a link a scanner follows never unsubscribes anybody).

use crate::email::context::EmailContext;
use crate::email::templates::{escape_html, framed};

use super::markdown;

/// A message body in both formats, before the frame and the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub html: String,
    pub text: String,
}

impl Body {
    pub fn of_markdown(markdown: &str) -> Self {
        Self {
            html: markdown::to_html(markdown),
            text: markdown::to_text(markdown),
        }
    }
}

/// An email ready to leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// `body` framed under the brand, with the preferences link of its recipient.
pub fn compose(
    context: &EmailContext,
    subject: &str,
    body: &Body,
    preferences_url: &str,
) -> Composed {
    let brand = &context.brand;
    let why = format!(
        "You get this email because you asked {} for news and new releases.",
        brand.name
    );
    let links = format!(
        "{} <a href=\"{url}\">Email preferences</a> · <a href=\"{url}\">Unsubscribe</a>",
        escape_html(&why),
        url = escape_html(preferences_url)
    );
    let mut text = format!("{}\n\n— {}\n", body.text, brand.name);
    if let Some(footer) = brand.footer() {
        text.push_str(&format!("\n{footer}\n"));
    }
    text.push_str(&format!(
        "\n{why}\nEmail preferences or unsubscribe: {preferences_url}\n"
    ));
    Composed {
        subject: subject.to_string(),
        html: framed(brand, &body.html, Some(&links)),
        text,
    }
}
