//! Tables of `bench`: one per file and one of totals, every figure also as a ratio to
//! zstd -3; plus the aggregation the totals, the chart and the JSON share.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::measure::{Measurement, Status};

/// Every codec's measurement on one file, in codec order.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// Name shown in tables: relative to the folder given, or the file's name.
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    pub results: Vec<Measurement>,
}

impl FileResult {
    pub fn get(&self, codec: &str) -> Option<&Measurement> {
        self.results.iter().find(|m| m.codec == codec)
    }
}

/// One figure of a measurement, as (original bytes, denominator): the figure is
/// original / denominator (ratio) or original / seconds (speed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Ratio,
    Compress,
    Decompress,
}

impl Figure {
    fn denominator(self, m: &Measurement) -> Option<f64> {
        match self {
            Figure::Ratio => m.compressed.filter(|&c| c > 0).map(|c| c as f64),
            Figure::Compress => m.compress_s.filter(|&s| s > 0.0),
            Figure::Decompress => m.decompress_s.filter(|&s| s > 0.0),
        }
    }

    /// Ratio, or MB/s.
    fn value(self, original: f64, denominator: f64) -> f64 {
        match self {
            Figure::Ratio => original / denominator,
            Figure::Compress | Figure::Decompress => original / denominator / 1e6,
        }
    }
}

/// A codec over all files: sums of sizes and of best times.
#[derive(Debug, Clone, PartialEq)]
pub struct Total {
    pub codec: String,
    /// Files where it ran (not n/a).
    pub files: usize,
    pub ratio: Option<f64>,
    pub compress_mb_s: Option<f64>,
    pub decompress_mb_s: Option<f64>,
    pub original: u64,
    pub compressed: u64,
    pub compress_s: f64,
    pub decompress_s: f64,
    /// Files each figure is over, when fewer than `files` (failures).
    pub partial: Option<usize>,
    pub peak_kib: Option<u64>,
    pub failures: usize,
    /// Why it did not run, when it ran on no file.
    pub unavailable: Option<String>,
}

/// Sum of (original, denominator) of `figure` for `codec` over the files where it (and
/// `with`, when given) has the figure.
fn sums(files: &[FileResult], codec: &str, figure: Figure, with: Option<&str>) -> Option<(f64, f64, usize)> {
    let mut acc = (0.0, 0.0, 0usize);
    for f in files {
        let Some(d) = f.get(codec).and_then(|m| figure.denominator(m)) else { continue };
        if with.is_some_and(|w| f.get(w).and_then(|m| figure.denominator(m)).is_none()) {
            continue;
        }
        acc = (acc.0 + f.size as f64, acc.1 + d, acc.2 + 1);
    }
    (acc.2 > 0).then_some(acc)
}

/// `codec`'s figure over all files.
pub fn aggregate(files: &[FileResult], codec: &str, figure: Figure) -> Option<f64> {
    sums(files, codec, figure, None).map(|(o, d, _)| figure.value(o, d))
}

/// `codec`'s figure divided by `baseline`'s, both over the files where both have it.
pub fn relative(files: &[FileResult], codec: &str, baseline: &str, figure: Figure) -> Option<f64> {
    let (o, d, _) = sums(files, codec, figure, Some(baseline))?;
    let (bo, bd, _) = sums(files, baseline, figure, Some(codec))?;
    Some(figure.value(o, d) / figure.value(bo, bd))
}

pub fn total(files: &[FileResult], codec: &str) -> Total {
    let ran: Vec<&Measurement> =
        files.iter().filter_map(|f| f.get(codec)).filter(|m| !matches!(m.status, Status::Unavailable(_))).collect();
    let unavailable = match ran.is_empty() {
        true => files.iter().filter_map(|f| f.get(codec)).find_map(|m| match &m.status {
            Status::Unavailable(r) => Some(r.clone()),
            _ => None,
        }),
        false => None,
    };
    let covered = [Figure::Ratio, Figure::Compress, Figure::Decompress]
        .iter()
        .map(|&fig| sums(files, codec, fig, None).map_or(0, |s| s.2))
        .min()
        .unwrap_or(0);
    Total {
        codec: codec.to_string(),
        files: ran.len(),
        ratio: aggregate(files, codec, Figure::Ratio),
        compress_mb_s: aggregate(files, codec, Figure::Compress),
        decompress_mb_s: aggregate(files, codec, Figure::Decompress),
        original: ran.iter().map(|m| m.original).sum(),
        compressed: ran.iter().filter_map(|m| m.compressed).sum(),
        compress_s: ran.iter().filter_map(|m| m.compress_s).sum(),
        decompress_s: ran.iter().filter_map(|m| m.decompress_s).sum(),
        partial: (covered < ran.len()).then_some(covered),
        peak_kib: ran.iter().filter_map(|m| m.peak_kib).max(),
        failures: ran.iter().filter(|m| m.failed()).count(),
        unavailable,
    }
}

