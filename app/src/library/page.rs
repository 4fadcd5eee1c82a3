//! `/library`: the "Continue watching" row, then the grid of owned items with search, tag
//! filter and sort (a plain GET form, so it works without JavaScript too).

use domain::paths;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::load_library;
use super::{progress_label, Library, LibraryItem, LibrarySort};
use crate::content::types::{grid_thumbnail_srcset, thumbnail_url, GRID_THUMBNAIL_SIZES};
use crate::media::page::format_duration;
use crate::podcast::feed_section::PodcastFeedSection;
use crate::ui::{LoadError, PageHead};

#[component]
pub fn LibraryPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        (q.get("q"), q.get("tag"), q.get("sort"), q.get("open"))
    };
    let library = Resource::new(filters, |(q, tag, sort, open)| {
        load_library(q, tag, sort, open)
    });
    let other_account = move || query.read().get("receipt").as_deref() == Some("other-account");
    view! {
        <PageHead title="Your library" description="Everything you bought or unlocked, ready to watch or listen."/>
        <h1>"Your library"</h1>
        {move || other_account().then(|| view! {
            <p class="alert alert-error" role="alert">
                "This receipt link belongs to another account. Log out and log in with the email address the receipt was sent to."
            </p>
        })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || library.get().map(|result| match result {
                Ok(library) if library.total == 0 => view! {
                    <section class="card">
                        <p>"Items you buy or get for free will appear here."</p>
                        <p><a href="/">"Browse the catalog"</a></p>
                    </section>
                }.into_any(),
                Ok(library) => {
                    let (q, tag, sort, _) = filters();
                    view! { <LibraryView library q=q.unwrap_or_default() tag sort=LibrarySort::parse(sort.as_deref())/> }.into_any()
                }
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
        <PodcastFeedSection/>
    }
}

#[component]
fn LibraryView(
    library: Library,
    q: String,
    tag: Option<String>,
    sort: LibrarySort,
) -> impl IntoView {
    let Library {
        opened,
        items,
        continue_watching,
        tags,
        ..
    } = library;
    view! {
        {(!opened.is_empty()).then(|| view! {
            <section class="library-section" aria-labelledby="from-receipt">
                <h2 id="from-receipt">"From your receipt"</h2>
                <ul class="grid" aria-label="From your receipt">
                    {opened.into_iter().map(|item| view! { <LibraryCard item/> }).collect_view()}
                </ul>
            </section>
        })}
        {(!continue_watching.is_empty()).then(|| view! {
            <section class="library-section" aria-labelledby="continue-watching">
                <h2 id="continue-watching">"Continue watching"</h2>
                <ul class="grid" aria-label="Continue watching">
                    {continue_watching.into_iter().map(|item| view! { <LibraryCard item/> }).collect_view()}
                </ul>
            </section>
        })}
        <section class="library-section" aria-labelledby="all-items">
            <h2 id="all-items">"All items"</h2>
            <form method="get" action="/library" class="library-filters" role="search">
                <div class="field">
                    <label for="library-search">"Search your library"</label>
                    <input id="library-search" type="search" name="q" value=q maxlength="100"/>
                </div>
                <div class="field">
                    <label for="library-tag">"Tag"</label>
                    <select id="library-tag" name="tag">
                        <option value="">"All tags"</option>
                        {tags.into_iter().map(|t| {
                            let selected = tag.as_deref() == Some(t.as_str());
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="library-sort">"Sort by"</label>
                    <select id="library-sort" name="sort">
                        {LibrarySort::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=s == sort>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Apply"</button>
            </form>
            {if items.is_empty() {
                view! { <p class="empty">"Nothing in your library matches. " <a href="/library">"Show everything"</a></p> }.into_any()
            } else {
                view! {
                    <ul class="grid" aria-label="Library">
                        {items.into_iter().map(|item| view! { <LibraryCard item/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// How much of an item has been watched, as a bar with its words.
#[component]
pub fn WatchedBar(title: String, percent: u8, label: String) -> impl IntoView {
    view! {
        <div class="card-progress">
            <progress max="100" value=percent.to_string() aria-label=format!("Progress of {title}")></progress>
            <span class="hint">{label}</span>
        </div>
    }
}

/// Links to the player load the page in full (its script runs on load, see `watch_page`).
#[component]
fn LibraryCard(item: LibraryItem) -> impl IntoView {
    let href = paths::watch(&item.slug);
    let percent = item.percent_watched();
    let progress = progress_label(percent, item.position_seconds.is_some());
    view! {
        <li class="card catalog-card library-card">
            <a href=href.clone() rel="external" class="thumb" tabindex="-1" aria-hidden="true">
                {match thumbnail_url(item.content_id, item.custom_thumbnail, item.media_id, item.has_thumbnail) {
                    Some(src) => view! {
                        <img src=src srcset=grid_thumbnail_srcset(item.custom_thumbnail, item.media_id, item.has_thumbnail)
                            sizes=GRID_THUMBNAIL_SIZES alt="" width="320" height="180" loading="lazy"/>
                    }.into_any(),
                    None => view! { <span class="thumb-placeholder" data-kind=item.kind.clone().unwrap_or_default()>{item.kind.clone().unwrap_or_default()}</span> }.into_any(),
                }}
            </a>
            <h3 class="card-title"><a href=href rel="external">{item.title.clone()}</a></h3>
            <p class="card-meta">
                {item.duration_seconds.map(|d| view! { <span>{format!("{} · ", format_duration(d))}</span> })}
                <span>{format!("Added {}", item.added_on)}</span>
            </p>
            {item.rental.map(|left| view! { <p class="rental-left">{left.label()}</p> })}
            <WatchedBar title=item.title.clone() percent label=progress/>
        </li>
    }
}
