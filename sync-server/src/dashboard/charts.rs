//! Bar charts as SVG geometry, drawn on the server (no JavaScript): one chart per kind of record
//! with a bar per count, and a trend chart of the main figures over the last periods. The
//! templates turn these into `<svg>` elements; text goes through the templates' escaping.

use sotay_core::Lang;
use sotay_core::report::{Figures, Period, Section, Value};

pub const LABEL_WIDTH: u32 = 440;
pub const BAR_SPACE: u32 = 220;
pub const ROW_HEIGHT: u32 = 22;

pub struct Bar {
    pub label: String,
    pub value: String,
    pub y: u32,
    pub width: u32,
}

pub struct BarChart {
    pub title: String,
    /// Where labels end (right-aligned) and bars start.
    pub label_end: u32,
    pub bar_x: u32,
    pub height: u32,
    pub width: u32,
    pub bars: Vec<Bar>,
}

/// A horizontal bar per count of a section (rates are in the table, not the chart).
pub fn section_chart(section: &Section, lang: Lang) -> BarChart {
    let counts: Vec<_> = section.rows.iter().filter(|r| matches!(r.value, Value::Count(_))).collect();
    let max = counts.iter().map(|r| r.value.number()).fold(0.0, f64::max);
    let bars = counts
        .iter()
        .enumerate()
        .map(|(i, r)| Bar {
            label: r.label(lang).to_string(),
            value: if lang == Lang::Vi { r.value.format_vi() } else { r.value.format_en() },
            y: i as u32 * ROW_HEIGHT,
            width: if max > 0.0 { (r.value.number() / max * f64::from(BAR_SPACE)).round() as u32 } else { 0 },
        })
        .collect::<Vec<_>>();
    BarChart {
        title: section.kind.label().get(lang).to_string(),
        label_end: LABEL_WIDTH - 8,
        bar_x: LABEL_WIDTH,
        height: bars.len() as u32 * ROW_HEIGHT + 4,
        width: LABEL_WIDTH + BAR_SPACE + 60,
        bars,
    }
}

pub struct TrendBar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub colour: &'static str,
    pub title: String,
}

pub struct Legend {
    pub x: u32,
    pub colour: &'static str,
    pub label: &'static str,
}

pub struct PeriodTick {
    pub x: u32,
    pub label: String,
}

pub struct TrendChart {
    pub width: u32,
    pub height: u32,
    pub plot_height: u32,
    pub bars: Vec<TrendBar>,
    pub ticks: Vec<PeriodTick>,
    pub legend: Vec<Legend>,
    pub bar_width: u32,
}

/// A line of the trend: its name and how to read it from a period's figures.
type Series = (&'static str, fn(&Figures) -> u64);

const SERIES_COLOURS: [&str; 4] = ["#1f5f8b", "#c0392b", "#27ae60", "#8e6c00"];

/// The main counts of each period, side by side, oldest first.
pub fn trend_chart(trend: &[(Period, Figures)], lang: Lang) -> TrendChart {
    let vi = lang == Lang::Vi;
    let series: [Series; 4] = [
        (if vi { "Đối thoại" } else { "Dialogues" }, |f| f.dialogue.held),
        (if vi { "Vụ việc hòa giải" } else { "Mediation cases" }, |f| f.mediation.received),
        (if vi { "Hội nghị thôn" } else { "Village meetings" }, |f| f.village_meeting.held),
        (if vi { "Đơn thư" } else { "Petitions" }, |f| f.petitions.iter().map(|p| p.received).sum()),
    ];
    let (plot_height, bar_width, group_gap, left) = (160u32, 16u32, 28u32, 10u32);
    let group_width = bar_width * series.len() as u32 + group_gap;
    let max = trend.iter().flat_map(|(_, f)| series.iter().map(move |(_, get)| get(f))).max().unwrap_or(0);
    let mut bars = Vec::new();
    let mut ticks = Vec::new();
    for (i, (period, f)) in trend.iter().enumerate() {
        let x0 = left + i as u32 * group_width;
        ticks.push(PeriodTick { x: x0 + bar_width * series.len() as u32 / 2, label: period.to_string() });
        for (s, (name, get)) in series.iter().enumerate() {
            let n = get(f);
            let height = if max > 0 { (n as f64 / max as f64 * f64::from(plot_height)).round() as u32 } else { 0 };
            bars.push(TrendBar {
                x: x0 + s as u32 * bar_width,
                y: plot_height - height,
                height,
                colour: SERIES_COLOURS[s],
                title: format!("{period}: {name} {n}"),
            });
        }
    }
    let legend = series
        .iter()
        .enumerate()
        .map(|(s, (name, _))| Legend { x: left + s as u32 * 150, colour: SERIES_COLOURS[s], label: name })
        .collect();
    TrendChart {
        width: (left * 2 + group_width * trend.len() as u32).max(620),
        height: plot_height + 60,
        plot_height,
        bars,
        ticks,
        legend,
        bar_width: bar_width - 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotay_core::report::sections;

    #[test]
    fn the_longest_bar_fills_the_space_and_zero_draws_nothing() {
        let mut f = Figures::default();
        f.mediation.received = 8;
        f.mediation.successful = 2;
        let s =
            sections(&f).into_iter().find(|s| s.kind == sotay_core::record::RecordKind::Mediation).expect("mediation");
        let chart = section_chart(&s, Lang::Vi);
        assert_eq!(chart.bars[0].width, BAR_SPACE);
        assert_eq!(chart.bars[1].width, BAR_SPACE / 4);
        assert_eq!(chart.bars[2].width, 0);
        assert!(chart.bars.iter().all(|b| !b.label.contains('%')), "no rates among the bars");
        assert_eq!(chart.bars[1].y, ROW_HEIGHT);
    }

    #[test]
    fn the_trend_draws_each_series_per_period() {
        let mut a = Figures::default();
        a.dialogue.held = 4;
        let mut b = Figures::default();
        b.dialogue.held = 2;
        b.mediation.received = 1;
        let chart = trend_chart(&[(Period::quarter(2026, 2), a), (Period::quarter(2026, 3), b)], Lang::En);
        assert_eq!(chart.bars.len(), 8);
        assert_eq!(chart.bars[0].height, chart.plot_height);
        assert_eq!(chart.bars[4].height, chart.plot_height / 2);
        assert_eq!(chart.ticks[1].label, "2026-Q3");
    }
}