/// The reference a decoder that checks a SHA-256 of its output is held to.
pub const SHA_REFERENCE: &str = "zstd-3+sha256";

const HEADER: [&str; 10] =
    ["codec", "ratio", "comp MB/s", "dec MB/s", "peak MiB", "ratio×", "comp×", "dec×", "dec×sha", "check"];
const WIDTHS: [usize; 10] = [15, 7, 10, 10, 9, 7, 7, 7, 7, 6];

fn row(out: &mut String, cells: &[String]) {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(WIDTHS).enumerate() {
        match i {
            0 => write!(line, "{cell:<width$}"),
            _ => write!(line, " {cell:>width$}"),
        }
        .expect("writing to a String");
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn rule(out: &mut String) {
    let width: usize = WIDTHS.iter().sum::<usize>() + WIDTHS.len() - 1;
    out.push_str(&"-".repeat(width));
    out.push('\n');
}

pub fn fmt_ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.2}"))
}

pub fn fmt_speed(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if !v.is_finite() => "inf".into(),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn fmt_mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".into(), |k| format!("{:.1}", k as f64 / 1024.0))
}

fn fmt_times(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() && v >= 0.1 => format!("{v:.2}"),
        Some(v) if v.is_finite() => format!("{v:.3}"),
        _ => "-".into(),
    }
}

