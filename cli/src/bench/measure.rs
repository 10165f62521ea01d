//! The child side of `bench`: one codec on one file, timed, checked, with the process's
//! own peak memory, written as one line on stdout for the parent to read.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use sha2::{Digest, Sha256};

use super::codecs::CodecSpec;
use crate::cli::records::RecordSetup;

/// First field of the result line; the version guards against a stale binary.
pub const LINE_TAG: &str = "cobolp-bench-v1";

/// Keep timing runs until this much time was spent on one figure, if runs are fast.
const MIN_SPAN: Duration = Duration::from_millis(100);
/// Never more timing runs than this for one figure.
const MAX_RUNS: u32 = 1000;

/// How one measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Ok,
    /// The codec cannot run in this build (a mode not written yet): the reason.
    Unavailable(String),
    /// Compression, decompression or the round-trip check failed: what happened.
    Failed(String),
}

/// One codec on one file. Times are the best run; sizes in bytes; memory in KiB.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub codec: String,
    pub status: Status,
    pub original: u64,
    pub compressed: Option<u64>,
    pub compress_s: Option<f64>,
    pub decompress_s: Option<f64>,
    pub compress_runs: u32,
    pub decompress_runs: u32,
    /// Peak resident memory of the whole measuring process (`VmHWM`).
    pub peak_kib: Option<u64>,
    /// Resident memory once the input was read, before any codec work.
    pub base_kib: Option<u64>,
}

impl Measurement {
    pub fn new(codec: &str, original: u64, status: Status) -> Measurement {
        Measurement {
            codec: codec.to_string(),
            status,
            original,
            compressed: None,
            compress_s: None,
            decompress_s: None,
            compress_runs: 0,
            decompress_runs: 0,
            peak_kib: None,
            base_kib: None,
        }
    }

    pub fn ratio(&self) -> Option<f64> {
        self.compressed.filter(|&c| c > 0).map(|c| self.original as f64 / c as f64)
    }

    pub fn compress_mb_s(&self) -> Option<f64> {
        self.compress_s.map(|s| mb_per_s(self.original, s))
    }

    pub fn decompress_mb_s(&self) -> Option<f64> {
        self.decompress_s.map(|s| mb_per_s(self.original, s))
    }

    pub fn failed(&self) -> bool {
        matches!(self.status, Status::Failed(_))
    }

    /// The result line: the tag, then tab-separated `key=value` fields.
    pub fn to_line(&self) -> String {
        let (status, reason) = match &self.status {
            Status::Ok => ("ok", ""),
            Status::Unavailable(r) => ("na", r.as_str()),
            Status::Failed(r) => ("failed", r.as_str()),
        };
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        let fields = [
            ("codec", clean(&self.codec)),
            ("status", status.to_string()),
            ("reason", clean(reason)),
            ("original", self.original.to_string()),
            ("compressed", opt(self.compressed.map(|v| v.to_string()))),
            ("compress_s", opt(self.compress_s.map(|v| format!("{v:e}")))),
            ("decompress_s", opt(self.decompress_s.map(|v| format!("{v:e}")))),
            ("compress_runs", self.compress_runs.to_string()),
            ("decompress_runs", self.decompress_runs.to_string()),
            ("peak_kib", opt(self.peak_kib.map(|v| v.to_string()))),
            ("base_kib", opt(self.base_kib.map(|v| v.to_string()))),
        ];
        let mut line = LINE_TAG.to_string();
        for (key, value) in fields {
            line.push('\t');
            line.push_str(key);
            line.push('=');
            line.push_str(&value);
        }
        line
    }

    /// Reads a result line back; `None` when `line` is not one.
    pub fn parse_line(line: &str) -> Option<Measurement> {
        let mut fields = line.trim_end_matches(['\r', '\n']).split('\t');
        if fields.next()? != LINE_TAG {
            return None;
        }
        let map: Vec<(&str, &str)> = fields.filter_map(|f| f.split_once('=')).collect();
        let get = |key: &str| map.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let num = |key: &str| get(key).and_then(|v| v.parse::<u64>().ok());
        let float = |key: &str| get(key).and_then(|v| v.parse::<f64>().ok());
        let reason = get("reason").unwrap_or("").to_string();
        let status = match get("status")? {
            "ok" => Status::Ok,
            "na" => Status::Unavailable(reason),
            "failed" => Status::Failed(reason),
            _ => return None,
        };
        Some(Measurement {
            codec: get("codec")?.to_string(),
            status,
            original: num("original")?,
            compressed: num("compressed"),
            compress_s: float("compress_s"),
            decompress_s: float("decompress_s"),
            compress_runs: num("compress_runs").unwrap_or(0) as u32,
            decompress_runs: num("decompress_runs").unwrap_or(0) as u32,
            peak_kib: num("peak_kib"),
            base_kib: num("base_kib"),
        })
    }
}

