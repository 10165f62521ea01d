//! What the command says when it fails: one line, each cause once, and the exit
//! status that says how it ended.

use std::io;
use std::process::ExitCode;

/// How a run ended other than by finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// By this signal (SIGINT, SIGTERM, SIGHUP); the partial output was removed.
    Signal(i32),
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::Signal(n) => write!(f, "stopped by {}: the partial output was removed", signal_name(*n)),
        }
    }
}

impl std::error::Error for Stopped {}

/// SIGINT, SIGTERM, SIGHUP by name.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// The error's chain as one line: each cause once, even where an error's message
/// already holds its source's (as thiserror's `{source}` messages do).
pub fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// The exit status for an error: 128 + the signal for a run stopped by one; 141 (a
/// SIGPIPE death's) for output to a closed pipe; 1 otherwise.
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    if let Some(Stopped::Signal(n)) = error.downcast_ref::<Stopped>() {
        return ExitCode::from(128 + *n as u8);
    }
    let broken_pipe =
        error.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe));
    ExitCode::from(if broken_pipe { 141 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_once() {
        let io = io::Error::new(io::ErrorKind::StorageFull, "No space left on device (os error 28)");
        #[derive(Debug, thiserror::Error)]
        #[error("writing output: {0}")]
        struct Wrap(#[source] io::Error);
        let e = anyhow::Error::new(Wrap(io)).context("app.log");
        assert_eq!(one_line(&e), "app.log: writing output: No space left on device (os error 28)");
        assert_eq!(exit_code(&e), ExitCode::from(1));
        let pipe = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing output");
        assert_eq!(exit_code(&pipe), ExitCode::from(141));
        assert_eq!(exit_code(&anyhow::Error::new(Stopped::Signal(15))), ExitCode::from(143));
    }
}
