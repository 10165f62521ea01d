//! The `--plot` chart, written by hand: ratio against compression speed (log scale),
//! one labelled point per codec.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context;

use super::codecs::Family;

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 560.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 78.0;
const BOTTOM: f64 = 96.0;
const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
/// Rough width of one character of the 12 px label font, for placing labels.
const CHAR_W: f64 = 7.0;

/// One codec on the chart.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub family: Family,
    /// Compression speed, MB/s.
    pub x: f64,
    /// Ratio.
    pub y: f64,
}

pub struct Chart<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// Lines under the axes: codecs not shown, what the figures are.
    pub notes: &'a [String],
    pub points: &'a [Point],
}

fn colour(family: Family) -> &'static str {
    match family {
        Family::Cobolp => "#d62728",
        Family::Zstd => "#1f77b4",
        Family::Lz4 => "#2ca02c",
        Family::Gzip => "#ff7f0e",
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Cobolp => "cobolp",
        Family::Zstd => "zstd",
        Family::Lz4 => "lz4",
        Family::Gzip => "gzip",
    }
}

/// Escapes text for SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Ticks of a log axis from `lo` to `hi` (powers of ten apart): 1-2-5 steps up to four
/// decades, decades beyond.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let decades = (hi / lo).log10().round() as i32;
    let steps: &[f64] = if decades <= 4 { &[1.0, 2.0, 5.0] } else { &[1.0] };
    let first = lo.log10().round() as i32;
    let mut ticks = Vec::new();
    for k in first..=first + decades {
        for s in steps {
            let t = s * 10f64.powi(k);
            if t <= hi * 1.0001 {
                ticks.push(t);
            }
        }
    }
    ticks
}

/// A step of 1, 2, 2.5 or 5 × 10^k giving about six ticks up to `max`.
fn linear_step(max: f64) -> f64 {
    let raw = max / 6.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&s| s >= raw).unwrap_or(10.0 * magnitude)
}

