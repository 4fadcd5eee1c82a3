//! Marketing email: what a person consented to, who a broadcast goes to, and the views of
//! broadcasts and sends the owner reads. Transactional email (`email`) ignores all of it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Invalid;

/// The kinds of marketing email a person can switch on and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    News,
    Releases,
}

impl Category {
    pub const ALL: [Category; 2] = [Category::News, Category::Releases];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::News => "news",
            Self::Releases => "releases",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        match value {
            "news" => Ok(Self::News),
            "releases" => Ok(Self::Releases),
            _ => Err(Invalid::new("Choose what kind of email this is.")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::News => "News",
            Self::Releases => "New releases",
        }
    }
}

/// Who a broadcast goes to, among the customers who consented to its category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Segment {
    Everyone,
    /// Buyers of any of these items.
    Buyers {
        items: Vec<Uuid>,
    },
    /// Members of this tier now.
    Members {
        tier: Uuid,
    },
    /// No paid purchase in the last `days` days.
    Lapsed {
        days: i32,
    },
    /// Never paid for anything (free items only, or nothing yet).
    FreeOnly,
}

/// The most days "have not bought in N days" looks back.
pub const MAX_LAPSED_DAYS: i32 = 3650;

impl Segment {
    /// The form's fields: `kind`, the chosen items, the tier, the days.
    pub fn parse(
        kind: &str,
        items: &[Uuid],
        tier: Option<Uuid>,
        days: Option<&str>,
    ) -> Result<Self, Invalid> {
        match kind {
            "everyone" => Ok(Self::Everyone),
            "buyers" if items.is_empty() => Err(Invalid::new(
                "Choose at least one item whose buyers get it.",
            )),
            "buyers" if items.len() > 100 => Err(Invalid::new("Choose at most 100 items.")),
            "buyers" => Ok(Self::Buyers {
                items: items.to_vec(),
            }),
            "members" => tier
                .map(|tier| Self::Members { tier })
                .ok_or_else(|| Invalid::new("Choose the tier whose members get it.")),
            "lapsed" => {
                let days = days
                    .and_then(|d| d.trim().parse::<i32>().ok())
                    .filter(|d| (1..=MAX_LAPSED_DAYS).contains(d))
                    .ok_or_else(|| {
                        Invalid::new(format!(
                            "Days without a purchase must be a whole number from 1 to {MAX_LAPSED_DAYS}."
                        ))
                    })?;
                Ok(Self::Lapsed { days })
            }
            "free_only" => Ok(Self::FreeOnly),
            _ => Err(Invalid::new("Choose a segment.")),
        }
    }

    /// Its kind, as the form and the SQL name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Buyers { .. } => "buyers",
            Self::Members { .. } => "members",
            Self::Lapsed { .. } => "lapsed",
            Self::FreeOnly => "free_only",
        }
    }

    /// Who it names, for the owner.
    pub fn describe(&self) -> String {
        match self {
            Self::Everyone => "Everyone who consented".into(),
            Self::Buyers { items } if items.len() == 1 => "Buyers of 1 item".into(),
            Self::Buyers { items } => format!("Buyers of {} items", items.len()),
            Self::Members { .. } => "Members of a tier".into(),
            Self::Lapsed { days } => format!("No purchase in {days} days"),
            Self::FreeOnly => "Free-only customers".into(),
        }
    }
}

/// A broadcast as the owner wrote it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastDraft {
    pub subject: String,
    pub body_markdown: String,
    pub category: Category,
    pub segment: Segment,
}

pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 50_000;

impl BroadcastDraft {
    pub fn parse(
        subject: &str,
        body_markdown: &str,
        category: &str,
        segment: Segment,
    ) -> Result<Self, Invalid> {
        let subject = subject.trim();
        if subject.is_empty() {
            return Err(Invalid::new("Subject is required."));
        }
        if subject.chars().count() > MAX_SUBJECT || subject.contains(['\r', '\n']) {
            return Err(Invalid::new(format!(
                "Subject must be one line of at most {MAX_SUBJECT} characters."
            )));
        }
        let body = body_markdown.trim();
        if body.is_empty() {
            return Err(Invalid::new("Message is required."));
        }
        if body.chars().count() > MAX_BODY {
            return Err(Invalid::new(format!(
                "Message must be at most {MAX_BODY} characters."
            )));
        }
        Ok(Self {
            subject: subject.to_string(),
            body_markdown: body.to_string(),
            category: Category::parse(category)?,
            segment,
        })
    }
}

/// A broadcast as written, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    pub id: Uuid,
    pub draft: BroadcastDraft,
    /// draft, scheduled, queued or sent.
    pub status: String,
    pub send_at: Option<OffsetDateTime>,
}

/// A broadcast in the owner's list, with how its sending went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastSummary {
    pub id: Uuid,
    pub subject: String,
    pub segment: String,
    /// draft, scheduled, queued or sent.
    pub status: String,
    /// When it went or goes (when it was written, for a draft).
    pub send_at: OffsetDateTime,
    pub recipients: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    /// Not sent: the person withdrew consent or was suppressed after it was queued.
    pub skipped: i64,
    pub unsubscribed: i64,
}

/// What the preferences page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub address: String,
    pub news: bool,
    pub releases: bool,
    /// Why marketing email no longer reaches this address, if it does not.
    pub suppressed: Option<String>,
}

/// One marketing email sent (or not) to a person, for the owner's customer page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendLogEntry {
    pub what: String,
    pub status: String,
    pub note: Option<String>,
    pub at: OffsetDateTime,
}

