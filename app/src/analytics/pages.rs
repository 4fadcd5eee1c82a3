//! `/admin/analytics` (the period's views, minutes and revenue, and every item) and
//! `/admin/analytics/{id}` (one item: retention, playback quality, sources). Both are plain
//! links and GET forms, so they work before the script runs.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::api::{load_analytics, load_item_analytics, RefreshAnalytics};
use super::retention_chart::RetentionChart;
use super::{
    basis_points_label, minutes_label, permille_label, ItemFigures, ItemReport, ItemSort, Overview,
    Period, Quality,
};
use crate::dashboard::chart::{DayBarChart, DayBars, RevenueChart};
use crate::dashboard::DayRevenue;
use crate::ui::{LoadError, PageHead};
use domain::money::signed_label as money;
use domain::paths;

/// The period and order the address asks for.
fn asked() -> impl Fn() -> [Option<String>; 4] + Copy {
    let query = use_query_map();
    move || {
        let q = query.read();
        ["range", "from", "to", "sort"].map(|key| q.get(key).filter(|v| !v.is_empty()))
    }
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let asked = asked();
    let overview = Resource::new(asked, |[range, from, to, sort]| {
        load_analytics(range, from, to, sort)
    });
    view! {
        <PageHead title="Analytics" description="Views, minutes watched, playback quality and where buyers come from."/>
        <h1>"Analytics"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) => view! { <OverviewFigures overview sort=asked()[3].clone()/> }.into_any(),
                Err(error) => view! { <PeriodForm action=paths::ADMIN_ANALYTICS.to_string() period=None/><LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

/// Chooses the period: 7, 30 or 90 days, or from–to.
#[component]
fn PeriodForm(action: String, period: Option<Period>) -> impl IntoView {
    let preset = period
        .as_ref()
        .map_or("30".to_string(), |p| p.preset.clone());
    let (from, to) = period.map_or((String::new(), String::new()), |p| (p.from, p.to));
    view! {
        <form method="get" action=action class="period-form">
            <div class="field">
                <label for="analytics-range">"Period"</label>
                <select id="analytics-range" name="range">
                    {[("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("custom", "From… to…")].into_iter().map(|(value, label)| view! {
                        <option value=value selected=preset == value>{label}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="analytics-from">"From"</label>
                <input id="analytics-from" name="from" type="date" value=from/>
            </div>
            <div class="field">
                <label for="analytics-to">"To"</label>
                <input id="analytics-to" name="to" type="date" value=to/>
            </div>
            <button type="submit" class="button">"Show"</button>
        </form>
    }
}

#[component]
fn OverviewFigures(overview: Overview, sort: Option<String>) -> impl IntoView {
    let period = overview.period.query();
    let sort = ItemSort::parse(sort.as_deref().unwrap_or(""));
    let views: i64 = overview.days.iter().map(|d| d.views).sum();
    let seconds: i64 = overview.days.iter().map(|d| d.watch_seconds).sum();
    let page_views =
        overview.catalog_views + overview.items.iter().map(|i| i.page_views).sum::<i64>();
    let days = overview.days.clone();
    let revenue_days: Vec<DayRevenue> = days
        .iter()
        .map(|d| DayRevenue {
            day: d.day.clone(),
            cents: d.revenue_cents,
        })
        .collect();
    let views_bars = DayBars {
        title: "Views per day".into(),
        axis: "Views",
        points: days.iter().map(|d| (d.day.clone(), d.views)).collect(),
        label: |n| n.to_string(),
        least_top: 10,
    };
    let minutes_bars = DayBars {
        title: "Minutes watched per day".into(),
        axis: "Minutes",
        points: days
            .iter()
            .map(|d| (d.day.clone(), d.watch_seconds / 60))
            .collect(),
        label: |n| n.to_string(),
        least_top: 10,
    };
    let export = |table: &str| format!("{}?table={table}&{period}", paths::ANALYTICS_CSV);
    view! {
        <PeriodForm action=paths::ADMIN_ANALYTICS.to_string() period=Some(overview.period.clone())/>
        <Freshness updated_at=overview.updated_at.clone() timezone=overview.timezone.clone()/>
        <section class="stats" aria-label="This period">
            <div class="stat card"><span class="stat-label">"Views"</span><span class="stat-value" data-figure="views">{views}</span></div>
            <div class="stat card"><span class="stat-label">"Minutes watched"</span><span class="stat-value" data-figure="minutes">{minutes_label(seconds)}</span></div>
            <div class="stat card"><span class="stat-label">"Revenue"</span><span class="stat-value" data-figure="revenue">{money(overview.revenue_cents)}</span></div>
            <div class="stat card"><span class="stat-label">"Page views"</span><span class="stat-value" data-figure="page-views">{page_views}</span></div>
            <div class="stat card"><span class="stat-label">"Visitors"</span><span class="stat-value" data-figure="visitors">{overview.visitors}</span></div>
        </section>
        <div class="two-columns">
            <section class="card">
                <h2>"Views and minutes watched"</h2>
                <DayBarChart bars=views_bars/>
                <DayBarChart bars=minutes_bars/>
            </section>
            <section class="card">
                <h2>"Revenue"</h2>
                <RevenueChart title="Revenue per day" days=revenue_days/>
                <p class="hint">"Counted as on the dashboard: sales the day they are paid, refunds and lost disputes the day they end, memberships included."</p>
            </section>
        </div>
        <section class="card" aria-labelledby="items-heading">
            <h2 id="items-heading">"Items"</h2>
            <p class="actions">
                <a class="button" href=export("items") rel="external" download>"Export items (CSV)"</a>
                <a class="button" href=export("days") rel="external" download>"Export days (CSV)"</a>
            </p>
            <ItemsTable items=overview.items period=period.clone() sort/>
        </section>
        <p class="hint">"Collected by Codex itself, with no third-party script and no extra cookie: plays reported by the player (what was watched, how fast it started, stalls), and page views counted on the server. Visitors are counted with a hash that changes every day; addresses are never stored. Your own plays are not counted."</p>
    }
}

/// When the figures were last folded, and a way to fold the latest events now.
#[component]
fn Freshness(updated_at: Option<String>, timezone: String) -> impl IntoView {
    let refresh = <RefreshAnalytics as ServerFn>::PATH;
    view! {
        <form method="post" action=refresh class="inline-form freshness">
            <p class="hint">{match updated_at {
                Some(at) => format!("Figures as of {at} ({timezone}); they update every few minutes."),
                None => "No figures yet: they update every few minutes.".to_string(),
            }}</p>
            <button type="submit" class="button button-small">"Update now"</button>
        </form>
    }
}

#[component]
fn ItemsTable(items: Vec<ItemFigures>, period: String, sort: ItemSort) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">"No items yet. Each item's views and sales show here."</p> }.into_any();
    }
    let header = move |(key, column): (ItemSort, &'static str)| {
        let href = format!("{}?{period}&sort={}", paths::ADMIN_ANALYTICS, key.key());
        let current = key == sort;
        view! {
            <th scope="col" aria-sort=if current { if key == ItemSort::Title { "ascending" } else { "descending" } } else { "none" }>
                <a href=href aria-current=current.then_some("true")>{column}</a>
            </th>
        }
    };
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table analytics-items">
                <thead>
                    <tr>
                        {header((ItemSort::Title, "Item"))}
                        {header((ItemSort::Views, "Views"))}
                        <th scope="col">"Viewers"</th>
                        {header((ItemSort::Minutes, "Minutes watched"))}
                        {header((ItemSort::Watched, "Average watched"))}
                        <th scope="col">"Page views"</th>
                        {header((ItemSort::Conversion, "Conversion"))}
                        {header((ItemSort::Revenue, "Revenue"))}
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|item| view! {
                        <tr>
                            <td data-label="Item"><a href=paths::admin_analytics_item(item.content_id)>{item.title.clone()}</a></td>
                            <td data-label="Views">{item.views}</td>
                            <td data-label="Viewers">{item.viewers}</td>
                            <td data-label="Minutes watched">{minutes_label(item.watch_seconds)}</td>
                            <td data-label="Average watched">{permille_label(item.average_watched_permille)}</td>
                            <td data-label="Page views">{item.page_views}</td>
                            <td data-label="Conversion">{item.conversion_basis_points().map_or("–".to_string(), basis_points_label)}</td>
                            <td data-label="Revenue">{money(item.revenue_cents)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn ItemAnalyticsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<Uuid>().ok())
    };
    let asked = asked();
    let report = Resource::new(
        move || (id(), asked()),
        |(id, [range, from, to, _])| async move {
            match id {
                Some(id) => load_item_analytics(id, range, from, to).await,
                None => Err(crate::error::AppError(domain::error::Answer::NotFound)),
            }
        },
    );
    view! {
        <PageHead title="Item analytics" description="An item's views, retention, playback quality and sources."/>
        <p><a href=paths::ADMIN_ANALYTICS>"← All items"</a></p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || report.get().map(|result| match result {
                Ok(report) => view! { <ItemReportView report/> }.into_any(),
                Err(error) => view! { <h1>"Item analytics"</h1><LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ItemReportView(report: ItemReport) -> impl IntoView {
    let f = report.figures.clone();
    let query = report.period.query();
    let id = f.content_id;
    let export =
        move |table: &str| format!("{}?table={table}&item={id}&{query}", paths::ANALYTICS_CSV);
    view! {
        <h1>{format!("Analytics: {}", f.title)}</h1>
        <PeriodForm action=paths::admin_analytics_item(f.content_id) period=Some(report.period.clone())/>
        <section class="stats" aria-label="This period">
            <div class="stat card"><span class="stat-label">"Views"</span><span class="stat-value" data-figure="views">{f.views}</span></div>
            <div class="stat card"><span class="stat-label">"Viewers"</span><span class="stat-value" data-figure="viewers">{f.viewers}</span></div>
            <div class="stat card"><span class="stat-label">"Minutes watched"</span><span class="stat-value" data-figure="minutes">{minutes_label(f.watch_seconds)}</span></div>
            <div class="stat card"><span class="stat-label">"Average watched"</span><span class="stat-value" data-figure="average-watched">{permille_label(f.average_watched_permille)}</span></div>
            <div class="stat card"><span class="stat-label">"Completions"</span><span class="stat-value" data-figure="completions">{f.completions}</span></div>
            <div class="stat card"><span class="stat-label">"Page views"</span><span class="stat-value" data-figure="page-views">{f.page_views}</span></div>
            <div class="stat card"><span class="stat-label">"Checkouts → paid"</span><span class="stat-value" data-figure="checkouts">{format!("{} → {}", f.checkouts, f.paid)}</span></div>
            <div class="stat card"><span class="stat-label">"Revenue"</span><span class="stat-value" data-figure="revenue">{money(f.revenue_cents)}</span></div>
        </section>
        <section class="card" aria-labelledby="retention-heading">
            <h2 id="retention-heading">"Retention"</h2>
            {if f.views == 0 {
                view! { <p class="empty">"No views in this period yet."</p> }.into_any()
            } else {
                view! { <RetentionChart permille=report.retention_permille.clone() duration=report.duration_seconds/> }.into_any()
            }}
            <a class="button" href=export("retention") rel="external" download>"Export retention (CSV)"</a>
        </section>
        <div class="two-columns">
            <section class="card" aria-labelledby="quality-heading">
                <h2 id="quality-heading">"Playback quality"</h2>
                <QualityFigures quality=report.quality.clone()/>
                <a class="button" href=export("quality") rel="external" download>"Export quality (CSV)"</a>
            </section>
            <section class="card" aria-labelledby="sources-heading">
                <h2 id="sources-heading">"Sources"</h2>
                {if report.sources.is_empty() {
                    view! { <p class="empty">"No visits from elsewhere and no checkouts in this period."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0"><table class="table">
                            <thead><tr><th scope="col">"Source"</th><th scope="col">"Visits"</th><th scope="col">"Checkouts"</th><th scope="col">"Paid"</th></tr></thead>
                            <tbody>
                                {report.sources.iter().map(|s| view! {
                                    <tr>
                                        <td data-label="Source">{s.source.clone()}</td>
                                        <td data-label="Visits">{s.visits}</td>
                                        <td data-label="Checkouts">{s.checkouts}</td>
                                        <td data-label="Paid">{s.paid}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any()
                }}
                <p class="hint">"A source is the visit's UTM tags (utm_source / utm_medium / utm_campaign) or the site that linked to it; a buyer's checkout keeps the first one of their visit."</p>
                <a class="button" href=export("sources") rel="external" download>"Export sources (CSV)"</a>
            </section>
        </div>
    }
}

#[component]
fn QualityFigures(quality: Quality) -> impl IntoView {
    let ms = |value: Option<i32>| {
        value.map_or("–".to_string(), |ms| {
            format!("{:.1} s", f64::from(ms) / 1000.0)
        })
    };
    view! {
        <dl class="figures-list">
            <div><dt>"Startup time (median)"</dt><dd data-figure="startup-p50">{format!("≤ {}", ms(quality.startup_p50_ms))}</dd></div>
            <div><dt>"Startup time (75th percentile)"</dt><dd data-figure="startup-p75">{format!("≤ {}", ms(quality.startup_p75_ms))}</dd></div>
            <div><dt>"Startup time (95th percentile)"</dt><dd data-figure="startup-p95">{format!("≤ {}", ms(quality.startup_p95_ms))}</dd></div>
            <div><dt>"Rebuffering"</dt><dd data-figure="rebuffering">{basis_points_label(quality.rebuffer_basis_points)}</dd></div>
            <div><dt>"Playback failures"</dt><dd data-figure="failures">{basis_points_label(quality.failure_basis_points)}</dd></div>
            <div><dt>"Left before it started"</dt><dd data-figure="exits">{quality.exits_before_start}</dd></div>
        </dl>
        <p class="hint">{format!("From {} plays. Startup is from pressing play to the first frame; rebuffering is the time stalled over the time watched and stalled.", quality.sessions)}</p>
    }
}

/// `1 view`, `2 views`.
fn counted(n: i64, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// An item's last 30 days, at the top of its editor, with a link to its full figures.
#[component]
pub fn ItemHeadline(id: Uuid) -> impl IntoView {
    let figures = Resource::new(move || id, super::api::item_headline);
    view! {
        <Suspense fallback=|| ()>
            {move || figures.get().and_then(Result::ok).map(|f| view! {
                <section class="card headline" aria-label="Last 30 days">
                    <p>
                        {format!(
                            "Last 30 days: {} · {} watched · {} average · {} · {} paid · {}",
                            counted(f.views, "view"),
                            minutes_label(f.watch_seconds),
                            permille_label(f.average_watched_permille),
                            counted(f.page_views, "page view"),
                            f.paid,
                            money(f.revenue_cents),
                        )}
                    </p>
                    <a href=paths::admin_analytics_item(id)>"Analytics"</a>
                </section>
            })}
        </Suspense>
    }
}

/// What a customer watched (their page in `/admin/customers`).
#[component]
pub fn CustomerWatched(id: Uuid) -> impl IntoView {
    let watched = Resource::new(move || id, super::api::customer_watched);
    view! {
        <section class="card" aria-labelledby="watched-heading">
            <h2 id="watched-heading">"Watched"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || watched.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">"Nothing watched yet."</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap" tabindex="0"><table class="table">
                            <thead><tr><th scope="col">"Item"</th><th scope="col">"Minutes watched"</th><th scope="col">"Last watched"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|w| view! {
                                    <tr>
                                        <td data-label="Item">{w.title}</td>
                                        <td data-label="Minutes watched">{minutes_label(w.watch_seconds)}</td>
                                        <td data-label="Last watched">{w.last_watched}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
