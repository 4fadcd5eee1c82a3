//! The public catalog at `/` (the creator's introduction, the featured item and rows of new
//! items, bundles and memberships over every item; search with `?q=`, filter with `?tag=`
//! and `?category=`, order with `?sort=`) and each item's page at `/content/{slug}`. Server-rendered, so readable without JavaScript
//! and by search engines.

use domain::paths;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::content::api::{catalog, chapters_of, content_by_slug, downloads_of, load_shop_window};
use crate::content::categories::list_categories;
use crate::content::chapters::ChapterList;
use crate::content::downloads::DownloadList;
use crate::content::types::{
    thumbnail_url, CatalogItem, CatalogSort, Creator, ItemAbout, ShopWindow, Viewer,
};
use crate::library::api::my_progress;
use crate::library::page::WatchedBar;
use crate::library::{progress_label, ItemProgress};
use crate::media::page::format_duration;
use crate::memberships::api::tiers_for_item;
use crate::selling::api::quote_discount;
use crate::selling::bundle_contents::BundleContentsList;
use crate::selling::offers::BuyBox;
use crate::selling::Quote;
use crate::ui::{set_page_status, urlencode, LoadError, PageHead};
use domain::chapters::Chapter;
use domain::content::{grid_thumbnail_srcset, price_label, GRID_THUMBNAIL_SIZES};
use domain::downloads::Download;

fn thumbnail(item: &CatalogItem) -> Option<String> {
    thumbnail_url(
        item.id,
        item.custom_thumbnail,
        item.media_id,
        item.has_thumbnail,
    )
}

