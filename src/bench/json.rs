//! `--json`: every measurement as one JSON object per line, formatted by hand.
//!
//! Line kinds: one `context` (machine, version, settings), one `measurement` per file
//! and codec, one `total` per codec.

use super::measure::{Measurement, Status};
use super::report::{relative, total, Figure, FileResult};

/// One JSON object being written: `{"key":value,...}`.
struct Object(String);

impl Object {
    fn new(kind: &str) -> Object {
        let mut o = Object(String::from("{"));
        o.str("kind", kind);
        o
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&string(key));
        self.0.push(':');
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.0.push_str(&string(value));
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }

    fn raw(&mut self, key: &str, value: &str) {
        self.key(key);
        self.0.push_str(value);
    }

    fn int(&mut self, key: &str, value: Option<u64>) {
        self.raw(key, &value.map_or_else(|| "null".into(), |v| v.to_string()));
    }

    fn num(&mut self, key: &str, value: Option<f64>) {
        self.raw(key, &number(value));
    }

    fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON string literal.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number; `null` for none, NaN or infinity (JSON has neither).
fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => "null".into(),
    }
}

fn status(m: &Measurement) -> (&'static str, Option<&str>) {
    match &m.status {
        Status::Ok => ("ok", None),
        Status::Unavailable(r) => ("n/a", Some(r.as_str())),
        Status::Failed(r) => ("failed", Some(r.as_str())),
    }
}

/// Everything the run measured, one JSON object per line. `context` holds pairs of
/// (key, already formatted JSON value).
pub fn lines(context: &[(&str, String)], files: &[FileResult], codecs: &[String], baseline: &str) -> String {
    let mut out = String::new();
    let mut o = Object::new("context");
    for (key, value) in context {
        o.raw(key, value);
    }
    o.str("baseline", baseline);
    out.push_str(&o.finish());
    out.push('\n');
    let vs = format!("_vs_{}", baseline.replace('-', ""));
    for file in files {
        let one = std::slice::from_ref(file);
        for m in &file.results {
            let (st, reason) = status(m);
            let mut o = Object::new("measurement");
            o.str("file", &file.name);
            o.str("path", &file.path.to_string_lossy());
            o.str("codec", &m.codec);
            o.str("status", st);
            o.opt_str("reason", reason);
            o.int("original_bytes", Some(m.original));
            o.int("compressed_bytes", m.compressed);
            o.num("ratio", m.ratio());
            o.num("compress_s", m.compress_s);
            o.num("decompress_s", m.decompress_s);
            o.num("compress_mb_s", m.compress_mb_s());
            o.num("decompress_mb_s", m.decompress_mb_s());
            o.int("compress_runs", Some(m.compress_runs.into()));
            o.int("decompress_runs", Some(m.decompress_runs.into()));
            o.int("peak_rss_kib", m.peak_kib);
            o.int("base_rss_kib", m.base_kib);
            o.num(&format!("ratio{vs}"), relative(one, &m.codec, baseline, Figure::Ratio));
            o.num(&format!("compress_speed{vs}"), relative(one, &m.codec, baseline, Figure::Compress));
            o.num(&format!("decompress_speed{vs}"), relative(one, &m.codec, baseline, Figure::Decompress));
            out.push_str(&o.finish());
            out.push('\n');
        }
    }
    for codec in codecs {
        let t = total(files, codec);
        let mut o = Object::new("total");
        o.str("codec", codec);
        o.str(
            "status",
            if t.unavailable.is_some() {
                "n/a"
            } else if t.failures > 0 {
                "failed"
            } else {
                "ok"
            },
        );
        o.opt_str("reason", t.unavailable.as_deref());
        o.int("files", Some(t.files as u64));
        o.int("failures", Some(t.failures as u64));
        o.int("original_bytes", Some(t.original));
        o.int("compressed_bytes", Some(t.compressed));
        o.num("compress_s", Some(t.compress_s));
        o.num("decompress_s", Some(t.decompress_s));
        o.num("ratio", t.ratio);
        o.num("compress_mb_s", t.compress_mb_s);
        o.num("decompress_mb_s", t.decompress_mb_s);
        o.int("peak_rss_kib", t.peak_kib);
        o.num(&format!("ratio{vs}"), relative(files, codec, baseline, Figure::Ratio));
        o.num(&format!("compress_speed{vs}"), relative(files, codec, baseline, Figure::Compress));
        o.num(&format!("decompress_speed{vs}"), relative(files, codec, baseline, Figure::Decompress));
        out.push_str(&o.finish());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::report::tests::two_files;
    use super::*;

    #[test]
    fn escapes_strings() {
        assert_eq!(string("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
        assert_eq!(number(Some(f64::INFINITY)), "null");
        assert_eq!(number(Some(2.5)), "2.5");
    }

    #[test]
    fn one_object_per_line() {
        let files = two_files();
        let codecs = ["cobolp-legacy".to_string(), "cobolp-bridge".into(), "zstd-3".into()];
        let text = lines(&[("cores", "2".into()), ("cpu", string("x \"y\""))], &files, &codecs, "zstd-3");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 6 + 3);
        for line in &lines {
            assert!(line.starts_with("{\"kind\":") && line.ends_with('}'), "{line}");
            assert_eq!(line.matches('{').count(), 1, "{line}");
            assert!(!line.contains("NaN") && !line.contains("inf"), "{line}");
        }
        assert!(lines[0].contains(r#""cpu":"x \"y\"""#));
        assert!(lines[1].contains(r#""codec":"cobolp-legacy","status":"ok","reason":null,"original_bytes":1000000"#));
        assert!(lines[1].contains(r#""ratio_vs_zstd3":2"#));
        assert!(lines[2].contains(r#""status":"n/a","reason":"not in this version""#));
        assert!(lines[7].contains(r#""kind":"total","codec":"cobolp-legacy","status":"failed""#));
    }
}
