//! What the command's tests share: running `cobolp` in a folder, folders of their own,
//! and the files a run left.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `cobolp` with `args` in `dir`, to its end.
pub fn cobolp(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cobolp")).args(args).current_dir(dir).output().expect("cobolp runs")
}

/// An empty folder for one test, `kind` and `name` in its name.
pub fn temp_dir(kind: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cobolp-{kind}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The files in `dir`, hidden ones (temporary outputs) included, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The frames of a whole `.cpz` stream, end frame included, in order.
pub fn split_frames(packed: &[u8]) -> Vec<&[u8]> {
    let mut frames = Vec::new();
    let mut pos = 0;
    while let Some((_, len)) = cobol_protocol::layers::l8_seal::next_frame(&packed[pos..]).unwrap() {
        frames.push(&packed[pos..pos + len]);
        pos += len;
    }
    frames
}

/// What the run said on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
