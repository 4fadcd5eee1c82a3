//! The public catalog at `/` (search with `?q=`, filter with `?tag=` and `?category=`) and
//! each item's page at `/content/{slug}`. Server-rendered, so readable without JavaScript
//! and by search engines.

use domain::paths;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::content::api::{catalog, chapters_of, content_by_slug, downloads_of};
use crate::content::categories::list_categories;
use crate::content::chapters::ChapterList;
use crate::content::downloads::DownloadList;
use crate::content::types::{thumbnail_url, CatalogItem, Viewer};
use crate::media::page::format_duration;
use crate::memberships::api::tiers_for_item;
use crate::selling::api::quote_discount;
use crate::selling::bundle_contents::BundleContentsList;
use crate::selling::offers::Offers;
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
        )
    };
    let items = Resource::new(filters, |(q, tag, category, page)| {
        catalog(q, tag, category, page)
    });
    let current_q = move || query.read().get("q").unwrap_or_default();
    view! {
        <PageHead title="Catalog" description="Films and audio to buy, rent or stream with a membership."/>
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
            {move || items.get().map(|result| match result {
                Ok(list) if list.is_empty() => {
                    let filtered = { let q = query.read(); ["q", "tag", "category"].iter().any(|k| q.get(k).is_some()) };
                    if filtered {
                        view! { <p class="empty">"Nothing matches. Try other words, or "<a href="/">"show everything"</a>"."</p> }.into_any()
                    } else {
                        view! { <p class="empty">"Nothing is for sale yet. Come back soon."</p> }.into_any()
                    }
                }
                Ok(list) => view! {
                    <ul class="grid">
                        {list.into_iter().map(|item| view! { <CatalogCard item/> }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
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
fn CatalogCard(item: CatalogItem) -> impl IntoView {
    let href = paths::content(&item.slug);
    let thumb = thumbnail(&item);
    let srcset = grid_thumbnail_srcset(item.custom_thumbnail, item.media_id, item.has_thumbnail);
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
            <h2 class="card-title"><a href=href>{item.title.clone()}</a></h2>
            <p class="card-meta">
                <span class="price">{item.price_text()}</span>
                {item.is_bundle.then(|| view! { <span>" · Bundle"</span> })}
                {item.rental_price_cents.map(|rent| view! { <span>{format!(" · rent {}", price_label(rent))}</span> })}
                {item.duration_seconds.map(|d| view! { <span>" · " {format_duration(d)}</span> })}
            </p>
        </li>
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
            let (item, viewer) = content_by_slug(slug).await?;
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
            Ok::<_, crate::error::AppError>((item, viewer, quote, tiers, chapters, files))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || item.get().map(|result| match result {
                Ok((item, viewer, quote, tiers, chapters, files)) => view! { <ContentDetails item viewer quote tiers chapters files/> }.into_any(),
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

#[component]
fn ContentDetails(
    item: CatalogItem,
    viewer: Viewer,
    quote: Option<Result<Quote, crate::error::AppError>>,
    /// The membership tiers that unlock it, when the viewer cannot keep it yet.
    tiers: Vec<String>,
    chapters: Vec<Chapter>,
    /// The item's files, when the viewer may download them.
    files: Vec<Download>,
) -> impl IntoView {
    let summary: String = match item.description.trim() {
        "" => format!("Watch or listen to {}.", item.title),
        text => text.chars().take(160).collect(),
    };
    let thumb = thumbnail(&item);
    let rental = item.rental();
    view! {
        <Title text=item.title.clone()/>
        <ShareMeta title=item.title.clone() summary image=thumb.clone()/>
        <article class="content-page">
            <div class="content-media">
                {match thumb {
                    Some(src) => view! { <img src=src alt=format!("Thumbnail of {}", item.title) width="640" height="360"/> }.into_any(),
                    None => view! { <div class="thumb-placeholder large" data-kind=placeholder(&item).to_lowercase()>{placeholder(&item)}</div> }.into_any(),
                }}
            </div>
            <div class="content-info">
                <h1>{item.title.clone()}</h1>
                <p class="card-meta">
                    <span class="price">{item.price_text()}</span>
                    {rental.map(|terms| view! { <span>{format!(" · or rent for {}", price_label(terms.price_cents))}</span> })}
                    {item.duration_seconds.map(|d| view! { <span>" · " {format_duration(d)}</span> })}
                    {item.category.clone().map(|c| view! { <span>" · " {c}</span> })}
                </p>
                <div class="actions">
                    <Offers item=item.clone() viewer quote/>
                </div>
                {(!tiers.is_empty() && viewer != Viewer::Renting).then(|| view! {
                    <p class="membership-offer">
                        {format!("Included in the {} membership. ", tiers.join(" and "))}
                        <a href=paths::PRICING>"See memberships"</a>
                    </p>
                })}
                <p class="description">{item.description.clone()}</p>
                {(!chapters.is_empty()).then(|| view! { <ChapterList chapters/> })}
                {(!files.is_empty()).then(|| view! { <DownloadList content_id=item.id files/> })}
                {item.is_bundle.then(|| view! { <BundleContentsList bundle=item.id price_cents=item.price_cents/> })}
                <ul class="tags" aria-label="Tags">
                    {item.tags.iter().map(|tag| view! {
                        <li><a href=format!("/?tag={tag}")>{tag.clone()}</a></li>
                    }).collect_view()}
                </ul>
            </div>
        </article>
    }
}
