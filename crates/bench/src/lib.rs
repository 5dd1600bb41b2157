//! `gatehouse-bench`: a load generator that signs every request with real SigV4 (this workspace's
//! `gatehouse-sigv4`), for Gatehouse or any IAM/STS-compatible endpoint, and a no-work server that gives the
//! client's own ceiling. Several endpoints are measured in alternating rounds in one run, so their ratio is not
//! skewed by the load of a shared machine changing between runs; several ops run one after the other, each with
//! its own rounds. The identities the ops need are made through the API before the first round and removed after
//! the last.

pub mod load;
pub mod nothing;
pub mod proc;
pub mod report;
pub mod setup;
pub mod sign;
mod xml;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use load::{Endpoint, LoadConfig, Needs, Op, RoundOf, Sample};
use report::{EndpointReport, Figures, OpReport, Report};
use setup::{ApiError, Identities};

/// A whole run: for each op, `rounds` rounds, each of them one round per endpoint in the order given.
#[derive(Debug, Clone)]
pub struct Plan {
    pub endpoints: Vec<Endpoint>,
    pub ops: Vec<Op>,
    pub rounds: usize,
    pub config: LoadConfig,
    /// Recorded in the report only (the caller builds the runtime).
    pub client_threads: usize,
    /// A pause between two rounds, so one server's leftovers (closing connections) do not land in the next.
    pub pause: Duration,
}

/// Why a run has no report.
#[derive(Debug)]
pub enum RunError {
    /// The identities could not be set up at an endpoint (what was set up has been removed, as far as it could).
    SetUp { endpoint: String, url: String, error: ApiError, removal: Vec<String> },
    /// Stopped (Ctrl-C) during the rounds; the identities have been removed, as far as they could.
    Interrupted { removal: Vec<String> },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let removal = match self {
            RunError::SetUp { endpoint, url, error, removal } => {
                write!(f, "set-up at endpoint {endpoint} ({url}) failed: {error}")?;
                removal
            }
            RunError::Interrupted { removal } => {
                write!(f, "interrupted; the set-up identities were removed")?;
                removal
            }
        };
        for e in removal {
            write!(f, "\nremoval failed: {e}")?;
        }
        Ok(())
    }
}

/// Runs the plan on the current tokio runtime; `progress` is told about every round as it ends.
pub async fn run(plan: &Plan, progress: impl FnMut(Op, &Endpoint, usize, &Figures)) -> Result<Report, RunError> {
    run_until(plan, progress, std::future::pending()).await
}

/// [`run`], stopped (with the identities removed) when `stop` completes during the rounds.
pub async fn run_until(
    plan: &Plan,
    mut progress: impl FnMut(Op, &Endpoint, usize, &Figures),
    stop: impl Future<Output = ()>,
) -> Result<Report, RunError> {
    let needs = setup::needs_of(&plan.ops);
    let mut ids = vec![Identities::default(); plan.endpoints.len()];
    for (i, (endpoint, id)) in plan.endpoints.iter().zip(ids.iter_mut()).enumerate() {
        if let Err(error) = setup::set_up(endpoint, &plan.config, needs, id).await {
            let done = plan.endpoints.iter().zip(&ids).take(i + 1);
            let removal = remove(done, &plan.config, needs).await;
            return Err(RunError::SetUp {
                endpoint: endpoint.label.clone(),
                url: endpoint.url.clone(),
                error,
                removal,
            });
        }
    }
    let measured = tokio::select! {
        ops = measure(plan, &ids, &mut progress) => Some(ops),
        () = stop => None,
    };
    let removal = remove(plan.endpoints.iter().zip(&ids), &plan.config, needs).await;
    let ops = measured.ok_or_else(|| RunError::Interrupted { removal: removal.clone() })?;
    Ok(Report {
        concurrency: plan.config.concurrency,
        duration_secs: plan.config.duration.as_secs_f64(),
        rounds: plan.rounds,
        client_threads: plan.client_threads,
        ops,
        removal_errors: removal,
    })
}

/// Removes the identities at every endpoint given; the failures, each naming its endpoint.
async fn remove<'a>(
    endpoints: impl Iterator<Item = (&'a Endpoint, &'a Identities)>,
    config: &LoadConfig,
    needs: Needs,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (endpoint, ids) in endpoints {
        for e in setup::remove(endpoint, config, needs, ids).await {
            failures.push(format!("at endpoint {} ({}): {e}", endpoint.label, endpoint.url));
        }
    }
    failures
}

/// Every op's rounds, endpoints alternating within each round.
async fn measure(
    plan: &Plan,
    ids: &[Identities],
    progress: &mut impl FnMut(Op, &Endpoint, usize, &Figures),
) -> Vec<OpReport> {
    let config = Arc::new(plan.config.clone());
    let mut reports = Vec::with_capacity(plan.ops.len());
    let mut first = true;
    for &op in &plan.ops {
        let mut per_endpoint: Vec<Vec<Sample>> = vec![Vec::new(); plan.endpoints.len()];
        for number in 1..=plan.rounds {
            for ((endpoint, ids), samples) in plan.endpoints.iter().zip(ids).zip(per_endpoint.iter_mut()) {
                if !first {
                    tokio::time::sleep(plan.pause).await;
                }
                first = false;
                let sample = load::round(endpoint, RoundOf { op, number, ids }, config.clone()).await;
                progress(op, endpoint, number, &Figures::of(&sample));
                samples.push(sample);
            }
        }
        let endpoints = plan
            .endpoints
            .iter()
            .zip(per_endpoint)
            .map(|(e, samples)| EndpointReport::new(e, samples, e.pid.and_then(|pid| proc::memory(pid).ok())))
            .collect();
        reports.push(OpReport::new(op, endpoints));
    }
    reports
}
