//! `cobolp bench`: every cobolp mode against zstd, lz4 and gzip, on the same files in
//! the same run. Each (file, codec) is measured in a child process (`__bench-one`) so
//! its peak memory is its own; the parent collects the result lines, prints one table
//! per file and one of totals, and optionally writes JSON lines and an SVG chart.

mod codecs;
mod json;
mod measure;
mod plot;
mod report;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::cli::records::{RecordArgs, RecordSetup};

use codecs::{codec_list, CodecSpec, BASELINE, DEFAULT_MODES, DEFAULT_REFERENCES};
use measure::{Measurement, RunPolicy, Status};
use report::{Figure, FileResult};

/// Stop repeating a figure once this much time went into it.
const BUDGET: Duration = Duration::from_secs(2);

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Files or folders to measure (folders: every regular file inside, recursively).
    /// Default: the sample data shipped with cobolp ($COBOLP_SAMPLES, else samples/).
    pub paths: Vec<PathBuf>,
    /// Also write an SVG chart: ratio against compression speed, one point per codec.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// cobolp modes to measure, comma-separated (`none` for none).
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_MODES)]
    pub modes: Vec<String>,
    /// Reference codecs, comma-separated: zstd-N (1-22), lz4, gzip-N (1-9), or `none`.
    /// zstd-3 is always measured: every figure is also given as a ratio to it.
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_REFERENCES)]
    pub codecs: Vec<String>,
    /// Every level: cobolp's 1-9 in each mode of --modes, zstd 1-19, gzip 1-9, lz4 and
    /// zstd-3+sha256 (in place of --codecs), so that --plot draws each as a curve.
    #[arg(long)]
    pub curves: bool,
    /// Timed runs per figure, the best kept (fewer once 2 s went into one figure; more,
    /// up to 0.1 s, for very fast ones).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,
    /// Also write every measurement as JSON lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Give up on one measurement (one codec on one file) after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
    #[command(flatten)]
    pub records: RecordArgs,
}

#[derive(Debug, clap::Args)]
pub struct BenchOneArgs {
    /// The file to measure.
    pub file: PathBuf,
    /// The codec: cobolp-MODE, zstd-N, lz4, gzip-N.
    #[arg(long)]
    pub codec: String,
    #[arg(long, default_value_t = 3)]
    pub repeat: u32,
    /// Stop repeating a figure once this many milliseconds went into it.
    #[arg(long, default_value_t = 2000)]
    pub budget_ms: u64,
    #[command(flatten)]
    pub records: RecordArgs,
}

/// The child: one measurement, one result line on stdout.
pub fn run_one(args: &BenchOneArgs) -> anyhow::Result<()> {
    let spec = CodecSpec::parse(&args.codec)?;
    let policy = RunPolicy { repeat: args.repeat.max(1), budget: Duration::from_millis(args.budget_ms) };
    let records = RecordSetup::new(&args.records, true)?;
    let m = measure::measure_file(&args.file, spec, &records, policy)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", m.to_line())?;
    stdout.flush()?;
    Ok(())
}

/// A file to measure, with the name its table shows.
#[derive(Debug, Clone, PartialEq)]
struct Input {
    name: String,
    path: PathBuf,
    size: u64,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let specs = if args.curves { codecs::curves(&args.modes)? } else { codec_list(&args.modes, &args.codecs)? };
    // Checked here, once, rather than by every measuring process.
    let records = RecordSetup::new(&args.records, true)?;
    let codecs: Vec<String> = specs.iter().map(CodecSpec::name).collect();
    let baseline = BASELINE.name();
    let inputs = inputs(&args.paths)?;
    if inputs.is_empty() {
        bail!("no non-empty files to measure in {}", describe(&args.paths));
    }
    // Unavailable codecs (modes not in this version) are known without a child process.
    let available: Vec<Result<(), String>> = specs.iter().map(|s| s.build(&records).map(|_| ())).collect();
    let exe = std::env::current_exe().context("finding the cobolp executable to measure with")?;

    let machine = machine();
    println!(
        "cobolp {} bench: {} file(s), {} bytes",
        env!("CARGO_PKG_VERSION"),
        inputs.len(),
        report::fmt_bytes(inputs.iter().map(|i| i.size).sum())
    );
    println!("machine: {machine}");
    if cfg!(debug_assertions) {
        println!("WARNING: this is a debug build: speeds mean nothing; build with --release");
    }
    println!();

