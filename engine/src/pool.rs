//! The worker threads every run of the engine shares: one rayon pool per thread count,
//! started on first use and kept for the life of the process, so that a service that
//! compresses many streams (or builds many adapters) does not start threads per call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{EngineError, Result};

/// The shared pool of `threads` workers.
pub fn shared_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(pool) = pools.get(&threads) {
        return Ok(pool.clone());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("cobolp-worker-{i}/{threads}"))
        .build()
        .map_err(|e| EngineError::Config(format!("cannot start worker threads: {e}")))?;
    let pool = Arc::new(pool);
    pools.insert(threads, pool.clone());
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pool_per_thread_count() {
        let a = shared_pool(3).unwrap();
        let b = shared_pool(3).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.current_num_threads(), 3);
        assert!(!Arc::ptr_eq(&a, &shared_pool(2).unwrap()));
    }
}
