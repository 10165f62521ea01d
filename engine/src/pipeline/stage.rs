//! One stage of the pipeline: a task that takes blocks from its input channel, works
//! on up to `in_flight` of them at once on the rayon pool, and passes them on in order.

use std::sync::Arc;
use std::time::Instant;

use futures::stream::{FuturesOrdered, StreamExt};
use tokio::sync::mpsc::{Receiver, Sender};

use crate::error::{EngineError, Result};
use crate::metrics::StageMetrics;
use crate::plan::{Job, Plan};

pub(crate) struct StageContext<J> {
    pub plan: Arc<Plan<J>>,
    pub index: usize,
    pub pool: Arc<rayon::ThreadPool>,
    pub in_flight: usize,
    pub metrics: Arc<StageMetrics>,
}

pub(crate) async fn run_stage<J: Job>(ctx: StageContext<J>, mut input: Receiver<J>, output: Sender<J>) -> Result<()> {
    let mut working = FuturesOrdered::new();
    let mut input_open = true;
    loop {
        let can_take = input_open && working.len() < ctx.in_flight;
        if !can_take && working.is_empty() {
            return Ok(());
        }
        let idle = working.is_empty();
        let waited = Instant::now();
        tokio::select! {
            biased;
            Some(done) = working.next(), if !working.is_empty() => {
                let job: J = done?;
                let sent = Instant::now();
                output.send(job).await.map_err(|_| EngineError::Stopped)?;
                ctx.metrics.record_blocked(sent.elapsed());
            }
            next = input.recv(), if can_take => {
                if idle {
                    ctx.metrics.record_starved(waited.elapsed());
                }
                match next {
                    Some(job) => working.push_back(offload(&ctx, job)),
                    None => input_open = false,
                }
            }
        }
    }
}

/// Runs the stage's steps on the rayon pool, entered from tokio's blocking pool so
/// that no runtime worker thread waits on CPU work.
async fn offload<J: Job>(ctx: &StageContext<J>, mut job: J) -> Result<J> {
    let plan = ctx.plan.clone();
    let pool = ctx.pool.clone();
    let metrics = ctx.metrics.clone();
    let index = ctx.index;
    let name = metrics.name;
    tokio::task::spawn_blocking(move || {
        pool.install(|| {
            let bytes = job.original_len();
            let started = Instant::now();
            plan.run_stage(index, &mut job)?;
            metrics.record_block(started.elapsed(), bytes);
            Ok(job)
        })
    })
    .await
    .map_err(|e| EngineError::Internal { stage: name, detail: e.to_string() })?
}
