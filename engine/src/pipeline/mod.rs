//! The pipelined executor: every stage of the plan is a tokio task, the stages are
//! joined by bounded channels, and CPU work runs on a rayon pool.
//!
//! A full channel stops the stage before it, and so on up to the reader: memory stays
//! bounded by `PipelineConfig::blocks_in_memory` blocks whatever the stream's length.
//! The first error stops every stage and is returned; dropping the future aborts the
//! stage tasks.

mod config;
mod sink;
mod source;
mod stage;

use std::future::Future;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc::{self, Receiver, Sender};
use tokio::task::JoinSet;

use crate::config::EngineConfig;
use crate::error::{EngineError, Result};
use crate::metrics::{PipelineReport, StageMetrics};
use crate::plan::{compress_plan_for, decompress_plan, Job, Plan};
use crate::pool::shared_pool;
use crate::unfinished::Unfinished;
use cobolp_stages::l8_seal::StreamSummary;
use stage::{run_stage, StageContext};

/// Bytes read and written so far, for progress displays. Updated as the run goes.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes read so far.
    pub bytes_in: AtomicU64,
    /// Bytes written so far.
    pub bytes_out: AtomicU64,
}

pub use config::PipelineConfig;

/// Runs compression and decompression over async streams.
pub struct Pipeline {
    config: EngineConfig,
    pipeline: PipelineConfig,
    pool: Arc<rayon::ThreadPool>,
    progress: Arc<Progress>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("config", &self.config)
            .field("pipeline", &self.pipeline)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline with these settings, on the process's shared pool of
    /// `config.threads` workers.
    pub fn new(config: EngineConfig) -> Result<Pipeline> {
        Pipeline::with_pipeline_config(config, PipelineConfig::default())
    }

    /// As [`new`](Self::new), with the executor's own settings.
    pub fn with_pipeline_config(config: EngineConfig, pipeline: PipelineConfig) -> Result<Pipeline> {
        config.validate()?;
        pipeline.validate()?;
        let pool = shared_pool(config.threads)?;
        Ok(Pipeline { config, pipeline, pool, progress: Arc::new(Progress::default()) })
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Counters that a progress display may poll while a run is going.
    pub fn progress(&self) -> Arc<Progress> {
        self.progress.clone()
    }

    /// Compresses everything `reader` yields into frames written to `writer`.
    pub async fn compress<R, W>(&self, reader: R, writer: W) -> Result<PipelineReport>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let plan = Arc::new(compress_plan_for(&self.config)?);
        let block_size = self.config.block_size;
        let record_len = self.config.record_len();
        let progress = self.progress.clone();
        let sink_progress = self.progress.clone();
        self.run(
            plan,
            move |tx| async move { Ok((source::read_blocks(reader, block_size, record_len, tx, progress).await?, None)) },
            move |rx| sink::write_all(writer, rx, sink_progress),
        )
        .await
    }

    /// Decompresses every frame `reader` yields (concatenated streams included). A
    /// stream without its end frame is an error, after the data of its frames was
    /// written.
    pub async fn decompress<R, W>(&self, reader: R, writer: W) -> Result<PipelineReport>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        self.decompress_with(reader, writer, Unfinished::Reject).await
    }

    /// As [`decompress`](Self::decompress), choosing what a stream without its end
    /// frame is; with [`Unfinished::Accept`] the report's `streams` says so.
    pub async fn decompress_with<R, W>(&self, reader: R, writer: W, unfinished: Unfinished) -> Result<PipelineReport>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let plan = Arc::new(decompress_plan());
        let progress = self.progress.clone();
        let sink_progress = self.progress.clone();
        self.run(
            plan,
            move |tx| async move {
                let (read, summary) = source::read_frames(reader, tx, progress, unfinished).await?;
                Ok((read, Some(summary)))
            },
            move |rx| sink::write_all(writer, rx, sink_progress),
        )
        .await
    }

    async fn run<J, S, SF, K, KF>(&self, plan: Arc<Plan<J>>, source: S, sink: K) -> Result<PipelineReport>
    where
        J: Job,
        S: FnOnce(Sender<J>) -> SF,
        SF: Future<Output = Result<(u64, Option<StreamSummary>)>>,
        K: FnOnce(Receiver<J>) -> KF,
        KF: Future<Output = Result<(u64, u64)>>,
    {
        let started = Instant::now();
        let depth = self.pipeline.channel_depth;
        let (source_tx, mut next_rx) = mpsc::channel::<J>(depth);
        let mut tasks = JoinSet::new();
        let mut metrics = Vec::new();
        for (index, def) in plan.stages.iter().enumerate() {
            let (tx, rx) = mpsc::channel::<J>(depth);
            let stage_metrics = Arc::new(StageMetrics::new(def.name));
            metrics.push(stage_metrics.clone());
            let ctx = StageContext {
                plan: plan.clone(),
                index,
                pool: self.pool.clone(),
                in_flight: self.pipeline.in_flight_for(self.config.threads),
                metrics: stage_metrics,
            };
            tasks.spawn(run_stage(ctx, next_rx, tx));
            next_rx = rx;
        }
        let stages = async move {
            let mut first: Option<EngineError> = None;
            while let Some(joined) = tasks.join_next().await {
                let outcome =
                    joined.unwrap_or_else(|e| Err(EngineError::Internal { stage: "pipeline", detail: e.to_string() }));
                if let Err(e) = outcome {
                    if first.as_ref().is_none_or(|f| matches!(f, EngineError::Stopped)) {
                        first = Some(e);
                    }
                }
            }
            first.map_or(Ok(()), Err)
        };
        let (read, staged, written) = tokio::join!(source(source_tx), stages, sink(next_rx));
        if read.is_err() || staged.is_err() || written.is_err() {
            return Err(root_cause(read.err(), staged.err(), written.err()));
        }
        let (bytes_read, streams) = read.expect("checked above");
        let (bytes_written, frames) = written.expect("checked above");
        Ok(PipelineReport {
            stages: metrics.iter().map(|m| m.report()).collect(),
            wall: started.elapsed(),
            bytes_in: bytes_read,
            bytes_out: bytes_written,
            frames,
            memory_bound: (self.pipeline.blocks_in_memory(plan.stages.len(), self.config.threads)
                * self.config.block_size) as u64,
            streams,
        })
    }
}

/// The error that caused the others: a failing stage makes its neighbours report
/// `Stopped`, which must not hide the real cause.
fn root_cause(a: Option<EngineError>, b: Option<EngineError>, c: Option<EngineError>) -> EngineError {
    let all: Vec<EngineError> = [a, b, c].into_iter().flatten().collect();
    let mut fallback = None;
    for e in all {
        if !matches!(e, EngineError::Stopped) {
            return e;
        }
        fallback = Some(e);
    }
    fallback.unwrap_or(EngineError::Stopped)
}
