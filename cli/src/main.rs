//! `cobolp`: the command-line face of the COBOL Protocol engine.

mod bench;
mod cli;

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
        // A reader that stopped early (`cobolp info big.cpz | head`) is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cobolp: {e:#}");
            ExitCode::FAILURE
        }
    }
}
