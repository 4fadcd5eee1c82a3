//! A broadcast's Markdown as safe HTML and as plain text. Raw HTML in the Markdown is shown
//! as text, and links other than http(s) and mailto lose their link: nothing the owner
//! types can run in a mail client or carry a script.

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH)
}

/// The body as HTML for the email's frame.
pub fn to_html(markdown: &str) -> String {
    let mut dropped_links = Vec::new();
    let events = parser(markdown).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. })
            if !safe_url(&dest_url) =>
        {
            dropped_links.push(true);
            None
        }
        Event::Start(Tag::Link { .. }) => {
            dropped_links.push(false);
            Some(event)
        }
        // An image shows as its link: mail clients block remote images, and a tracking pixel
        // is not ours to add.
        Event::Start(Tag::Image {
            dest_url,
            title,
            id,
            ..
        }) => {
            dropped_links.push(false);
            Some(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => match dropped_links.pop() {
            Some(true) => None,
            _ => Some(Event::End(TagEnd::Link)),
        },
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The body as plain text: paragraphs apart, a link as "text (url)".
pub fn to_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut links: Vec<CowStr<'_>> = Vec::new();
    for event in parser(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                out.push_str(&text)
            }
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => links.push(dest_url),
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some(url) = links.pop().filter(|url| safe_url(url)) {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::BlockQuote(_),
            ) => out.push_str("\n\n"),
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::Rule => out.push_str("----\n\n"),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = to_html("# New film\n\nIt is **out** now: [watch](https://example.com/a).");
        assert!(html.contains("<h1>New film</h1>"));
        assert!(html.contains("<strong>out</strong>"));
        assert!(html.contains("<a href=\"https://example.com/a\">watch</a>"));
    }

    #[test]
    fn raw_html_and_script_links_are_not_kept() {
        let html = to_html(
            "<script>alert(1)</script>\n\nHi <b onclick=x>there</b> [x](javascript:alert(1))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains(">x<") || html.contains(" x"), "{html}");
    }

    #[test]
    fn images_become_links() {
        let html = to_html("![poster](https://example.com/p.jpg)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com/p.jpg\">poster</a>"),
            "{html}"
        );
    }

    #[test]
    fn markdown_becomes_text() {
        let text =
            to_text("# New film\n\nIt is **out**: [watch](https://example.com/a).\n\n- one\n- two");
        assert_eq!(
            text,
            "New film\n\nIt is out: watch (https://example.com/a).\n\n- one\n- two"
        );
    }
}
