//! Runs one async call many times, one after the other or from many tasks at once, bounded by a
//! request count and a time limit, and measures the wall and CPU time it took.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::cpu::CpuTime;

/// What a run did and what it cost.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// Calls that completed.
    pub requests: u64,
    /// Wall-clock time of the run.
    pub wall: Duration,
    /// CPU time this process used during the run.
    pub cpu: CpuTime,
}

impl Outcome {
    /// The outcome as one JSON object (the line a bench binary prints).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "requests": self.requests,
            "wall_s": self.wall.as_secs_f64(),
            "user_s": self.cpu.user.as_secs_f64(),
            "sys_s": self.cpu.system.as_secs_f64(),
        })
    }
}

/// Calls `call` until `requests` calls completed or `limit` passed, from `concurrency` tasks
/// (1: in this task, one after the other). The first failure ends the run with its message.
pub async fn run<F, Fut>(
    concurrency: usize,
    requests: u64,
    limit: Duration,
    call: F,
) -> Result<Outcome, String>
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let started = Instant::now();
    let cpu_before = CpuTime::now()?;
    let issued = Arc::new(AtomicU64::new(0));
    let done = if concurrency <= 1 {
        worker(issued, requests, started + limit, call).await?
    } else {
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (issued, call) = (Arc::clone(&issued), call.clone());
                tokio::spawn(worker(issued, requests, started + limit, call))
            })
            .collect();
        let mut done = 0;
        for task in tasks {
            done += task.await.map_err(|e| format!("task: {e}"))??;
        }
        done
    };
    Ok(Outcome {
        requests: done,
        wall: started.elapsed(),
        cpu: CpuTime::now()?.since(cpu_before),
    })
}

async fn worker<F, Fut>(
    issued: Arc<AtomicU64>,
    requests: u64,
    deadline: Instant,
    call: F,
) -> Result<u64, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut done = 0;
    while issued.fetch_add(1, Ordering::Relaxed) < requests && Instant::now() < deadline {
        call().await?;
        done += 1;
    }
    Ok(done)
}