/// Thousands separated by commas.
pub fn fmt_bytes(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The table of one file.
pub fn file_table(file: &FileResult, baseline: &str) -> String {
    let mut out = format!("{}  ({} bytes)\n", file.name, fmt_bytes(file.size));
    row(&mut out, &HEADER.map(String::from));
    rule(&mut out);
    let one = [file.clone()];
    let mut notes = Vec::new();
    for m in &file.results {
        if let Status::Unavailable(_) = &m.status {
            out.push_str(&format!("{:<15} n/a (why: under the totals)\n", m.codec));
            continue;
        }
        let rel = |fig| relative(&one, &m.codec, baseline, fig);
        let check = match &m.status {
            Status::Ok => "ok",
            _ => "FAIL",
        };
        if let Status::Failed(reason) = &m.status {
            notes.push(format!("  !! {}: {}\n", m.codec, reason));
        }
        row(
            &mut out,
            &[
                m.codec.clone(),
                fmt_ratio(m.ratio()),
                fmt_speed(m.compress_mb_s()),
                fmt_speed(m.decompress_mb_s()),
                fmt_mib(m.peak_kib),
                fmt_times(rel(Figure::Ratio)),
                fmt_times(rel(Figure::Compress)),
                fmt_times(rel(Figure::Decompress)),
                fmt_times(relative(&one, &m.codec, SHA_REFERENCE, Figure::Decompress)),
                check.into(),
            ],
        );
    }
    notes.iter().for_each(|n| out.push_str(n));
    out
}

/// The table of totals over all files.
pub fn totals_table(files: &[FileResult], codecs: &[String], baseline: &str) -> String {
    let size: u64 = files.iter().map(|f| f.size).sum();
    let mut out = format!(
        "TOTAL over {} file{} ({} bytes): ratio = sum of originals / sum of compressed, speed = sum of bytes / sum of best times, peak = largest\n",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        fmt_bytes(size)
    );
    row(&mut out, &HEADER.map(String::from));
    rule(&mut out);
    let mut notes = Vec::new();
    for codec in codecs {
        let t = total(files, codec);
        if let Some(reason) = &t.unavailable {
            out.push_str(&format!("{codec:<15} n/a: {reason}\n"));
            continue;
        }
        let rel = |fig| relative(files, codec, baseline, fig);
        if let Some(n) = t.partial {
            notes.push(format!(
                "  !! {codec}: failed on {} file(s); each figure covers the files where that step worked (fewest: {n} of {})\n",
                t.failures, t.files
            ));
        }
        let check = match t.failures {
            0 => "ok".to_string(),
            n => format!("{n} FAIL"),
        };
        row(
            &mut out,
            &[
                codec.clone(),
                fmt_ratio(t.ratio),
                fmt_speed(t.compress_mb_s),
                fmt_speed(t.decompress_mb_s),
                fmt_mib(t.peak_kib),
                fmt_times(rel(Figure::Ratio)),
                fmt_times(rel(Figure::Compress)),
                fmt_times(rel(Figure::Decompress)),
                fmt_times(relative(files, codec, SHA_REFERENCE, Figure::Decompress)),
                check,
            ],
        );
    }
    notes.iter().for_each(|n| out.push_str(n));
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn measured(codec: &str, original: u64, compressed: u64, cs: f64, ds: f64) -> Measurement {
        let mut m = Measurement::new(codec, original, Status::Ok);
        m.compressed = Some(compressed);
        m.compress_s = Some(cs);
        m.decompress_s = Some(ds);
        m.peak_kib = Some(10 * 1024);
        m
    }

    pub fn two_files() -> Vec<FileResult> {
        let mut broken = measured("cobolp-legacy", 2_000_000, 100_000, 0.1, f64::NAN);
        broken.decompress_s = None;
        broken.status = Status::Failed("decompress: bad frame".into());
        let na = || Measurement::new("cobolp-bridge", 1_000_000, Status::Unavailable("not in this version".into()));
        vec![
            FileResult {
                name: "a.log".into(),
                path: "a.log".into(),
                size: 1_000_000,
                results: vec![
                    measured("cobolp-legacy", 1_000_000, 100_000, 0.05, 0.01),
                    na(),
                    measured("zstd-3", 1_000_000, 200_000, 0.01, 0.002),
                ],
            },
            FileResult {
                name: "b.log".into(),
                path: "b.log".into(),
                size: 2_000_000,
                results: vec![broken, na(), measured("zstd-3", 2_000_000, 200_000, 0.02, 0.004)],
            },
        ]
    }

    #[test]
    fn totals_sum_sizes_and_times() {
        let files = two_files();
        let t = total(&files, "zstd-3");
        assert_eq!((t.files, t.original, t.compressed, t.partial, t.failures), (2, 3_000_000, 400_000, None, 0));
        assert!((t.ratio.unwrap() - 7.5).abs() < 1e-9);
        assert!((t.compress_mb_s.unwrap() - 100.0).abs() < 1e-9);
        let c = total(&files, "cobolp-legacy");
        assert_eq!((c.files, c.partial, c.failures), (2, Some(1), 1));
        assert!((c.ratio.unwrap() - 15.0).abs() < 1e-9);
        // Decompression only worked on a.log: compared with zstd-3 on a.log alone.
        assert!((relative(&files, "cobolp-legacy", "zstd-3", Figure::Decompress).unwrap() - 0.2).abs() < 1e-9);
        assert!((relative(&files, "cobolp-legacy", "zstd-3", Figure::Ratio).unwrap() - 2.0).abs() < 1e-9);
        let b = total(&files, "cobolp-bridge");
        assert_eq!(b.unavailable.as_deref(), Some("not in this version"));
    }

    #[test]
    fn tables_line_up() {
        let files = two_files();
        let table = file_table(&files[0], "zstd-3");
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "a.log  (1,000,000 bytes)");
        assert!(lines[1].starts_with("codec") && lines[1].ends_with("check"));
        let legacy = lines.iter().find(|l| l.starts_with("cobolp-legacy")).unwrap();
        let cells: Vec<&str> = legacy.split_whitespace().collect();
        assert_eq!(cells, ["cobolp-legacy", "10.00", "20.0", "100", "10.0", "2.00", "0.20", "0.20", "-", "ok"]);
        assert_eq!(legacy.chars().count(), lines[1].chars().count());
        assert!(table.contains("cobolp-bridge   n/a (why: under the totals)"));

        let table = file_table(&files[1], "zstd-3");
        assert!(table.contains("FAIL") && table.contains("!! cobolp-legacy: decompress: bad frame"));
        let totals = totals_table(&files, &["cobolp-legacy".into(), "cobolp-bridge".into(), "zstd-3".into()], "zstd-3");
        assert!(totals.starts_with("TOTAL over 2 files (3,000,000 bytes)"));
        assert!(totals.contains("1 FAIL") && totals.contains("fewest: 1 of 2"));
        assert!(totals.contains("cobolp-bridge   n/a: not in this version"));
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(fmt_bytes(0), "0");
        assert_eq!(fmt_bytes(999), "999");
        assert_eq!(fmt_bytes(1000), "1,000");
        assert_eq!(fmt_bytes(15_999_908), "15,999,908");
        assert_eq!(fmt_speed(Some(1234.4)), "1234");
        assert_eq!(fmt_speed(Some(45.67)), "45.7");
        assert_eq!(fmt_speed(Some(2.346)), "2.35");
        assert_eq!(fmt_speed(None), "-");
        assert_eq!(fmt_times(Some(0.0034)), "0.003");
        assert_eq!(fmt_times(Some(1.5)), "1.50");
    }
}
