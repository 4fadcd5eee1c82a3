//! The revenue-per-day chart, drawn on the server as SVG: bars with their values written
//! above them, a dollar axis and a date axis, so it reads without hovering.

use leptos::prelude::*;

use super::DayRevenue;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 44.0;

/// A round top for the money axis: 1, 2 or 5 times a power of ten, at least `value` and at
/// least $10, so that its half, the middle tick, is a whole number of dollars too.
pub fn nice_ceiling(value: i64) -> i64 {
    nice_top(value, 1000)
}

/// A round top for an axis: 1, 2 or 5 times a power of ten, at least `value` and `least`.
pub fn nice_top(value: i64, least: i64) -> i64 {
    let value = value.max(least);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= value {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// `$1,234` (whole dollars, for axis and bar labels): the one money label, rounded.
pub fn dollars(cents: i64) -> String {
    let whole = (cents.abs() + 50) / 100 * 100;
    domain::money::signed_label(if cents < 0 { -whole } else { whole })
        .trim_end_matches(".00")
        .to_string()
}

/// `2026-11-03` becomes `Nov 3`.
pub fn short_date(day: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = day.split('-').skip(1);
    let month = parts
        .next()
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(1);
    let date = parts
        .next()
        .and_then(|d| d.parse::<u32>().ok())
        .unwrap_or(1);
    format!("{} {date}", MONTHS[(month.clamp(1, 12)) - 1])
}

/// One bar per day: what the chart says, how a value reads, and the least top of its axis
/// (its half, the middle tick, must read as a whole value too).
pub struct DayBars {
    /// The chart's title, which names it for assistive technology too.
    pub title: String,
    /// The value axis' title.
    pub axis: &'static str,
    /// `(YYYY-MM-DD, value)`, oldest first.
    pub points: Vec<(String, i64)>,
    pub label: fn(i64) -> String,
    pub least_top: i64,
}

/// The revenue of each day, as the dashboard and analytics show it.
#[component]
pub fn RevenueChart(
    days: Vec<DayRevenue>,
    #[prop(into, default = "Revenue per day, last 30 days".into())] title: String,
) -> impl IntoView {
    let bars = DayBars {
        title,
        axis: "Revenue (USD)",
        points: days.into_iter().map(|d| (d.day, d.cents)).collect(),
        label: dollars,
        least_top: 1000,
    };
    view! { <DayBarChart bars/> }
}

#[component]
pub fn DayBarChart(bars: DayBars) -> impl IntoView {
    let DayBars {
        title,
        axis,
        points,
        label,
        least_top,
    } = bars;
    let top = nice_top(points.iter().map(|p| p.1).max().unwrap_or(0), least_top);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / points.len().max(1) as f64;
    let y = move |value: i64| TOP + plot_h - (value.max(0) as f64 / top as f64) * plot_h;
    let ticks = [0, top / 2, top];
    let count = points.len();
    // About six dates under the axis, and values over the bars while they fit.
    let date_every = count.div_ceil(6).max(5);
    let show_values = count <= 31;
    let title_id = format!(
        "chart-{}",
        title
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    );
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=title_id.clone() class="revenue-chart">
                <title id=title_id.clone()>{title.clone()}</title>
                {ticks.into_iter().map(|t| view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t) class="grid"/>
                    <text x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end" class="tick">{label(t)}</text>
                }).collect_view()}
                {points.iter().enumerate().map(|(i, (day, value))| {
                    let x = LEFT + i as f64 * slot;
                    let bar_y = y(*value);
                    let dated = i.is_multiple_of(date_every) || i + 1 == count;
                    view! {
                        <rect x=x + slot * 0.15 y=bar_y width=slot * 0.7 height=(TOP + plot_h - bar_y).max(0.0) class="bar">
                            <title>{format!("{}: {}", short_date(day), label(*value))}</title>
                        </rect>
                        {(show_values && *value != 0).then(|| view! {
                            <text x=x + slot / 2.0 y=bar_y - 4.0 text-anchor="middle" class="value">{label(*value)}</text>
                        })}
                        {dated.then(|| view! {
                            <text x=x + slot / 2.0 y=TOP + plot_h + 16.0 text-anchor="middle" class="tick">{short_date(day)}</text>
                        })}
                    }
                }).collect_view()}
                <line x1=LEFT x2=WIDTH - RIGHT y1=TOP + plot_h y2=TOP + plot_h class="axis"/>
                <text x=LEFT + plot_w / 2.0 y=HEIGHT - 4.0 text-anchor="middle" class="axis-title">"Day"</text>
                <text x=14 y=TOP + plot_h / 2.0 text-anchor="middle" class="axis-title"
                    transform=format!("rotate(-90 14 {})", TOP + plot_h / 2.0)>{axis}</text>
            </svg>
            <ChartTable
                caption=title
                columns=["Day", axis]
                rows=points.iter().map(|(day, value)| (day.clone(), label(*value))).collect()
            />
        </figure>
    }
}

/// A chart's figures as a table, for those who do not see the chart (visually hidden).
#[component]
pub fn ChartTable(
    #[prop(into)] caption: String,
    columns: [&'static str; 2],
    rows: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <figcaption class="visually-hidden">
            <table>
                <caption>{caption}</caption>
                // Explicit sections: the browser adds a <tbody> that hydration would not expect.
                <thead><tr><th scope="col">{columns[0]}</th><th scope="col">{columns[1]}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(at, value)| view! { <tr><td>{at}</td><td>{value}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </figcaption>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_round_up_and_read_as_dollars() {
        assert_eq!(nice_ceiling(0), 1000);
        assert_eq!(nice_ceiling(450), 1000);
        assert_eq!(nice_ceiling(1299), 2000);
        assert_eq!(nice_ceiling(5000), 5000);
        assert_eq!(nice_ceiling(50_001), 100_000);
        assert_eq!(dollars(1299), "$13");
        assert_eq!(dollars(123_456_789), "$1,234,568");
        assert_eq!(dollars(-500), "-$5");
        assert_eq!(short_date("2026-11-03"), "Nov 3");
    }

    #[test]
    fn the_three_ticks_are_distinct_whole_dollars() {
        for top_value in [0, 1, 99, 450, 1299, 2600, 7_000, 45_000, 999_999] {
            let top = nice_ceiling(top_value);
            let ticks = [0, top / 2, top];
            assert!(ticks.iter().all(|t| t % 100 == 0), "{ticks:?}");
            let labels: Vec<String> = ticks.iter().map(|&t| dollars(t)).collect();
            assert!(
                labels[0] != labels[1] && labels[1] != labels[2],
                "{labels:?}"
            );
        }
    }
}
