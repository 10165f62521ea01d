//! The examples, run as tests: each example's work is a function in its file, included
//! here, so the suite runs them without `cargo run` and without building them apart.

#[allow(dead_code)]
#[path = "../examples/file_to_network.rs"]
mod file_to_network;

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
