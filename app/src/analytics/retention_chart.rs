//! An item's retention curve, drawn on the server as SVG: the share of views still watching
//! at each 1 % of the item, with the same figures in a table for those who do not see it.

use leptos::prelude::*;

use super::permille_label;
use crate::dashboard::chart::ChartTable;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// `1:05` for a point of the item.
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Where on the item each bucket is: its time when the length is known, else its percent.
fn at_label(bucket: usize, duration: Option<f64>) -> String {
    match duration {
        Some(d) if d > 0.0 => clock(bucket as f64 / 100.0 * d),
        _ => format!("{bucket}%"),
    }
}

#[component]
pub fn RetentionChart(permille: Vec<i64>, duration: Option<f64>) -> impl IntoView {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = move |bucket: usize| LEFT + bucket as f64 / 99.0 * plot_w;
    let y = move |share: i64| TOP + plot_h - (share.clamp(0, 1000) as f64 / 1000.0) * plot_h;
    let points = permille
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(*p)))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="retention-title" class="retention-chart">
                <title id="retention-title">"Retention: share of views still watching"</title>
                {[0, 500, 1000].into_iter().map(|t| view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t) class="grid"/>
                    <text x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end" class="tick">{format!("{}%", t / 10)}</text>
                }).collect_view()}
                <polyline points=points class="line"/>
                {[0usize, 25, 50, 75, 99].into_iter().map(|b| view! {
                    <text x=x(b) y=TOP + plot_h + 16.0 text-anchor="middle" class="tick">{at_label(b, duration)}</text>
                }).collect_view()}
                <line x1=LEFT x2=WIDTH - RIGHT y1=TOP + plot_h y2=TOP + plot_h class="axis"/>
                <text x=LEFT + plot_w / 2.0 y=HEIGHT - 4.0 text-anchor="middle" class="axis-title">"Point of the item"</text>
            </svg>
            <ChartTable
                caption="Retention"
                columns=["Point of the item", "Still watching"]
                rows=permille.iter().enumerate().step_by(5).map(|(b, p)| (at_label(b, duration), permille_label(*p))).collect()
            />
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_read_as_times_of_the_item() {
        assert_eq!(at_label(50, Some(120.0)), "1:00");
        assert_eq!(at_label(25, None), "25%");
        assert_eq!(clock(3725.0), "1:02:05");
    }
}
