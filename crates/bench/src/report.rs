//! Figures per endpoint and round and in total, as a table and as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::load::{Op, Sample};

/// Latencies in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Latency {
    pub fn of(sorted_ns: &[u64]) -> Self {
        let ms = |ns: u64| ns as f64 / 1e6;
        let mean = if sorted_ns.is_empty() {
            0.0
        } else {
            sorted_ns.iter().map(|&n| n as f64).sum::<f64>() / sorted_ns.len() as f64 / 1e6
        };
        Self {
            p50: ms(percentile(sorted_ns, 50.0)),
            p90: ms(percentile(sorted_ns, 90.0)),
            p99: ms(percentile(sorted_ns, 99.0)),
            max: ms(sorted_ns.last().copied().unwrap_or_default()),
            mean,
        }
    }
}

/// One round's (or the total's) figures.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Answered requests (any status).
    pub requests: u64,
    pub ok: u64,
    pub errors: u64,
    pub elapsed_secs: f64,
    pub req_per_sec: f64,
    pub latency_ms: Latency,
    pub errors_by_code: BTreeMap<String, u64>,
    pub errors_by_status: BTreeMap<String, u64>,
    pub transport_errors: BTreeMap<String, u64>,
    pub reconnects: u64,
}

impl Figures {
    pub fn of(s: &Sample) -> Self {
        let secs = s.elapsed.as_secs_f64();
        Self {
            requests: s.responses,
            ok: s.ok,
            errors: s.errors(),
            elapsed_secs: secs,
            req_per_sec: if secs > 0.0 { s.responses as f64 / secs } else { 0.0 },
            latency_ms: Latency::of(&s.latencies_ns),
            errors_by_code: s.errors_by_code.clone(),
            errors_by_status: s.errors_by_status.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            transport_errors: s.transport_errors.clone(),
            reconnects: s.reconnects,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    pub label: String,
    pub url: String,
    pub rounds: Vec<Figures>,
    pub total: Figures,
    /// Total req/s divided by the first endpoint's.
    pub ratio_to_first: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub op: Op,
    pub concurrency: usize,
    pub duration_secs: f64,
    pub rounds: usize,
    pub client_threads: usize,
    pub endpoints: Vec<EndpointReport>,
}

impl Report {
    /// Every endpoint with no error in any round, and at least one answered request.
    pub fn clean(&self) -> bool {
        self.endpoints.iter().all(|e| e.total.errors == 0 && e.total.requests > 0)
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:?}, {} connections, {} round(s) of {} s per endpoint, {} client thread(s)",
            self.op, self.concurrency, self.rounds, self.duration_secs, self.client_threads
        );
        let width = self.endpoints.iter().map(|e| e.label.len()).max().unwrap_or(8).max(8);
        let _ = writeln!(
            out,
            "{:<width$}  {:>5}  {:>9}  {:>9}  {:>7}  {:>7}  {:>7}  {:>7}  {:>6}",
            "endpoint", "round", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"
        );
        let row = |out: &mut String, label: &str, round: &str, f: &Figures| {
            let _ = writeln!(
                out,
                "{label:<width$}  {round:>5}  {:>9}  {:>9.0}  {:>7.2}  {:>7.2}  {:>7.2}  {:>7.2}  {:>6}",
                f.requests,
                f.req_per_sec,
                f.latency_ms.p50,
                f.latency_ms.p90,
                f.latency_ms.p99,
                f.latency_ms.max,
                f.errors
            );
        };
        for e in &self.endpoints {
            for (i, f) in e.rounds.iter().enumerate() {
                row(&mut out, &e.label, &(i + 1).to_string(), f);
            }
        }
        for e in &self.endpoints {
            row(&mut out, &e.label, "all", &e.total);
        }
        if let Some(first) = self.endpoints.first() {
            for e in self.endpoints.iter().skip(1) {
                let _ = writeln!(out, "req/s {} / {} = {:.3}", e.label, first.label, e.ratio_to_first);
            }
        }
        for e in &self.endpoints {
            let t = &e.total;
            if t.errors > 0 {
                let _ = writeln!(
                    out,
                    "errors at {}: by code {:?}, by status {:?}, no answer {:?}",
                    e.label, t.errors_by_code, t.errors_by_status, t.transport_errors
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|i| i * 1_000_000).collect();
        let l = Latency::of(&v);
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(Latency::of(&[]).p99, 0.0);
        assert_eq!(Latency::of(&[7_000_000]).p50, 7.0);
    }
}