    let started = Instant::now();
    let total_runs = inputs.len() * specs.iter().zip(&available).filter(|(_, a)| a.is_ok()).count();
    let mut done = 0;
    let mut files = Vec::new();
    for input in &inputs {
        let mut results = Vec::new();
        for (spec, avail) in specs.iter().zip(&available) {
            let m = match avail {
                Err(reason) => Measurement::new(&spec.name(), input.size, Status::Unavailable(reason.clone())),
                Ok(()) => {
                    done += 1;
                    eprint!("[{done}/{total_runs}] {} {} ... ", input.name, spec.name());
                    let _ = std::io::stderr().flush();
                    let begun = Instant::now();
                    let m = measure_in_child(&exe, input, *spec, args);
                    eprintln!("{} ({:.1} s)", progress_summary(&m), begun.elapsed().as_secs_f64());
                    m
                }
            };
            results.push(m);
        }
        let file = FileResult { name: input.name.clone(), path: input.path.clone(), size: input.size, results };
        println!("{}", report::file_table(&file, &baseline));
        let _ = std::io::stdout().flush();
        files.push(file);
    }

    println!("{}", report::totals_table(&files, &codecs, &baseline));
    println!("ratio× comp× dec×: the figure divided by zstd-3's on the same files, on this machine in this run:");
    println!("  these relative figures are the ones to compare across runs and machines; absolute MB/s are not.");
    println!("dec×sha: decompression speed divided by zstd-3+sha256's (zstd's decoding and a SHA-256 of its output,");
    println!("  the check every cobolp frame gets), when that codec is in the run; that codec's own comp× is");
    println!("  zstd -3 with a SHA-256 of its input: the hashing every cobolp block gets on top of its compression.");
    println!(
        "speeds: MB/s = 10^6 bytes of original data per second, one thread, best of --repeat {} runs.",
        args.repeat
    );
    println!("peak MiB: the measuring process's peak resident memory (VmHWM), which holds the input, its compressed");
    println!("  copy and one decompressed copy besides the codec's own memory.");
    for line in codecs::legend() {
        println!("{line}");
    }
    println!("bench took {:.1} s", started.elapsed().as_secs_f64());

