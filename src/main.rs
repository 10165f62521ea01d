//! `cobolp`: the command-line face of the COBOL Protocol engine.

mod bench;
mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cobolp: {e:#}");
            ExitCode::FAILURE
        }
    }
}
