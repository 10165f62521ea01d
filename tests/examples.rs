//! The examples, run as tests: each example's work is a function in its file, included
//! here, so the suite runs them without `cargo run` and without building them apart.

#[allow(dead_code)]
#[path = "../examples/file_to_network.rs"]
mod file_to_network;

#[allow(dead_code)]
#[path = "../examples/log_ingestion.rs"]
mod log_ingestion;

use std::path::Path;

use cobol_protocol::EngineConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_to_network_delivers_the_sample_intact() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache_access.log");
    let config = EngineConfig::default().with_block_size(256 << 10);
    let t = file_to_network::transfer(&path, &config).await.expect("the transfer runs");
    file_to_network::print_summary(&path, &t);
    assert!(t.intact(), "{t:?}");
    assert_eq!(t.original, std::fs::metadata(&path).unwrap().len());
    assert!(t.on_the_wire * 5 < t.original, "logs compress on the wire: {t:?}");
}

#[test]
fn log_ingestion_keeps_every_line_across_a_rotation_and_sigint() {
    let dir = std::env::temp_dir().join(format!("cobolp-example-ingestion-{}", std::process::id()));
    let result = log_ingestion::run(Path::new(env!("CARGO_BIN_EXE_cobolp")), &dir, 5_000);
    let _ = std::fs::remove_dir_all(&dir);
    let r = result.expect("every line arrives exactly once, in order");
    assert!(r.clean_exit, "{r:?}");
    assert!(r.frames >= 1 && r.follower_said.contains("1 rotations"), "{r:?}");
}

#[allow(dead_code)]
#[path = "../examples/framed_service.rs"]
mod framed_service;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framed_service_counts_every_line_in_both_modes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache_access.log");
    let lines = framed_service::read_lines(&path).unwrap();
    assert!(lines.len() > 1000);
    let mut wire = Vec::new();
    for session in [true, false] {
        let r = framed_service::run(&lines, session).await.expect("the service runs");
        framed_service::print_summary(&path, session, &r);
        assert_eq!(r.served, r.sent, "session {session}");
        assert_eq!(r.served.lines, lines.len() as u64);
        assert!(r.reply.starts_with(&format!("{} {} ", r.sent.lines, r.sent.bytes)), "{}", r.reply);
        wire.push(r.on_the_wire);
    }
    assert!(wire[0] * 2 < wire[1], "session mode shares the window: {wire:?}");
}
