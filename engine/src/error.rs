//! Errors of the engine: a stage error tied to the frame it happened in, or I/O.

use std::io;

use cobolp_stages::Error as StageError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A frame could not be encoded or decoded.
    #[error("frame {index} (at byte {offset}): {source}")]
    Frame {
        /// Position of the frame in the stream, counting data frames from 0.
        index: u64,
        /// Byte offset of the frame in the compressed stream (compressing: in the input).
        offset: u64,
        #[source]
        source: StageError,
    },
    /// Reading the input or writing the output failed.
    #[error("{context}: {source}")]
    Io {
        context: &'static str,
        #[source]
        source: io::Error,
    },
    /// The settings are invalid or ask for something this build cannot do.
    #[error("{0}")]
    Config(String),
    /// A worker panicked: a bug, reported rather than hidden.
    #[error("internal error in stage {stage}: {detail}")]
    Internal { stage: &'static str, detail: String },
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

pub type Result<T> = std::result::Result<T, EngineError>;