    if let Some(path) = &args.json {
        let context = [
            ("version", Value::from(env!("CARGO_PKG_VERSION"))),
            ("machine", Value::from(machine.as_str())),
            ("cores", Value::from(std::thread::available_parallelism().map_or(0, |n| n.get()))),
            ("cpu", Value::from(cpu_model())),
            ("release_build", Value::from(!cfg!(debug_assertions))),
            ("repeat", Value::from(args.repeat)),
            ("unix_time", Value::from(unix_time())),
        ];
        plot::write_atomic(path, json::lines(&context, &files, &codecs, &baseline).as_bytes())?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &args.plot {
        write_plot(path, &files, &specs, &machine)?;
        println!("wrote {}", path.display());
    }

    let failures: Vec<String> = files
        .iter()
        .flat_map(|f| f.results.iter().map(move |m| (f, m)))
        .filter_map(|(f, m)| match &m.status {
            Status::Failed(reason) => Some(format!("{} {}: {}", f.name, m.codec, reason)),
            _ => None,
        })
        .collect();
    if !failures.is_empty() {
        eprintln!();
        eprintln!("!!!!! {} MEASUREMENT(S) FAILED (compression, decompression or round-trip check):", failures.len());
        for f in &failures {
            eprintln!("!!!!!   {f}");
        }
        bail!("{} measurement(s) failed: see the list above", failures.len());
    }
    Ok(())
}

/// One line of progress: the figures, or what went wrong, loudly.
fn progress_summary(m: &Measurement) -> String {
    match &m.status {
        Status::Ok => format!(
            "ratio {} comp {} MB/s dec {} MB/s peak {} MiB ok",
            report::fmt_ratio(m.ratio()),
            report::fmt_speed(m.compress_mb_s()),
            report::fmt_speed(m.decompress_mb_s()),
            m.peak_kib.map_or_else(|| "?".into(), |k| format!("{:.1}", k as f64 / 1024.0))
        ),
        Status::Unavailable(reason) => format!("n/a: {reason}"),
        Status::Failed(reason) => format!("FAILED: {reason}"),
    }
}

/// Runs `__bench-one` for one (file, codec) and reads its result line. A crash, a
/// timeout or garbage becomes a failed measurement, never an error of the whole run.
fn measure_in_child(exe: &Path, input: &Input, spec: CodecSpec, args: &BenchArgs) -> Measurement {
    let failed = |reason: String| Measurement::new(&spec.name(), input.size, Status::Failed(reason));
    let child = Command::new(exe)
        .arg("__bench-one")
        .arg(&input.path)
        .arg("--codec")
        .arg(spec.name())
        .arg("--repeat")
        .arg(args.repeat.to_string())
        .arg("--budget-ms")
        .arg(BUDGET.as_millis().to_string())
        .args(record_flags(&args.records))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return failed(format!("starting {}: {e}", exe.display())),
    };
    let pipe = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let out = pipe(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let err = pipe(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {} s (--timeout)", args.timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => break Err(format!("waiting for the measuring process: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let status = match status {
        Ok(s) => s,
        Err(reason) => return failed(reason),
    };
    if let Some(mut m) = stdout.lines().find_map(Measurement::parse_line) {
        if m.original != input.size {
            return failed(format!("the file changed during the run ({} bytes, then {})", input.size, m.original));
        }
        m.codec = spec.name();
        return m;
    }
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
    failed(format!("the measuring process ended with {status} and no result: {last}"))
}

/// `records` as the flags that give them.
fn record_flags(records: &RecordArgs) -> Vec<std::ffi::OsString> {
    let mut flags: Vec<std::ffi::OsString> = Vec::new();
    if let Some(path) = &records.copybook {
        flags.extend(["--copybook".into(), path.into()]);
    }
    if let Some(len) = records.record_length {
        flags.extend(["--record-length".into(), len.to_string().into()]);
    }
    if records.no_record_detection {
        flags.push("--no-record-detection".into());
    }
    if let Some(encoding) = &records.encoding {
        flags.extend(["--encoding".into(), encoding.into()]);
    }
    flags
}

/// The files to measure: each PATH, folders walked recursively in sorted order; the
/// bundled samples when there is no PATH.
fn inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let (roots, samples) = match paths.is_empty() {
        true => (vec![samples_dir()?], true),
        false => (paths.to_vec(), false),
    };
    let mut inputs: Vec<Input> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for root in &roots {
        let meta = std::fs::metadata(root).with_context(|| format!("reading {}", root.display()))?;
        let mut found = Vec::new();
        if meta.is_dir() {
            walk(root, &mut found).with_context(|| format!("listing {}", root.display()))?;
            found.sort();
        } else {
            found.push(root.clone());
        }
        for path in found {
            // The samples folder's notes (NOTICE.md) describe the data; they are not data.
            if samples && path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let size = std::fs::metadata(&path).with_context(|| format!("reading {}", path.display()))?.len();
            if size == 0 || !seen.insert(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone())) {
                continue;
            }
            let name = display_name(root, &path, meta.is_dir() && roots.len() > 1);
            inputs.push(Input { name, path, size });
        }
    }
    Ok(inputs)
}

fn display_name(root: &Path, path: &Path, with_root: bool) -> String {
    let relative = path.strip_prefix(root).ok().filter(|r| !r.as_os_str().is_empty());
    match (relative, with_root) {
        (Some(rel), false) => rel.display().to_string(),
        (Some(rel), true) => {
            let root_name =
                root.file_name().map_or_else(|| root.display().to_string(), |n| n.to_string_lossy().into_owned());
            format!("{root_name}/{}", rel.display())
        }
        (None, _) => path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
    }
}

/// Every regular file under `dir` (symbolic links to files included, links to folders not
/// followed, so no loops).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() || (kind.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_file())) {
            out.push(path);
        }
    }
    Ok(())
}

