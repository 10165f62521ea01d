//! A progress bar on stderr for long runs, fed from the pipeline's byte counters.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use cobol_protocol::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// Polls the counters until dropped. Shown only when stderr is a terminal.
pub struct ProgressDisplay {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ProgressDisplay {
    pub fn start(progress: Arc<Progress>, total: Option<u64>, quiet: bool) -> ProgressDisplay {
        if quiet || !std::io::stderr().is_terminal() {
            return ProgressDisplay { done: Arc::new(AtomicBool::new(true)), thread: None };
        }
        let bar = match total {
            Some(t) => ProgressBar::new(t).with_style(
                ProgressStyle::with_template("{bytes:>10}/{total_bytes} {wide_bar} {bytes_per_sec:>12} eta {eta}")
                    .expect("valid template"),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {bytes:>10} {bytes_per_sec:>12}").expect("valid template"),
            ),
        };
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let thread = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                bar.set_position(progress.bytes_in.load(Ordering::Relaxed));
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        ProgressDisplay { done, thread: Some(thread) }
    }
}

impl Drop for ProgressDisplay {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