/// The abandoned checkout email's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbandonedCheckout {
    pub enabled: bool,
    pub delay_hours: i32,
    pub discount_code: String,
    /// Emails sent so far, and the purchases and revenue (cents) they brought back.
    pub sent: i64,
    pub recovered: i64,
    pub recovered_cents: i64,
}

/// The owner's automated sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Automation {
    /// After the customer verifies their address.
    Welcome,
    /// After an item's purchase is first paid.
    AfterPurchase,
    /// After a membership ends.
    WinBack,
}

/// Steps a sequence may have.
pub const MAX_STEPS: i64 = 5;

impl Automation {
    pub const ALL: [Automation; 3] = [Self::Welcome, Self::AfterPurchase, Self::WinBack];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::AfterPurchase => "after_purchase",
            Self::WinBack => "win_back",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == value)
            .ok_or_else(|| Invalid::new("Choose a sequence."))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Welcome => "Welcome (after the address is verified)",
            Self::AfterPurchase => "After a purchase of an item",
            Self::WinBack => "Win-back (after a membership ends)",
        }
    }
}

/// A step the owner adds to a sequence, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStep {
    pub automation: Automation,
    /// The item, for an after-purchase sequence.
    pub content_id: Option<Uuid>,
    pub delay_days: i32,
    pub subject: String,
    pub body_markdown: String,
}

impl NewStep {
    pub fn parse(
        automation: &str,
        content_id: Option<Uuid>,
        delay_days: &str,
        subject: &str,
        body_markdown: &str,
    ) -> Result<Self, Invalid> {
        let automation = Automation::parse(automation)?;
        let content_id = match automation {
            Automation::AfterPurchase => Some(
                content_id.ok_or_else(|| Invalid::new("Choose the item whose buyers get it."))?,
            ),
            _ => None,
        };
        let delay_days = delay_days
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|d| (0..=365).contains(d))
            .ok_or_else(|| Invalid::new("Days after must be a whole number from 0 to 365."))?;
        // The same checks as a broadcast's subject and message.
        let text = BroadcastDraft::parse(subject, body_markdown, "news", Segment::Everyone)?;
        Ok(Self {
            automation,
            content_id,
            delay_days,
            subject: text.subject,
            body_markdown: text.body_markdown,
        })
    }
}

/// A step as the owner's list shows it, with how many it has mailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub id: Uuid,
    pub automation: Automation,
    pub item: Option<String>,
    pub delay_days: i32,
    pub subject: String,
    pub sent: i64,
    pub stopped: i64,
    /// The email as its people get it (HTML under the brand).
    pub preview_html: String,
}

/// What the dashboard shows of marketing email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Audience {
    /// Customers who consented to at least one category and are not suppressed.
    pub subscribers: i64,
    pub recovered_checkouts: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_needs_what_it_names() {
        assert_eq!(
            Segment::parse("everyone", &[], None, None),
            Ok(Segment::Everyone)
        );
        assert!(Segment::parse("buyers", &[], None, None).is_err());
        let item = Uuid::nil();
        assert_eq!(
            Segment::parse("buyers", &[item], None, None),
            Ok(Segment::Buyers { items: vec![item] })
        );
        assert!(Segment::parse("members", &[], None, None).is_err());
        assert_eq!(
            Segment::parse("lapsed", &[], None, Some(" 30 ")),
            Ok(Segment::Lapsed { days: 30 })
        );
        assert!(Segment::parse("lapsed", &[], None, Some("0")).is_err());
        assert!(Segment::parse("lapsed", &[], None, Some("x")).is_err());
        assert!(Segment::parse("somebody", &[], None, None).is_err());
    }

    #[test]
    fn a_segment_reads_back_from_its_json() {
        let segment = Segment::Members { tier: Uuid::nil() };
        let json = serde_json::to_value(&segment).unwrap();
        assert_eq!(json["kind"], "members");
        assert_eq!(serde_json::from_value::<Segment>(json).unwrap(), segment);
    }

    #[test]
    fn a_step_names_its_item_only_after_a_purchase() {
        let item = Uuid::nil();
        let step = NewStep::parse("after_purchase", Some(item), "3", "Hi", "Body").unwrap();
        assert_eq!((step.content_id, step.delay_days), (Some(item), 3));
        assert!(NewStep::parse("after_purchase", None, "3", "Hi", "Body").is_err());
        assert_eq!(
            NewStep::parse("welcome", Some(item), "0", "Hi", "Body")
                .unwrap()
                .content_id,
            None
        );
        assert!(NewStep::parse("welcome", None, "366", "Hi", "Body").is_err());
        assert!(NewStep::parse("sometime", None, "1", "Hi", "Body").is_err());
    }

    #[test]
    fn a_draft_has_one_line_of_subject_and_a_message() {
        let ok = BroadcastDraft::parse(" Hello ", "Body", "news", Segment::Everyone).unwrap();
        assert_eq!(ok.subject, "Hello");
        assert!(BroadcastDraft::parse("", "Body", "news", Segment::Everyone).is_err());
        assert!(BroadcastDraft::parse("a\nb", "Body", "news", Segment::Everyone).is_err());
        assert!(BroadcastDraft::parse("Hi", " ", "news", Segment::Everyone).is_err());
        assert!(BroadcastDraft::parse("Hi", "Body", "ads", Segment::Everyone).is_err());
    }
}