/// `$COBOLP_SAMPLES`, else the `samples/` folder of the source tree cobolp was built from.
fn samples_dir() -> anyhow::Result<PathBuf> {
    let (dir, from) = match std::env::var_os("COBOLP_SAMPLES") {
        Some(d) if !d.is_empty() => (PathBuf::from(d), "$COBOLP_SAMPLES"),
        _ => (Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples"), "the source tree cobolp was built from"),
    };
    if !dir.is_dir() {
        bail!(
            "no sample data at {} (from {from}): give files or folders to measure, or set COBOLP_SAMPLES to a folder",
            dir.display()
        );
    }
    Ok(dir)
}

fn describe(paths: &[PathBuf]) -> String {
    match paths.is_empty() {
        true => "the sample folder".into(),
        false => paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
    }
}

/// The CPU model from /proc/cpuinfo, or "unknown CPU".
fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| matches!(k.trim(), "model name" | "Model" | "Hardware" | "cpu model" | "cpu"))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown CPU".into())
}

/// The machine context line: cores, CPU, OS.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or_else(|_| "? cores".into(), |n| format!("{n} cores"));
    let memory = if Path::new("/proc/self/status").exists() { "" } else { "; no /proc: peak memory unknown" };
    format!(
        "{cores}, {}, {} {}{memory}; speeds are single-threaded",
        cpu_model(),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

fn unix_time() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn write_plot(path: &Path, files: &[FileResult], specs: &[CodecSpec], machine: &str) -> anyhow::Result<()> {
    let mut points = Vec::new();
    let mut missing = Vec::new();
    for spec in specs {
        let name = spec.name();
        let t = report::total(files, &name);
        match (report::aggregate(files, &name, Figure::Compress), report::aggregate(files, &name, Figure::Ratio)) {
            (Some(x), Some(y)) if t.unavailable.is_none() => {
                let mark = if t.failures > 0 { " (FAILED)" } else { "" };
                let series = spec.series();
                points.push(plot::Point { label: format!("{name}{mark}"), series, family: spec.family(), x, y });
            }
            _ => missing.push(match &t.unavailable {
                Some(_) => format!("{name} (n/a)"),
                None => format!("{name} (failed)"),
            }),
        }
    }
    let size: u64 = files.iter().map(|f| f.size).sum();
    let title = format!("cobolp {}: ratio vs compression speed", env!("CARGO_PKG_VERSION"));
    let subtitle = format!("{} file(s), {} bytes in all; {machine}", files.len(), report::fmt_bytes(size));
    let mut notes = vec![
        "ratio = total original / total compressed; speed = total bytes / total best time, one thread. Up and right is better.".to_string(),
        "Each line joins one codec's settings (levels; cobolp's per mode). Compare positions against zstd across runs, not absolute MB/s.".to_string(),
    ];
    if !missing.is_empty() {
        notes.push(format!("Not shown: {}", missing.join(", ")));
    }
    let svg = plot::render(&plot::Chart { title: &title, subtitle: &subtitle, notes: &notes, points: &points })?;
    plot::write_atomic(path, svg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_relative_to_the_folder() {
        assert_eq!(display_name(Path::new("/d/logs"), Path::new("/d/logs/a/b.log"), false), "a/b.log");
        assert_eq!(display_name(Path::new("/d/logs"), Path::new("/d/logs/b.log"), true), "logs/b.log");
        assert_eq!(display_name(Path::new("/d/x.log"), Path::new("/d/x.log"), false), "x.log");
    }

    #[test]
    fn walks_folders_sorted_skipping_empty_files() {
        let dir = std::env::temp_dir().join(format!("cobolp-bench-walk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.txt"), b"bb").unwrap();
        std::fs::write(dir.join("a.txt"), b"a").unwrap();
        std::fs::write(dir.join("empty"), b"").unwrap();
        std::fs::write(dir.join("sub/c.txt"), b"ccc").unwrap();
        let found = inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<&str> = found.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "b.txt", "sub/c.txt"]);
        assert_eq!(found[2].size, 3);
        // The same file twice is measured once.
        let twice = inputs(&[dir.join("a.txt"), dir.clone()]).unwrap();
        assert_eq!(twice.len(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(inputs(&[dir]).is_err());
    }

    #[test]
    fn samples_ship_with_the_source() {
        if std::env::var_os("COBOLP_SAMPLES").is_none() {
            let found = inputs(&[]).unwrap();
            assert!(!found.is_empty());
            assert!(found.iter().all(|i| !i.name.ends_with(".md")));
        }
    }
}
