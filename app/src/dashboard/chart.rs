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

/// A round top for the axis: 1, 2 or 5 times a power of ten, at least `value` and at least
/// $10, so that its half, the middle tick, is a whole number of dollars too.
pub fn nice_ceiling(value: i64) -> i64 {
    let value = value.max(1000);
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

#[component]
pub fn RevenueChart(days: Vec<DayRevenue>) -> impl IntoView {
    let top = nice_ceiling(days.iter().map(|d| d.cents).max().unwrap_or(0));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / days.len().max(1) as f64;
    let y = move |cents: i64| TOP + plot_h - (cents.max(0) as f64 / top as f64) * plot_h;
    let ticks = [0, top / 2, top];
    let count = days.len();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="revenue-chart-title" class="revenue-chart">
                <title id="revenue-chart-title">"Revenue per day, last 30 days"</title>
                {ticks.into_iter().map(|t| view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t) class="grid"/>
                    <text x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end" class="tick">{dollars(t)}</text>
                }).collect_view()}
                {days.iter().enumerate().map(|(i, d)| {
                    let x = LEFT + i as f64 * slot;
                    let bar_y = y(d.cents);
                    let label_every = i.is_multiple_of(5) || i + 1 == count;
                    view! {
                        <rect x=x + slot * 0.15 y=bar_y width=slot * 0.7 height=(TOP + plot_h - bar_y).max(0.0) class="bar">
                            <title>{format!("{}: {}", short_date(&d.day), dollars(d.cents))}</title>
                        </rect>
                        {(d.cents != 0).then(|| view! {
                            <text x=x + slot / 2.0 y=bar_y - 4.0 text-anchor="middle" class="value">{dollars(d.cents)}</text>
                        })}
                        {label_every.then(|| view! {
                            <text x=x + slot / 2.0 y=TOP + plot_h + 16.0 text-anchor="middle" class="tick">{short_date(&d.day)}</text>
                        })}
                    }
                }).collect_view()}
                <line x1=LEFT x2=WIDTH - RIGHT y1=TOP + plot_h y2=TOP + plot_h class="axis"/>
                <text x=LEFT + plot_w / 2.0 y=HEIGHT - 4.0 text-anchor="middle" class="axis-title">"Day"</text>
                <text x=14 y=TOP + plot_h / 2.0 text-anchor="middle" class="axis-title"
                    transform=format!("rotate(-90 14 {})", TOP + plot_h / 2.0)>"Revenue (USD)"</text>
            </svg>
            <figcaption class="visually-hidden">
                <table>
                    <caption>"Revenue per day"</caption>
                    // Explicit sections: the browser adds a <tbody> that hydration would not expect.
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Revenue"</th></tr></thead>
                    <tbody>
                        {days.iter().map(|d| view! { <tr><td>{d.day.clone()}</td><td>{dollars(d.cents)}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </figcaption>
        </figure>
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
