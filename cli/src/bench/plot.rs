//! The `--plot` chart (plotters, SVG): ratio against compression speed, both on log
//! axes, each codec a curve through its settings (zstd's levels, cobolp's modes).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::codecs::Family;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 620;
const FONT: &str = "sans-serif";

/// One measured setting of a codec.
#[derive(Debug, Clone)]
pub struct Point {
    /// The setting's full name, as the tables give it (`zstd-3`, `cobolp-bridge`).
    pub label: String,
    /// The curve it belongs to: settings of one codec are joined, fastest to slowest.
    pub series: String,
    pub family: Family,
    /// Compression speed, MB/s.
    pub x: f64,
    /// Ratio.
    pub y: f64,
}

/// What the chart shows.
pub struct Chart<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// Lines under the axes: codecs not shown, what the figures are.
    pub notes: &'a [String],
    pub points: &'a [Point],
}

/// The colour of the `nth` curve of a family: cobolp's modes in reds to purple,
/// zstd's plain and checked rows in two blues.
fn colour(family: Family, nth: usize) -> RGBColor {
    match family {
        Family::Cobolp => [RGBColor(0xd6, 0x27, 0x28), RGBColor(0x8c, 0x1a, 0x1a), RGBColor(0x94, 0x67, 0xbd)][nth % 3],
        Family::Zstd => [RGBColor(0x1f, 0x77, 0xb4), RGBColor(0x17, 0xbe, 0xcf)][nth % 2],
        Family::Lz4 => RGBColor(0x2c, 0xa0, 0x2c),
        Family::Gzip => RGBColor(0xff, 0x7f, 0x0e),
    }
}

/// The short label of a point on its curve: `zstd-19` on the zstd curve is `19`.
fn short_label(point: &Point) -> &str {
    point
        .label
        .strip_prefix(&point.series)
        .map(|l| l.trim_start_matches('-'))
        .filter(|l| !l.is_empty())
        .unwrap_or(&point.label)
}