/// Millions of bytes per second.
pub fn mb_per_s(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 / seconds / 1e6
    } else {
        f64::INFINITY
    }
}

/// A value fit for one tab-separated field on one line.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// How many timing runs and how long, for each of the two figures.
#[derive(Debug, Clone, Copy)]
pub struct RunPolicy {
    /// Runs wanted (best of them is kept).
    pub repeat: u32,
    /// Stop repeating once this much was spent on one figure (one run is always made).
    pub budget: Duration,
}

/// Measures `spec` on the file at `path`: the whole child process's work.
pub fn measure_file(
    path: &Path,
    spec: CodecSpec,
    records: &RecordSetup,
    policy: RunPolicy,
) -> anyhow::Result<Measurement> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = spec.name();
    let mut m = Measurement::new(&name, data.len() as u64, Status::Ok);
    m.base_kib = proc_status_kib("VmRSS");
    let codec = match spec.build(records) {
        Ok(codec) => codec,
        Err(reason) => {
            m.status = Status::Unavailable(reason);
            return Ok(m);
        }
    };
    measure(&mut m, &data, |d| codec.compress(d), |p| codec.decompress(p), policy);
    m.peak_kib = proc_status_kib("VmHWM");
    Ok(m)
}

/// Times `compress` and `decompress` on `data`, checks the round trip, and fills `m`.
pub fn measure<C, D>(m: &mut Measurement, data: &[u8], compress: C, decompress: D, policy: RunPolicy)
where
    C: Fn(&[u8]) -> anyhow::Result<Vec<u8>>,
    D: Fn(&[u8]) -> anyhow::Result<Vec<u8>>,
{
    let packed = match timed(policy, || compress(data)) {
        Ok((packed, best, runs)) => {
            m.compressed = Some(packed.len() as u64);
            m.compress_s = Some(best);
            m.compress_runs = runs;
            packed
        }
        Err(e) => {
            m.status = Status::Failed(format!("compress: {e:#}"));
            return;
        }
    };
    let want = Sha256::digest(data);
    // The first decoding is checked untimed, so a broken decoder fails fast and clearly.
    match guarded(|| decompress(&packed)) {
        Ok(back) if Sha256::digest(&back) == want => {}
        Ok(back) => {
            m.status = Status::Failed(format!(
                "round trip MISMATCH: SHA-256 of the {} decompressed bytes differs from the {} original bytes'",
                back.len(),
                data.len()
            ));
            return;
        }
        Err(e) => {
            m.status = Status::Failed(format!("decompress: {e:#}"));
            return;
        }
    }
    match timed(policy, || decompress(&packed)) {
        Ok((back, best, runs)) if back.len() == data.len() && Sha256::digest(&back) == want => {
            m.decompress_s = Some(best);
            m.decompress_runs = runs;
        }
        Ok(_) => m.status = Status::Failed("round trip MISMATCH on a timed run".into()),
        Err(e) => m.status = Status::Failed(format!("decompress: {e:#}")),
    }
}

/// Runs `f` per the policy; returns the first run's output, the best time in seconds,
/// and the number of runs. Later outputs are dropped at once (memory stays one run's).
fn timed<T: AsRef<[u8]>>(policy: RunPolicy, f: impl Fn() -> anyhow::Result<T>) -> anyhow::Result<(T, f64, u32)> {
    let mut spent = Duration::ZERO;
    let mut best = Duration::MAX;
    let mut first: Option<T> = None;
    let mut runs = 0u32;
    loop {
        let start = Instant::now();
        let out = guarded(&f)?;
        let took = start.elapsed();
        let out = std::hint::black_box(out);
        spent += took;
        best = best.min(took);
        runs += 1;
        match &first {
            None => first = Some(out),
            Some(f) if f.as_ref().len() != out.as_ref().len() => anyhow::bail!("run {runs} gave a different size"),
            Some(_) => drop(out),
        }
        let more = runs < policy.repeat || (spent < MIN_SPAN && policy.repeat > 1);
        if !more || spent >= policy.budget || runs >= MAX_RUNS {
            break;
        }
    }
    Ok((first.expect("one run at least"), best.as_secs_f64(), runs))
}

