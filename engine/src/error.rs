//! Errors of the engine: a stage error tied to the frame it happened in, or I/O.

use std::io;

use cobolp_stages::Error as StageError;

/// What went wrong in the engine: every error names its cause, and a frame error the
/// frame. Converts into `std::io::Error` (`InvalidData` for damage, `UnexpectedEof`
/// for a stream cut short, `InvalidInput` for settings).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A frame could not be encoded or decoded.
    #[error("frame {index} (at byte {offset}): {source}")]
    Frame {
        /// Position of the frame in the stream, counting data frames from 0.
        index: u64,
        /// Byte offset of the frame in the compressed stream (compressing: in the input).
        offset: u64,
        /// What was wrong with it.
        #[source]
        source: StageError,
    },
    /// The input is not a stream of this format at all: no frame starts it.
    #[error("not a .cpz stream: it starts with {}", cobolp_stages::l8_seal::shown(start))]
    NotAStream {
        /// Its first bytes (up to 16).
        start: Vec<u8>,
    },
    /// Reading the input or writing the output failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done: "reading input", "writing output".
        context: &'static str,
        /// The error the reader or writer gave.
        #[source]
        source: io::Error,
    },
    /// The settings are invalid or ask for something this build cannot do.
    #[error("{0}")]
    Config(String),
    /// A worker panicked: a bug, reported rather than hidden.
    #[error("internal error in stage {stage}: {detail}")]
    Internal {
        /// The stage it happened in.
        stage: &'static str,
        /// What the panic said.
        detail: String,
    },
    /// A stage stopped because another stage failed first; never the root cause.
    #[error("pipeline stopped")]
    Stopped,
}

impl EngineError {
    pub(crate) fn io(context: &'static str, source: io::Error) -> Self {
        EngineError::Io { context, source }
    }
}

impl From<EngineError> for io::Error {
    fn from(e: EngineError) -> io::Error {
        match e {
            EngineError::Io { source, .. } => source,
            EngineError::Config(_) => io::Error::new(io::ErrorKind::InvalidInput, e),
            EngineError::Frame { source: StageError::Truncated { .. } | StageError::Unfinished { .. }, .. } => {
                io::Error::new(io::ErrorKind::UnexpectedEof, e)
            }
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

/// A result whose error is an [`EngineError`].
pub type Result<T> = std::result::Result<T, EngineError>;
