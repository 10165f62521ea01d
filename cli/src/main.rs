//! `cobolp`: the command-line face of the COBOL Protocol engine.

mod bench;
mod cli;
mod report;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `-1` … `-9`, as zstd and gzip take them, are `--level N`.
    let args = cli::Args::parse_from(std::env::args_os().map(|a| match a.to_str() {
        Some(short) if short.len() == 2 && short.starts_with('-') && matches!(short.as_bytes()[1], b'1'..=b'9') => {
            format!("--level={}", &short[1..]).into()
        }
        _ => a,
    }));
    match cli::run(args) {
        Ok(code) => code,
        // One line, each cause once; the status says how it ended (a closed pipe: 141,
        // as a SIGPIPE death reports it; a signal: 128 + its number).
        Err(e) => {
            eprintln!("cobolp: {}", report::one_line(&e));
            report::exit_code(&e)
        }
    }
}