fn tick_label(v: f64) -> String {
    if v >= 1.0 && v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[derive(Clone, Copy)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// The whole SVG document.
pub fn render(chart: &Chart) -> String {
    let points: Vec<&Point> = chart.points.iter().filter(|p| p.x.is_finite() && p.x > 0.0 && p.y.is_finite()).collect();
    let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let mut svg = String::new();
    let w = &mut svg;
    let _ = writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        w,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}">"#
    );
    let _ = writeln!(w, r##"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##);
    let _ = writeln!(
        w,
        r#"<text x="{}" y="28" font-size="18" font-weight="bold" text-anchor="middle">{}</text>"#,
        WIDTH / 2.0,
        escape(chart.title)
    );
    let _ = writeln!(
        w,
        r##"<text x="{}" y="50" font-size="12" fill="#444444" text-anchor="middle">{}</text>"##,
        WIDTH / 2.0,
        escape(chart.subtitle)
    );

    // Scales: x log over whole decades around the data, y linear from 0.
    let (xmin, xmax) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.x), b.max(p.x)));
    let (lo, hi) = if points.is_empty() {
        (1.0, 1000.0)
    } else {
        (10f64.powf((xmin / 1.2).log10().floor()), 10f64.powf((xmax * 1.2).log10().ceil()))
    };
    let ymax_data = points.iter().map(|p| p.y).fold(1.0, f64::max);
    let step = linear_step(ymax_data * 1.08);
    let ymax = (ymax_data * 1.08 / step).ceil() * step;
    let sx = |x: f64| LEFT + (x / lo).log10() / (hi / lo).log10() * pw;
    let sy = |y: f64| TOP + ph - y / ymax * ph;

    // Grid, ticks and tick labels.
    let _ = writeln!(w, r##"<g stroke="#e3e3e3" stroke-width="1">"##);
    for t in log_ticks(lo, hi) {
        let _ = writeln!(w, r#"<line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{1:.1}"/>"#, sx(t), TOP + ph);
    }
    let mut y = 0.0;
    while y <= ymax + step * 1e-6 {
        let _ = writeln!(w, r#"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}"/>"#, sy(y), LEFT + pw);
        y += step;
    }
    let _ = writeln!(w, "</g>");
    let _ = writeln!(w, r##"<g font-size="12" fill="#333333">"##);
    for t in log_ticks(lo, hi) {
        let _ = writeln!(
            w,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            sx(t),
            TOP + ph + 18.0,
            tick_label(t)
        );
    }
    let mut y = 0.0;
    while y <= ymax + step * 1e-6 {
        let _ = writeln!(
            w,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 8.0,
            sy(y) + 4.0,
            tick_label(y)
        );
        y += step;
    }
    let _ = writeln!(w, "</g>");
    let _ = writeln!(
        w,
        r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#333333" stroke-width="1"/>"##
    );
    let _ = writeln!(
        w,
        r#"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle">compression speed, MB/s (log scale, one thread)</text>"#,
        LEFT + pw / 2.0,
        TOP + ph + 40.0
    );
    let _ = writeln!(
        w,
        r#"<text x="18" y="{:.1}" font-size="13" text-anchor="middle" transform="rotate(-90 18 {:.1})">ratio (original / compressed)</text>"#,
        TOP + ph / 2.0,
        TOP + ph / 2.0
    );

    // zstd's levels as a curve: where a codec stands against zstd's own trade-off.
    let mut zstd: Vec<&&Point> = points.iter().filter(|p| p.family == Family::Zstd).collect();
    zstd.sort_by(|a, b| a.x.total_cmp(&b.x));
    if zstd.len() > 1 {
        let path: Vec<String> = zstd.iter().map(|p| format!("{:.1},{:.1}", sx(p.x), sy(p.y))).collect();
        let _ = writeln!(
            w,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="1.2" stroke-dasharray="4 3" opacity="0.6"/>"#,
            path.join(" "),
            colour(Family::Zstd)
        );
    }

    // Points first, then labels placed where they hide neither points nor other labels.
    let dots: Vec<Rect> = points
        .iter()
        .map(|p| Rect { x0: sx(p.x) - 5.0, y0: sy(p.y) - 5.0, x1: sx(p.x) + 5.0, y1: sy(p.y) + 5.0 })
        .collect();
    for p in &points {
        let _ = writeln!(
            w,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{}" stroke="#222222" stroke-width="0.8"><title>{}: {:.2}, {:.1} MB/s</title></circle>"##,
            sx(p.x),
            sy(p.y),
            colour(p.family),
            escape(&p.label),
            p.y,
            p.x
        );
    }
    let mut placed: Vec<Rect> = Vec::new();
    let mut order: Vec<&&Point> = points.iter().collect();
    order.sort_by(|a, b| b.y.total_cmp(&a.y));
    for p in order {
        let (cx, cy) = (sx(p.x), sy(p.y));
        let tw = p.label.chars().count() as f64 * CHAR_W;
        // (dx, dy, anchored at the end): right, left, above, below, further out.
        let tries = [
            (9.0, 4.0, false),
            (-9.0, 4.0, true),
            (6.0, -9.0, false),
            (6.0, 18.0, false),
            (-6.0, -9.0, true),
            (-6.0, 18.0, true),
            (9.0, -20.0, false),
            (9.0, 30.0, false),
        ];
        let boxed = |&(dx, dy, end): &(f64, f64, bool)| {
            let x0 = if end { cx + dx - tw } else { cx + dx };
            Rect { x0, y0: cy + dy - 11.0, x1: x0 + tw, y1: cy + dy + 3.0 }
        };
        let inside =
            |r: &Rect| r.x0 >= LEFT + 2.0 && r.x1 <= LEFT + pw - 2.0 && r.y0 >= TOP + 2.0 && r.y1 <= TOP + ph - 2.0;
        let free = |r: &Rect| inside(r) && !placed.iter().chain(dots.iter()).any(|o| o.overlaps(r));
        let choice = tries
            .iter()
            .find(|t| free(&boxed(t)))
            .or_else(|| tries.iter().find(|t| inside(&boxed(t))))
            .unwrap_or(&tries[0]);
        let r = boxed(choice);
        placed.push(r);
        let anchor = if choice.2 { "end" } else { "start" };
        let _ = writeln!(
            w,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="{anchor}" fill="#111111">{}</text>"##,
            cx + choice.0,
            cy + choice.1,
            escape(&p.label)
        );
    }
    if points.is_empty() {
        let _ = writeln!(
            w,
            r#"<text x="{:.1}" y="{:.1}" font-size="16" text-anchor="middle">no measurements to show</text>"#,
            LEFT + pw / 2.0,
            TOP + ph / 2.0
        );
    }

    // Legend of families, top left inside the plot, and the notes under the axes.
    let mut families: Vec<Family> = Vec::new();
    for p in &points {
        if !families.contains(&p.family) {
            families.push(p.family);
        }
    }
    for (i, f) in families.iter().enumerate() {
        let x = LEFT + 14.0 + i as f64 * 80.0;
        let _ = writeln!(
            w,
            r##"<circle cx="{x:.1}" cy="{:.1}" r="5" fill="{}" stroke="#222222" stroke-width="0.8"/>"##,
            TOP - 12.0,
            colour(*f)
        );
        let _ =
            writeln!(w, r#"<text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#, x + 9.0, TOP - 8.0, family_name(*f));
    }
    for (i, note) in chart.notes.iter().enumerate() {
        let _ = writeln!(
            w,
            r##"<text x="{LEFT}" y="{:.1}" font-size="11" fill="#555555">{}</text>"##,
            TOP + ph + 60.0 + i as f64 * 14.0,
            escape(note)
        );
    }
    let _ = writeln!(w, "</svg>");
    svg
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
        let p = |label: &str, family, x, y| Point { label: label.into(), family, x, y };
        vec![
            p("cobolp-legacy", Family::Cobolp, 35.0, 11.2),
            p("zstd-1", Family::Zstd, 480.0, 8.1),
            p("zstd-3", Family::Zstd, 350.0, 9.0),
            p("zstd-19", Family::Zstd, 3.2, 13.5),
            p("lz4", Family::Lz4, 700.0, 5.0),
            p("gzip-6 <&>", Family::Gzip, 40.0, 7.9),
        ]
    }

    #[test]
    fn svg_is_well_formed() {
        let notes = vec!["n/a: cobolp-bridge & cobolp-maximal".to_string()];
        let pts = points();
        let svg = render(&Chart { title: "ratio vs speed", subtitle: "2 cores <x>", notes: &notes, points: &pts });
        let elements = well_formed(&svg).unwrap();
        assert!(elements > 30);
        assert_eq!(svg.matches("<circle").count(), pts.len() + 4);
        assert!(svg.contains("gzip-6 &lt;&amp;&gt;"));
        for label in ["zstd-19", "cobolp-legacy", "1000"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}");
        }
    }

    #[test]
    fn degenerate_charts_are_well_formed() {
        for pts in [vec![], vec![Point { label: "only".into(), family: Family::Lz4, x: 1.0, y: 1.0 }], {
            vec![Point { label: "inf".into(), family: Family::Lz4, x: f64::INFINITY, y: 2.0 }]
        }] {
            let svg = render(&Chart { title: "t", subtitle: "s", notes: &[], points: &pts });
            well_formed(&svg).unwrap();
            assert!(!svg.contains("NaN") && !svg.contains("inf\""));
        }
        assert!(well_formed("<?xml version=\"1.0\" encoding=\"UTF-8\"?><svg><g></svg>").is_err());
        assert!(well_formed("<?xml version=\"1.0\" encoding=\"UTF-8\"?><svg>a & b</svg>").is_err());
    }

    #[test]
    fn ticks() {
        assert_eq!(log_ticks(1.0, 1000.0), vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
        assert_eq!(log_ticks(0.1, 10000.0), vec![0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(linear_step(14.0), 2.5);
        assert_eq!(linear_step(6.0), 1.0);
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(tick_label(2.5), "2.5");
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
