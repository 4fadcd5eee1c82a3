//! An item's description, written by the owner in Markdown, made into HTML that is safe to
//! put in the page: headings, paragraphs, lists, links, emphasis, quotes and code. Raw HTML
//! in the text is shown as text (a `<script>` is read, never run), links keep only `http`,
//! `https`, `mailto` and same-site addresses, images become their description (an image
//! from another site would tell it who reads the page), and headings start at level 3
//! (the page's title is the `h1`, its sections `h2`).

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// How much of the description the search engines' summary keeps.
const SUMMARY_CHARS: usize = 160;

/// The description as HTML and as a one-line summary (for `<meta name="description">`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    pub html: String,
    pub summary: String,
}

pub fn render(markdown: &str) -> Description {
    let options = Options::ENABLE_STRIKETHROUGH;
    let mut images = 0usize;
    let mut dropped_links = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // A block of HTML is a paragraph of text.
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Heading { level, .. }) => Some(Event::Start(Tag::Heading {
            level: demoted(level),
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(demoted(level)))),
        Event::Start(Tag::Image { .. }) => {
            images += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            images -= 1;
            None
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let safe = safe_destination(&dest_url);
            dropped_links.push(!safe);
            safe.then_some(Event::Start(Tag::Link {
                link_type: plain_link(link_type),
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => match dropped_links.pop() {
            Some(false) => Some(Event::End(TagEnd::Link)),
            _ => None,
        },
        // An image's description stays, as text.
        other if images > 0 => match other {
            Event::Text(_) | Event::Code(_) => Some(other),
            _ => None,
        },
        Event::FootnoteReference(_) | Event::TaskListMarker(_) => None,
        other => Some(other),
    });
    let events: Vec<Event<'_>> = events.collect();
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.iter().cloned());
    Description {
        html,
        summary: summary_of(&events),
    }
}

fn demoted(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Autolinks (`<https://…>`) and email autolinks keep their kind; everything else is an
/// inline link, so the writer never emits a reference definition.
fn plain_link(kind: LinkType) -> LinkType {
    match kind {
        LinkType::Autolink | LinkType::Email => kind,
        _ => LinkType::Inline,
    }
}

/// `http:`, `https:`, `mailto:`, or an address on this site (`/…`, `#…`); never
/// `javascript:`, `data:` or `//other.site` (which a browser reads as another site).
fn safe_destination(url: &CowStr<'_>) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        || (url.starts_with('/') && !url.starts_with("//"))
        || url.starts_with('#')
}

fn is_inline(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
    )
}

/// The text of the description on one line, cut at a word to at most 160 characters.
fn summary_of(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            // The end of a block (a heading, a paragraph, an item) parts words; the end of
            // emphasis or a link does not.
            Event::End(tag) if !is_inline(tag) => text.push(' '),
            _ => {}
        }
        if text.len() > SUMMARY_CHARS * 4 {
            break;
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut summary = String::new();
    for word in words {
        let needed =
            summary.chars().count() + usize::from(!summary.is_empty()) + word.chars().count();
        if needed > SUMMARY_CHARS {
            if summary.is_empty() {
                summary = word.chars().take(SUMMARY_CHARS).collect();
            }
            break;
        }
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(word);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let d = render("# Intro\n\nA *short* film about **Rust**.\n\n- one\n- two\n\n[More](https://example.com/more)");
        assert_eq!(
            d.html,
            "<h3>Intro</h3>\n<p>A <em>short</em> film about <strong>Rust</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p><a href=\"https://example.com/more\">More</a></p>\n"
        );
        assert_eq!(d.summary, "Intro A short film about Rust. one two More");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let d = render("Hello <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n<div onclick=\"x\">block</div>");
        assert!(!d.html.contains("<script"), "{}", d.html);
        assert!(!d.html.contains("<img"), "{}", d.html);
        assert!(!d.html.contains("<div"), "{}", d.html);
        assert!(
            d.html
                .ends_with("<p>&lt;div onclick=\"x\"&gt;block&lt;/div&gt;</p>\n"),
            "{}",
            d.html
        );
        assert!(
            d.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{}",
            d.html
        );
    }

    #[test]
    fn only_safe_links_are_links() {
        for bad in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](data:text/html,hi)",
            "[x](//evil.example)",
            "[x](vbscript:y)",
        ] {
            let d = render(bad);
            assert!(!d.html.contains("<a"), "{bad} gave {}", d.html);
            assert!(d.html.contains('x'), "the text stays: {}", d.html);
        }
        for good in [
            "[x](https://a.example)",
            "[x](/content/other)",
            "[x](#chapters)",
            "<mailto:a@b.example>",
            "<https://a.example>",
        ] {
            assert!(render(good).html.contains("<a href="), "{good}");
        }
    }

    #[test]
    fn images_become_their_description() {
        let d = render("Look: ![a red *door*](https://tracker.example/pixel.gif)");
        assert_eq!(d.html, "<p>Look: a red door</p>\n");
    }

    #[test]
    fn the_summary_is_cut_at_a_word() {
        let long = "word ".repeat(100);
        let summary = render(&long).summary;
        assert!(summary.chars().count() <= SUMMARY_CHARS);
        assert!(summary.ends_with("word"));
        assert_eq!(render("").summary, "");
        assert_eq!(
            render(&"x".repeat(500)).summary.chars().count(),
            SUMMARY_CHARS
        );
    }
}