/// What stands in for a missing thumbnail: the kind of item.
fn placeholder(item: &CatalogItem) -> String {
    if item.is_bundle {
        "Bundle".to_string()
    } else {
        item.kind.clone().unwrap_or_default()
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        (
            q.get("q"),
            q.get("tag"),
            q.get("category"),
            q.get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(0),
            q.get("sort"),
        )
    };
    let items = Resource::new(filters, |(q, tag, category, page, sort)| {
        catalog(q, tag, category, page, sort)
    });
    let window = Resource::new(|| (), |_| load_shop_window());
    let progress = Resource::new(|| (), |_| my_progress());
    // The shop window shows over the whole catalog, not over a search or a filter.
    let browsing = move || {
        let q = query.read();
        ["q", "tag", "category", "page"]
            .iter()
            .all(|k| q.get(k).is_none())
    };
    let current_q = move || query.read().get("q").unwrap_or_default();
    view! {
        <PageHead title="Catalog" description="Films and audio to buy, rent or stream with a membership."/>
        <Suspense fallback=|| ()>
            {move || window.get().and_then(Result::ok).and_then(creator_intro)}
        </Suspense>
        <section class="catalog-head">
            <h1>"Catalog"</h1>
            <form method="get" action="/" class="search" role="search">
                <label for="catalog-search" class="visually-hidden">"Search"</label>
                <input id="catalog-search" type="search" name="q" placeholder="Search titles and descriptions" value=current_q maxlength="100"/>
                <button type="submit" class="button">"Search"</button>
            </form>
            <CategoryFilter/>
            {move || query.read().get("tag").map(|tag| view! {
                <p class="hint">"Tagged " <strong>{tag}</strong> " · " <a href="/">"Show everything"</a></p>
            })}
        </section>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let progress = progress.get().and_then(Result::ok).unwrap_or_default();
                let shelves = window
                    .get()
                    .and_then(Result::ok)
                    .filter(|_| browsing())
                    .map(|window| view! { <Shelves window progress=progress.clone()/> });
                items.get().map(|result| match result {
                    Ok(list) if list.is_empty() => {
                        let filtered = { let q = query.read(); ["q", "tag", "category"].iter().any(|k| q.get(k).is_some()) };
                        if filtered {
                            view! { <p class="empty">"Nothing matches. Try other words, or "<a href="/">"show everything"</a>"."</p> }.into_any()
                        } else {
                            view! { <p class="empty">"Nothing is for sale yet. Come back soon."</p> }.into_any()
                        }
                    }
                    Ok(list) => view! {
                        {shelves}
                        <section class="shelf" aria-labelledby="all-items-heading">
                            <div class="shelf-head">
                                <h2 id="all-items-heading">{move || if browsing() { "All items" } else { "Results" }}</h2>
                                <SortForm/>
                            </div>
                            <ul class="grid">
                                {list.into_iter().map(|item| {
                                    let watched = watched(&progress, &item);
                                    view! { <CatalogCard item watched/> }
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })
            }}
        </Suspense>
    }
}

/// How much of `item` the viewer has watched, when they started it.
fn watched(progress: &[ItemProgress], item: &CatalogItem) -> Option<u8> {
    progress
        .iter()
        .find(|p| p.content_id == item.id)
        .map(|p| p.percent)
}

/// The creator's name, picture and introduction over the catalog, when the owner wrote one.
fn creator_intro(window: ShopWindow) -> Option<impl IntoView> {
    let ShopWindow {
        creator,
        introduction,
        ..
    } = window;
    let creator = creator.filter(|_| !introduction.is_empty())?;
    Some(view! {
        <section class="creator-intro" aria-label="About the creator">
            {creator.picture.map(|src| view! { <img class="creator-picture" src=src alt="" width="64" height="64"/> })}
            <div>
                <p class="creator-name">{creator.name}</p>
                <p class="creator-text">{introduction}</p>
            </div>
        </section>
    })
}

/// The featured item, and rows of the newest items, the bundles and the memberships.
#[component]
fn Shelves(window: ShopWindow, progress: Vec<ItemProgress>) -> impl IntoView {
    let ShopWindow {
        featured,
        featured_summary,
        newest,
        bundles,
        memberships,
        ..
    } = window;
    let row = |id: &'static str, title: &'static str, items: Vec<CatalogItem>| {
        (!items.is_empty()).then(|| {
            let cards = items
                .into_iter()
                .map(|item| {
                    let watched = watched(&progress, &item);
                    view! { <CatalogCard item watched/> }
                })
                .collect_view();
            view! {
                <section class="shelf" aria-labelledby=id>
                    <h2 id=id>{title}</h2>
                    <ul class="grid">{cards}</ul>
                </section>
            }
        })
    };
    view! {
        {featured.map(|item| view! { <FeaturedItem item summary=featured_summary/> })}
        {row("new-heading", "New", newest)}
        {row("bundles-heading", "Bundles", bundles)}
        {(!memberships.is_empty()).then(|| view! {
            <section class="shelf" aria-labelledby="memberships-heading">
                <h2 id="memberships-heading">"Memberships"</h2>
                <ul class="grid">
                    {memberships.into_iter().map(|tier| view! {
                        <li class="card membership-card">
                            <h3 class="card-title"><a href=paths::PRICING>{tier.name.clone()}</a></h3>
                            <p class="card-meta"><span class="price">{tier.prices()}</span></p>
                            <p class="card-meta">{if tier.all_items { "Every item".to_string() } else { format!("{} items", tier.items.len()) }}</p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// The owner's featured item, large, with its price and its description's summary.
#[component]
fn FeaturedItem(item: CatalogItem, summary: String) -> impl IntoView {
    let href = paths::content(&item.slug);
    view! {
        <section class="card featured" aria-labelledby="featured-heading">
            <a href=href.clone() class="featured-media" tabindex="-1" aria-hidden="true">
                {match thumbnail(&item) {
                    Some(src) => view! { <img src=src alt="" width="640" height="360"/> }.into_any(),
                    None => view! { <span class="thumb-placeholder" data-kind=placeholder(&item).to_lowercase()>{placeholder(&item)}</span> }.into_any(),
                }}
            </a>
            <div class="featured-text">
                <p class="featured-label">"Featured"</p>
                <h2 id="featured-heading"><a href=href.clone()>{item.title.clone()}</a></h2>
                <p>{summary}</p>
                <p class="card-meta"><CardFacts item=item.clone()/></p>
            </div>
        </section>
    }
}

/// The catalog's order: a plain GET form, so it works before the script runs.
#[component]
fn SortForm() -> impl IntoView {
    let query = use_query_map();
    let current = move || CatalogSort::from_query(query.read().get("sort").as_deref());
    let kept = move |name: &'static str| {
        query
            .read()
            .get(name)
            .map(|value| view! { <input type="hidden" name=name value=value/> })
    };
    view! {
        <form method="get" action="/" class="sort-form">
            {kept("q")} {kept("tag")} {kept("category")}
            <label for="catalog-sort">"Sort by"</label>
            <select id="catalog-sort" name="sort">
                {CatalogSort::ALL.into_iter().map(|sort| view! {
                    <option value=sort.as_query() selected=move || current() == sort>{sort.label()}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="button">"Sort"</button>
        </form>
    }
}

/// Links to the categories that hold published items, in the owner's order; none when
/// there are none.
#[component]
fn CategoryFilter() -> impl IntoView {
    let query = use_query_map();
    let categories = Resource::new(|| (), |_| list_categories());
    let current = move || query.read().get("category");
    view! {
        <Suspense fallback=|| ()>
            {move || categories.get().and_then(Result::ok).map(|list| {
                let used: Vec<_> = list.into_iter().filter(|c| c.published_items > 0).collect();
                (!used.is_empty()).then(|| view! {
                    <nav class="filters" aria-label="Categories">
                        <a href="/" class="filter" aria-current=move || current().is_none().then_some("page")>"Everything"</a>
                        {used.into_iter().map(|category| {
                            let href = format!("/?category={}", urlencode(&category.name));
                            let name = category.name.clone();
                            let is_current = move || (current().as_deref() == Some(name.as_str())).then_some("page");
                            view! { <a href=href class="filter" aria-current=is_current>{category.name}</a> }
                        }).collect_view()}
                    </nav>
                })
            })}
        </Suspense>
    }
}

#[component]
fn CatalogCard(
    item: CatalogItem,
    /// How much of it the viewer watched, when they started it.
    watched: Option<u8>,
) -> impl IntoView {
    let href = paths::content(&item.slug);
    let thumb = thumbnail(&item);
    let srcset = grid_thumbnail_srcset(item.custom_thumbnail, item.media_id, item.has_thumbnail);
    let title = item.title.clone();
    view! {
        <li class="card catalog-card">
            <a href=href.clone() class="thumb" tabindex="-1" aria-hidden="true">
                {match thumb {
                    Some(src) => view! {
                        <img src=src srcset=srcset sizes=GRID_THUMBNAIL_SIZES alt="" width="320" height="180" loading="lazy"/>
                    }.into_any(),
                    None => view! { <span class="thumb-placeholder" data-kind=placeholder(&item).to_lowercase()>{placeholder(&item)}</span> }.into_any(),
                }}
            </a>
            <h3 class="card-title"><a href=href>{item.title.clone()}</a></h3>
            <p class="card-meta"><CardFacts item/></p>
            {watched.map(|percent| view! { <WatchedBar title percent label=progress_label(percent, true)/> })}
        </li>
    }
}

/// A card's facts on one line: the price, rent, "Included in membership", the duration.
#[component]
fn CardFacts(item: CatalogItem) -> impl IntoView {
    view! {
        <span class="price">{item.price_text()}</span>
        {item.is_bundle.then(|| view! { <span>" · Bundle"</span> })}
        {item.rental_price_cents.map(|rent| view! { <span>{format!(" · rent {}", price_label(rent))}</span> })}
        {item.in_membership.then(|| view! { <span>" · Included in membership"</span> })}
        {item.duration_seconds.map(|d| view! { <span>" · " {format_duration(d)}</span> })}
    }
}

#[component]
pub fn ContentPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    // The route renders in `SsrMode::Async`: the head (title, description, Open Graph) and
    // the status (404) wait for the item.
    // A discount code typed with "Apply" (`?code=`) is quoted with the item, so the page
    // renders once with the prices the checkout will charge.
    let query = use_query_map();
    let code = move || query.read().get("code").filter(|c| !c.trim().is_empty());
    let item = Resource::new(
        move || (slug(), code()),
        |(slug, code)| async move {
            let (item, viewer, about) = content_by_slug(slug).await?;
            let quote = match code {
                Some(code) => Some(quote_discount(item.id, code).await),
                None => None,
            };
            let tiers = match viewer {
                Viewer::HasAccess | Viewer::Owner => Vec::new(),
                _ => tiers_for_item(item.id).await?,
            };
            let chapters = chapters_of(item.id).await?;
            let files = match viewer {
                Viewer::HasAccess | Viewer::Renting | Viewer::Owner => {
                    downloads_of(item.id).await?
                }
                _ => Vec::new(),
            };
            Ok::<_, crate::error::AppError>(ItemPage {
                item,
                viewer,
                about,
                quote,
                tiers,
                chapters,
                files,
            })
        },
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || item.get().map(|result| match result {
                Ok(page) => view! { <ContentDetails page/> }.into_any(),
                Err(crate::error::AppError(domain::error::Answer::NotFound)) => {
                    set_page_status(404);
                    view! { <crate::ui::NotFound/> }.into_any()
                }
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

/// The description and Open Graph tags, for search engines and link previews (the route
/// renders in `SsrMode::Async`, so they are in the head the server sends).
#[component]
fn ShareMeta(title: String, summary: String, image: Option<String>) -> impl IntoView {
    view! {
        <Meta name="description" content=summary.clone()/>
        <Meta property="og:title" content=title/>
        <Meta property="og:description" content=summary/>
        <Meta property="og:type" content="video.other"/>
        <Meta property="og:site_name" content=crate::branding::site_name()/>
        {image.map(|src| view! { <Meta property="og:image" content=src/> })}
    }
}

/// Everything the item page shows, loaded together.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct ItemPage {
    item: CatalogItem,
    viewer: Viewer,
    about: ItemAbout,
    quote: Option<Result<Quote, crate::error::AppError>>,
    /// The membership tiers that unlock it, when the viewer cannot keep it yet.
    tiers: Vec<String>,
    chapters: Vec<Chapter>,
    /// The item's files, when the viewer may download them.
    files: Vec<Download>,
}

#[component]
fn ContentDetails(page: ItemPage) -> impl IntoView {
    let ItemPage {
        item,
        viewer,
        about,
        quote,
        tiers,
        chapters,
        files,
    } = page;
    let summary = match about.summary.as_str() {
        "" => format!("Watch or listen to {}.", item.title),
        text => text.to_string(),
    };
    let thumb = thumbnail(&item);
    let includes = includes(&item, &about, chapters.len());
    let creator = about.creator.clone();
    view! {
        <Title text=item.title.clone()/>
        <ShareMeta title=item.title.clone() summary image=thumb.clone()/>
        <article class="item-page">
            <header class="item-head">
                <h1>{item.title.clone()}</h1>
                <p class="card-meta">
                    {creator.clone().map(|c| view! { <span>"By " {c.name}</span> })}
                    {item.duration_seconds.map(|d| view! { <span>{format_duration(d)}</span> })}
                    {item.category.clone().map(|c| view! { <span>{c}</span> })}
                </p>
            </header>
            <div class="item-hero">
                {match thumb {
                    Some(src) => view! { <img src=src alt=format!("Thumbnail of {}", item.title) width="640" height="360" fetchpriority="high"/> }.into_any(),
                    None => view! { <div class="thumb-placeholder large" data-kind=placeholder(&item).to_lowercase()>{placeholder(&item)}</div> }.into_any(),
                }}
            </div>
            <BuyBox item=item.clone() viewer quote tiers includes/>
            <div class="item-body">
                // Markdown made into HTML on the server: raw HTML in it is text, links only
                // http(s), mailto and this site (`backend::content::description`).
                <div class="description prose" inner_html=about.description_html/>
                {(!chapters.is_empty()).then(|| view! { <ChapterList chapters/> })}
                {(!files.is_empty()).then(|| view! { <DownloadList content_id=item.id files/> })}
                {item.is_bundle.then(|| view! { <BundleContentsList bundle=item.id price_cents=item.price_cents/> })}
                {(!item.tags.is_empty()).then(|| view! {
                    <ul class="tags" aria-label="Tags">
                        {item.tags.iter().map(|tag| view! {
                            <li><a href=format!("/?tag={tag}")>{tag.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                })}
                {creator.map(|c| view! { <CreatorCard creator=c/> })}
                {(!about.related.is_empty()).then(|| view! {
                    <section class="related" aria-labelledby="related-heading">
                        <h2 id="related-heading">"More like this"</h2>
                        <ul class="grid">
                            {about.related.into_iter().map(|item| view! { <CatalogCard item watched=None/> }).collect_view()}
                        </ul>
                    </section>
                })}
            </div>
        </article>
    }
}

/// What a buyer gets, one short line each.
fn includes(item: &CatalogItem, about: &ItemAbout, chapters: usize) -> Vec<String> {
    let plural = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    let mut lines = Vec::new();
    if let Some(seconds) = item.duration_seconds {
        let kind = match item.kind.as_deref() {
            Some("audio") => "audio",
            _ => "video",
        };
        lines.push(format!("{} of {kind}", format_duration(seconds)));
    }
    if chapters > 0 {
        lines.push(plural(chapters, "chapter", "chapters"));
    }
    if !about.captions.is_empty() {
        lines.push(format!("Captions: {}", about.captions.join(", ")));
    }
    if about.downloads > 0 {
        let files = usize::try_from(about.downloads).unwrap_or(usize::MAX);
        lines.push(plural(files, "file to download", "files to download"));
    }
    if !item.is_bundle {
        lines.push("Stream on any device, resume where you left off".to_string());
    }
    lines
}

/// Who made it: the creator's picture and name.
#[component]
fn CreatorCard(creator: Creator) -> impl IntoView {
    view! {
        <section class="creator" aria-label="Creator">
            {creator.picture.map(|src| view! { <img class="creator-picture" src=src alt="" width="64" height="64" loading="lazy"/> })}
            <p><span class="hint">"Made by"</span><br/><strong>{creator.name}</strong></p>
        </section>
    }
}
