//! The example that runs the `cobolp` command (`--follow` across a rotation and a
//! SIGINT), run as a test of the command's package, which builds the binary.

#[allow(dead_code)]
#[path = "../../examples/log_ingestion.rs"]
mod log_ingestion;

use std::path::Path;

#[test]
fn log_ingestion_keeps_every_line_across_a_rotation_and_sigint() {
    let dir = std::env::temp_dir().join(format!("cobolp-example-ingestion-{}", std::process::id()));
    let result = log_ingestion::run(Path::new(env!("CARGO_BIN_EXE_cobolp")), &dir, 5_000);
    let _ = std::fs::remove_dir_all(&dir);
    let r = result.expect("every line arrives exactly once, in order");
    assert!(r.clean_exit, "{r:?}");
    assert!(r.frames >= 1 && r.follower_said.contains("1 rotations"), "{r:?}");
}
