//! What the benches share: where their arguments point.

use std::path::{Path, PathBuf};

/// A path given on the command line. Cargo runs a bench in its package's folder
/// (`cli/`), not where `cargo bench` was typed; the README's commands are typed at the
/// workspace root, so a relative path that is not found here is taken from there.
pub fn argument_path(given: &str) -> PathBuf {
    let path = PathBuf::from(given);
    if path.is_relative() && !path.exists() {
        let from_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(&path);
        if from_root.exists() {
            return from_root;
        }
    }
    path
}
