//! `gatehouse-bench`: a load generator that signs every request with real SigV4 (this workspace's
//! `gatehouse-sigv4`), for Gatehouse or any IAM/STS-compatible endpoint, and a no-work server that gives the
//! client's own ceiling. Several endpoints are measured in alternating rounds in one run, so their ratio is not
//! skewed by the load of a shared machine changing between runs.

pub mod load;
pub mod nothing;
pub mod report;
pub mod sign;

use std::sync::Arc;
use std::time::Duration;

use load::{Endpoint, LoadConfig, Sample};
use report::{EndpointReport, Figures, Report};

/// A whole run: `rounds` rounds, each of them one round per endpoint in the order given.
#[derive(Debug, Clone)]
pub struct Plan {
    pub endpoints: Vec<Endpoint>,
    pub rounds: usize,
    pub config: LoadConfig,
    /// Recorded in the report only (the caller builds the runtime).
    pub client_threads: usize,
    /// A pause between two rounds, so one server's leftovers (closing connections) do not land in the next.
    pub pause: Duration,
}

/// Runs the plan on the current tokio runtime; `progress` is told about every round as it ends.
pub async fn run(plan: &Plan, mut progress: impl FnMut(&Endpoint, usize, &Figures)) -> Report {
    let config = Arc::new(plan.config.clone());
    let mut per_endpoint: Vec<Vec<Sample>> = vec![Vec::new(); plan.endpoints.len()];
    for round in 0..plan.rounds {
        for (i, endpoint) in plan.endpoints.iter().enumerate() {
            if round > 0 || i > 0 {
                tokio::time::sleep(plan.pause).await;
            }
            let sample = load::round(endpoint, config.clone()).await;
            progress(endpoint, round + 1, &Figures::of(&sample));
            if let Some(v) = per_endpoint.get_mut(i) {
                v.push(sample);
            }
        }
    }
    let mut endpoints = Vec::with_capacity(plan.endpoints.len());
    for (endpoint, samples) in plan.endpoints.iter().zip(per_endpoint) {
        let rounds: Vec<Figures> = samples.iter().map(Figures::of).collect();
        let mut total = Sample::default();
        for s in samples {
            total.merge(s);
        }
        total.latencies_ns.sort_unstable();
        endpoints.push(EndpointReport {
            label: endpoint.label.clone(),
            url: endpoint.url.clone(),
            rounds,
            total: Figures::of(&total),
            ratio_to_first: 0.0,
        });
    }
    let first = endpoints.first().map(|e| e.total.req_per_sec).unwrap_or_default();
    for e in &mut endpoints {
        e.ratio_to_first = if first > 0.0 { e.total.req_per_sec / first } else { 0.0 };
    }
    Report {
        op: plan.config.op,
        concurrency: plan.config.concurrency,
        duration_secs: plan.config.duration.as_secs_f64(),
        rounds: plan.rounds,
        client_threads: plan.client_threads,
        endpoints,
    }
}
