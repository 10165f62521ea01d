//! `--json`: every measurement as one JSON object per line (serde_json), keys in the
//! order written.
//!
//! Line kinds: one `context` (machine, version, settings), one `measurement` per file
//! and codec, one `total` per codec.

use serde_json::{Map, Value};

use super::measure::{Measurement, Status};
use super::report::{relative, total, Figure, FileResult};

/// One JSON object being built, its `kind` first.
struct Object(Map<String, Value>);

impl Object {
    fn new(kind: &str) -> Object {
        let mut o = Object(Map::new());
        o.str("kind", kind);
        o
    }

    fn put(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
    }

    fn str(&mut self, key: &str, value: &str) {
        self.put(key, Value::from(value));
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        self.put(key, value.map_or(Value::Null, Value::from));
    }

    fn int(&mut self, key: &str, value: Option<u64>) {
        self.put(key, value.map_or(Value::Null, Value::from));
    }

    /// A number; `null` for none, NaN or infinity (JSON has neither).
    fn num(&mut self, key: &str, value: Option<f64>) {
        self.put(key, value.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number));
    }

    fn finish_into(self, out: &mut String) {
        out.push_str(&Value::Object(self.0).to_string());
        out.push('\n');
    }
}

fn status(m: &Measurement) -> (&'static str, Option<&str>) {
    match &m.status {
        Status::Ok => ("ok", None),
        Status::Unavailable(r) => ("n/a", Some(r.as_str())),
        Status::Failed(r) => ("failed", Some(r.as_str())),
    }
}

/// Everything the run measured, one JSON object per line, after the `context` pairs.
pub fn lines(context: &[(&str, Value)], files: &[FileResult], codecs: &[String], baseline: &str) -> String {
    let mut out = String::new();
    let mut o = Object::new("context");
    for (key, value) in context {
        o.put(key, value.clone());
    }
    o.str("baseline", baseline);
    o.finish_into(&mut out);
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
            o.finish_into(&mut out);
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
        o.finish_into(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::report::tests::two_files;
    use super::*;

    #[test]
    fn one_object_per_line() {
        let files = two_files();
        let codecs = ["cobolp-legacy".to_string(), "cobolp-bridge".into(), "zstd-3".into()];
        let text = lines(&[("cores", Value::from(2)), ("cpu", Value::from("x \"y\""))], &files, &codecs, "zstd-3");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 6 + 3);
        for line in &lines {
            assert!(line.starts_with("{\"kind\":") && line.ends_with('}'), "{line}");
            assert_eq!(line.matches('{').count(), 1, "{line}");
            assert!(!line.contains("NaN") && !line.contains("inf"), "{line}");
            serde_json::from_str::<Value>(line).expect("each line is JSON");
        }
        assert!(lines[0].contains(r#""cpu":"x \"y\"""#));
        assert!(lines[1].contains(r#""codec":"cobolp-legacy","status":"ok","reason":null,"original_bytes":1000000"#));
        assert!(lines[1].contains(r#""ratio_vs_zstd3":2.0"#));
        assert!(lines[2].contains(r#""status":"n/a","reason":"not in this version""#));
        assert!(lines[7].contains(r#""kind":"total","codec":"cobolp-legacy","status":"failed""#));
    }
}