/// A tick's label: `20`, `2.5`, `0.5`.
fn tick_label(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Round values between `lo` and `hi`: `steps` times the powers of ten.
fn log_ticks(lo: f64, hi: f64, steps: &[f64]) -> Vec<f64> {
    let mut ticks = Vec::new();
    let mut decade = 10f64.powf(lo.log10().floor());
    while decade <= hi {
        for &step in steps {
            let t = step * decade;
            if t >= lo && t <= hi {
                ticks.push(t);
            }
        }
        decade *= 10.0;
    }
    ticks
}

/// Log-axis bounds around the data, a little outside it.
fn bounds(values: impl Iterator<Item = f64>, default: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi {
        return default;
    }
    (lo / 1.3, hi * 1.3)
}

/// The chart as an SVG document.
pub fn render(chart: &Chart) -> anyhow::Result<String> {
    let points: Vec<&Point> =
        chart.points.iter().filter(|p| p.x.is_finite() && p.x > 0.0 && p.y.is_finite() && p.y > 0.0).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let notes_height = 16 * chart.notes.len() as u32 + 8;
        let (plot_area, notes_area) = root.split_vertically(HEIGHT - notes_height);
        let (xlo, xhi) = bounds(points.iter().map(|p| p.x), (1.0, 1000.0));
        let (ylo, yhi) = bounds(points.iter().map(|p| p.y), (1.0, 10.0));
        let mut ctx = ChartBuilder::on(&plot_area)
            .caption(format!("{}\n", chart.title), (FONT, 20))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d((xlo..xhi).log_scale(), (ylo..yhi).log_scale())?;
        ctx.configure_mesh()
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|_| String::new())
            .x_desc("compression speed, MB/s (log scale, one thread)")
            .y_desc("ratio, original / compressed (log scale)")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .disable_mesh()
            .draw()?;
        // A log axis over less than a decade gets one label from plotters, over several
        // a crowd: the ticks are chosen and drawn here.
        let grid = RGBColor(0xdd, 0xdd, 0xdd);
        for tick in log_ticks(ylo, yhi, &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0]) {
            ctx.draw_series(LineSeries::new([(xlo, tick), (xhi, tick)], grid))?;
            let (x, y) = ctx.backend_coord(&(xlo, tick));
            let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
            plot_area.draw(&Text::new(tick_label(tick), (x - 6, y), style))?;
        }
        for tick in log_ticks(xlo, xhi, &[1.0, 2.0, 5.0]) {
            ctx.draw_series(LineSeries::new([(tick, ylo), (tick, yhi)], grid))?;
            let (x, y) = ctx.backend_coord(&(tick, ylo));
            let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
            plot_area.draw(&Text::new(tick_label(tick), (x, y + 6), style))?;
        }
        let centred = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        plot_area.draw(&Text::new(chart.subtitle.to_string(), (WIDTH as i32 / 2, 36), centred))?;
        let mut series: Vec<(&str, Family)> = Vec::new();
        for p in &points {
            if !series.iter().any(|(s, _)| *s == p.series) {
                series.push((&p.series, p.family));
            }
        }
        for (name, family) in &series {
            let mut curve: Vec<&&Point> = points.iter().filter(|p| p.series == *name).collect();
            curve.sort_by(|a, b| a.x.total_cmp(&b.x));
            let nth = series.iter().take_while(|(s, _)| s != name).filter(|(_, f)| f == family).count();
            let style = colour(*family, nth);
            ctx.draw_series(LineSeries::new(curve.iter().map(|p| (p.x, p.y)), style.stroke_width(2)))?
                .label(name.to_string())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style.stroke_width(2)));
            ctx.draw_series(curve.iter().map(|p| {
                EmptyElement::at((p.x, p.y))
                    + Circle::new((0, 0), 4, style.filled())
                    + Text::new(short_label(p).to_string(), (6, -14), (FONT, 12))
            }))?;
        }
        if points.is_empty() {
            plot_area.draw(&Text::new(
                "no measurements to show",
                (WIDTH as i32 / 2 - 80, HEIGHT as i32 / 2),
                (FONT, 16),
            ))?;
        } else {
            ctx.configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(0x99, 0x99, 0x99))
                .label_font((FONT, 13))
                .draw()?;
        }
        for (i, note) in chart.notes.iter().enumerate() {
            notes_area.draw(&Text::new(
                note.clone(),
                (20, 4 + 16 * i as i32),
                (FONT, 12).into_font().color(&RGBColor(0x55, 0x55, 0x55)),
            ))?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// Writes `contents` to `path` through a temporary file in the same folder, renamed
/// over `path` once complete, so a reader never sees half a file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let write = || -> std::io::Result<()> {
        let mut out = cobolp_io::AtomicFile::create(path, true)?;
        let mut file = out.take_file().expect("a new AtomicFile has its file");
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        out.commit()
    };
    write().with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small XML checker: every tag closed in order, attributes quoted, entities known.
    fn well_formed(doc: &str) -> Result<usize, String> {
        let body = doc.strip_prefix(r#"<?xml version="1.0" encoding="UTF-8"?>"#).ok_or("no XML declaration")?;
        let mut stack: Vec<String> = Vec::new();
        let mut elements = 0;
        let mut rest = body;
        while let Some(open) = rest.find('<') {
            check_text(&rest[..open])?;
            let close = rest[open..].find('>').ok_or("unclosed tag")? + open;
            let tag = &rest[open + 1..close];
            rest = &rest[close + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let top = stack.pop().ok_or(format!("stray </{name}>"))?;
                if top != name {
                    return Err(format!("</{name}> closes <{top}>"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().ok_or("empty tag")?;
            if !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!("bad tag name {name:?}"));
            }
            if tag.matches('"').count() % 2 != 0 || tag.contains('<') {
                return Err(format!("bad attributes in <{tag}>"));
            }
            for attr in tag.split('"').skip(1).step_by(2) {
                check_text(attr)?;
            }
            elements += 1;
            if !self_closing {
                stack.push(name.to_string());
            }
            if stack.is_empty() && !rest.trim().is_empty() {
                return Err("content after the root element".into());
            }
        }
        check_text(rest)?;
        match stack.is_empty() {
            true => Ok(elements),
            false => Err(format!("unclosed {stack:?}")),
        }
    }

    fn check_text(text: &str) -> Result<(), String> {
        let mut rest = text;
        while let Some(amp) = rest.find('&') {
            let end = rest[amp..].find(';').ok_or("bare &")? + amp;
            let entity = &rest[amp + 1..end];
            if !["amp", "lt", "gt", "quot", "#39"].contains(&entity) {
                return Err(format!("unknown entity &{entity};"));
            }
            rest = &rest[end + 1..];
        }
        Ok(())
    }

    fn points() -> Vec<Point> {
        let p = |label: &str, series: &str, family, x, y| Point {
            label: label.into(),
            series: series.into(),
            family,
            x,
            y,
        };
        vec![
            p("cobolp-legacy", "cobolp-legacy", Family::Cobolp, 35.0, 11.2),
            p("zstd-1", "zstd", Family::Zstd, 480.0, 8.1),
            p("zstd-3", "zstd", Family::Zstd, 350.0, 9.0),
            p("zstd-19", "zstd", Family::Zstd, 3.2, 13.5),
            p("lz4", "lz4", Family::Lz4, 700.0, 5.0),
            p("gzip-6 <&>", "gzip", Family::Gzip, 40.0, 7.9),
        ]
    }

    /// The SVG of a chart, its XML declaration added as the file gets it.
    fn document(chart: &Chart) -> String {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", render(chart).unwrap())
    }

    #[test]
    fn svg_is_well_formed_with_a_curve_per_codec() {
        let notes = vec!["n/a: cobolp-bridge & cobolp-maximal".to_string()];
        let pts = points();
        let svg = document(&Chart { title: "ratio vs speed", subtitle: "2 cores <x>", notes: &notes, points: &pts });
        let elements = well_formed(&svg).unwrap();
        assert!(elements > 30);
        assert_eq!(svg.matches("<circle").count(), pts.len());
        assert!(svg.contains("6 &lt;&amp;&gt;"), "labels are escaped");
        let texts: Vec<&str> = svg.split("</text>").filter_map(|t| t.rsplit('>').next()).map(str::trim).collect();
        for label in ["19", "cobolp-legacy", "zstd", "100", "10", "7", "15"] {
            assert!(texts.contains(&label), "{label} in {texts:?}");
        }
        assert!(svg.matches("<polyline").count() >= 4, "a line per codec and the legend's");
    }

    #[test]
    fn ticks_are_round() {
        let ratio = [1.0, 1.5, 2.0, 3.0, 5.0, 7.0];
        assert_eq!(log_ticks(4.0, 17.0, &ratio), vec![5.0, 7.0, 10.0, 15.0]);
        assert_eq!(log_ticks(0.9, 2.1, &ratio), vec![1.0, 1.5, 2.0]);
        assert_eq!(log_ticks(3.0, 600.0, &[1.0, 2.0, 5.0]), vec![5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]);
    }

    #[test]
    fn tick_labels() {
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(tick_label(2.5), "2.5");
    }

    #[test]
    fn degenerate_charts_are_well_formed() {
        let one = |x: f64| vec![Point { label: "only".into(), series: "lz4".into(), family: Family::Lz4, x, y: 2.0 }];
        for pts in [vec![], one(1.0), one(f64::INFINITY)] {
            let svg = document(&Chart { title: "t", subtitle: "s", notes: &[], points: &pts });
            well_formed(&svg).unwrap();
            assert!(!svg.contains("NaN") && !svg.contains("inf\""));
        }
        assert!(well_formed("<?xml version=\"1.0\" encoding=\"UTF-8\"?><svg><g></svg>").is_err());
        assert!(well_formed("<?xml version=\"1.0\" encoding=\"UTF-8\"?><svg>a & b</svg>").is_err());
    }

    #[test]
    fn writes_atomically() {
        let dir = std::env::temp_dir().join(format!("cobolp-bench-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("chart.svg");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
