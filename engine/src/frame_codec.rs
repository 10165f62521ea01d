//! One frame at a time, in both directions: the shared core of the `Framed` codec and
//! the stream adapters, which decide where frames begin and end and leave the rest here.

use cobolp_stages::l8_seal::FrameHeader;

use crate::config::EngineConfig;
use crate::error::{EngineError, Result};
use crate::inline::InlineEngine;

/// Turns chunks into frames and frames back into chunks, counting frames and bytes
/// so that errors name the frame. Frames are independent unless session mode is on.
pub struct FrameCodec {
    inline: InlineEngine,
    session: bool,
    frames: u64,
    offset: u64,
}

impl FrameCodec {
    /// `session`: frames on one connection share state (see `docs/FORMAT.md`); off,
    /// every frame decodes on its own.
    pub fn new(config: &EngineConfig, session: bool) -> Result<FrameCodec> {
        if session {
            return Err(EngineError::Config("session mode is not available yet".into()));
        }
        Ok(FrameCodec { inline: InlineEngine::new(config)?, session, frames: 0, offset: 0 })
    }

    pub fn is_session(&self) -> bool {
        self.session
    }

    /// Frames encoded or decoded so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Appends one frame holding `data` (at most 64 MiB) to `out`.
    pub fn encode(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let job = self.inline.compress_frame(self.frames, self.offset, data)?;
        out.extend_from_slice(&job.frame);
        self.frames += 1;
        self.offset += data.len() as u64;
        Ok(())
    }

    /// Decodes one data frame (`header` parsed from its first bytes, `payload` the
    /// rest) and appends its data to `out`.
    pub fn decode(&mut self, header: &FrameHeader, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let data = self.inline.decompress_frame(self.frames, self.offset, *header, payload)?;
        out.extend_from_slice(&data);
        self.frames += 1;
        self.offset += header.frame_len() as u64;
        Ok(())
    }
}