/// Runs `f`, turning a panic into an error (a codec bug must not end the measurement).
fn guarded<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            anyhow::bail!("panicked: {what}")
        }
    }
}

/// A `kB` field of `/proc/self/status` (`VmHWM`, `VmRSS`); `None` without /proc.
pub fn proc_status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_status_kib(&status, key)
}

fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if k.trim() != key {
            return None;
        }
        v.trim().strip_suffix("kB").unwrap_or(v).trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RunPolicy = RunPolicy { repeat: 2, budget: Duration::from_millis(50) };

    #[test]
    fn line_round_trips() {
        let mut m = Measurement::new("zstd-3", 12345, Status::Ok);
        m.compressed = Some(999);
        m.compress_s = Some(0.001_234_5);
        m.decompress_s = Some(1.5e-5);
        m.compress_runs = 3;
        m.decompress_runs = 7;
        m.peak_kib = Some(4096);
        assert_eq!(Measurement::parse_line(&m.to_line()), Some(m.clone()));
        let mut bad = Measurement::new("cobolp-bridge", 5, Status::Failed("a\tb\nc=d".into()));
        bad.status = Status::Failed("a\tb\nc=d".into());
        let back = Measurement::parse_line(&bad.to_line()).unwrap();
        assert_eq!(back.status, Status::Failed("a b c=d".into()));
        let na = Measurement::new("cobolp-maximal", 5, Status::Unavailable("not yet".into()));
        assert_eq!(Measurement::parse_line(&na.to_line()), Some(na));
        assert_eq!(Measurement::parse_line("hello\tcodec=x"), None);
    }

    #[test]
    fn reads_proc_status_fields() {
        let text = "Name:\tcobolp\nVmHWM:\t   20480 kB\nVmRSS:\t    1024 kB\n";
        assert_eq!(parse_status_kib(text, "VmHWM"), Some(20480));
        assert_eq!(parse_status_kib(text, "VmRSS"), Some(1024));
        assert_eq!(parse_status_kib(text, "VmPeak"), None);
    }

    #[test]
    fn checks_the_round_trip() {
        let data = b"abcabcabc".repeat(100);
        let mut ok = Measurement::new("copy", data.len() as u64, Status::Ok);
        measure(&mut ok, &data, |d| Ok(d.to_vec()), |p| Ok(p.to_vec()), POLICY);
        assert_eq!(ok.status, Status::Ok);
        assert_eq!(ok.compressed, Some(900));
        assert!(ok.compress_runs >= 2 && ok.decompress_runs >= 1);

        let mut wrong = Measurement::new("flip", data.len() as u64, Status::Ok);
        measure(&mut wrong, &data, |d| Ok(d.to_vec()), |p| Ok(p.iter().map(|b| b ^ 1).collect()), POLICY);
        assert!(matches!(&wrong.status, Status::Failed(r) if r.contains("MISMATCH")), "{:?}", wrong.status);
        assert_eq!(wrong.compressed, Some(900));
        assert_eq!(wrong.decompress_s, None);

        let mut panics = Measurement::new("boom", data.len() as u64, Status::Ok);
        measure(
            &mut panics,
            &data,
            |d| Ok(d.to_vec()),
            |_| -> anyhow::Result<Vec<u8>> { panic!("decoder bug") },
            POLICY,
        );
        assert!(matches!(&panics.status, Status::Failed(r) if r.contains("decoder bug")), "{:?}", panics.status);

        let mut fails = Measurement::new("err", data.len() as u64, Status::Ok);
        measure(&mut fails, &data, |_| anyhow::bail!("no"), |p| Ok(p.to_vec()), POLICY);
        assert!(matches!(&fails.status, Status::Failed(r) if r.starts_with("compress")));
        assert_eq!(fails.compressed, None);
    }
}
