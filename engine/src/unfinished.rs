//! What a decoder makes of an input that ends inside a stream, after whole frames.

use cobolp_stages::l8_seal::{StreamCheck, StreamSummary};
use cobolp_stages::Error as StageError;

/// What a decoder does when its input ends before the stream's end frame: a stream
/// cut short at a frame boundary, a file still being written (`cobolp compress
/// --follow`), or the output of an encoder that was never finished.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Unfinished {
    /// An error (`UnexpectedEof` as an `io::Error`), after the data of every complete
    /// frame was given out: the default, since the data may be short.
    #[default]
    Reject,
    /// Accepted: the decoder gives out every complete, verified frame and reports in
    /// its [`StreamSummary`] that the end is missing.
    Accept,
}

impl Unfinished {
    /// The summary of what `check` saw, or the error for a missing end when rejected.
    pub fn judge(self, check: &StreamCheck) -> Result<StreamSummary, StageError> {
        match self {
            Unfinished::Reject => check.finish(),
            Unfinished::Accept => Ok(check.summary()),
        }
    }
}
