//! Adapters between the COBOL Protocol engine and the world outside it: files now;
//! codecs, async and std stream adapters, TCP and follow mode as they are built.
#![forbid(unsafe_code)]

mod atomic_file;

pub use atomic_file::AtomicFile;
