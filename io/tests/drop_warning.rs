//! An encoder dropped with its stream unfinished says so through `log`; a finished one
//! (or one that never held anything) says nothing.

use std::io::Write;
use std::sync::Mutex;

use cobolp_io::{sync, EngineConfig};

static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            WARNINGS.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

#[test]
fn dropping_an_unfinished_encoder_warns() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Warn);
    let config = EngineConfig::default().with_block_size(64 << 10).with_threads(1);

    let mut finished = sync::Encoder::with_config(Vec::new(), config.clone());
    finished.write_all(b"every line\n").unwrap();
    finished.finish().unwrap();
    drop(sync::Encoder::with_config(Vec::<u8>::new(), config.clone()));
    assert!(WARNINGS.lock().unwrap().is_empty(), "{:?}", WARNINGS.lock().unwrap());

    let mut unfinished = sync::Encoder::with_config(Vec::new(), config);
    unfinished.write_all(&b"a line that never goes out\n".repeat(100)).unwrap();
    drop(unfinished);
    let warnings = WARNINGS.lock().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("sync::Encoder dropped before finish/shutdown"), "{}", warnings[0]);
    assert!(warnings[0].contains("2700 bytes were never written"), "{}", warnings[0]);
}
