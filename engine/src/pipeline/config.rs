//! Settings of the pipelined executor alone: how much it holds between stages.

use crate::error::{EngineError, Result};

/// How many blocks the pipelined executor holds: in each channel between stages, and
/// in each stage at once. Its memory is bounded by
/// [`blocks_in_memory`](Self::blocks_in_memory) blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipelineConfig {
    /// Capacity of each channel between stages, in blocks (default 2).
    pub channel_depth: usize,
    /// Blocks one stage may work on at once (default: the engine's threads).
    pub in_flight: Option<usize>,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig { channel_depth: 2, in_flight: None }
    }
}

impl PipelineConfig {
    /// Sets the capacity of each channel between stages.
    pub fn with_channel_depth(mut self, depth: usize) -> Self {
        self.channel_depth = depth;
        self
    }

    /// Sets the blocks one stage may work on at once.
    pub fn with_in_flight(mut self, blocks: usize) -> Self {
        self.in_flight = Some(blocks);
        self
    }

    /// Blocks one stage works on at once with `threads` workers.
    pub fn in_flight_for(&self, threads: usize) -> usize {
        self.in_flight.unwrap_or(threads)
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<()> {
        if self.channel_depth == 0 || self.in_flight == Some(0) {
            return Err(EngineError::Config("channel depth and blocks in flight must be at least 1".into()));
        }
        Ok(())
    }

    /// Blocks that can exist at once in a pipeline of `stages` stages with `threads`
    /// workers: what each channel holds, what each stage works on, plus one being read
    /// and one written.
    pub fn blocks_in_memory(&self, stages: usize, threads: usize) -> usize {
        self.channel_depth * (stages + 1) + self.in_flight_for(threads) * stages + 2
    }
}
