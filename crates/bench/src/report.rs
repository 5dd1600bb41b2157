//! Figures per op, endpoint and round and in total, with the server's CPU per request and memory when its process
//! is known, as a table and as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::load::{Endpoint, Op, Sample, Unit};
use crate::proc::{self, Memory};

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

/// One round's (or the total's) figures. A "request" is one iteration of the op (for `create-delete-user`, a pair).
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
    /// The server's CPU time (user + system, every thread) over the round(s), if its process is known.
    pub server_cpu_us: Option<f64>,
    /// That divided by the answered requests.
    pub server_cpu_us_per_request: Option<f64>,
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
            server_cpu_us: s.server_cpu_us,
            server_cpu_us_per_request: s.server_cpu_us.and_then(|us| proc::us_per_request(us, s.responses)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    pub label: String,
    pub url: String,
    /// The server's process (`--server-pid`), if given.
    pub pid: Option<u32>,
    pub rounds: Vec<Figures>,
    pub total: Figures,
    /// Total req/s divided by the first endpoint's.
    pub ratio_to_first: f64,
    /// No error in any round, and at least one answered request. An endpoint that does not implement the op
    /// (moto, for some) is not clean: its errors are in `errors_by_code`.
    pub clean: bool,
    /// The server's resident memory after the op's last round.
    pub memory: Option<Memory>,
}

impl EndpointReport {
    pub fn new(endpoint: &Endpoint, samples: Vec<Sample>, memory: Option<Memory>) -> Self {
        let rounds: Vec<Figures> = samples.iter().map(Figures::of).collect();
        let mut total = Sample::default();
        for s in samples {
            total.merge(s);
        }
        total.latencies_ns.sort_unstable();
        let total = Figures::of(&total);
        Self {
            label: endpoint.label.clone(),
            url: endpoint.url.clone(),
            pid: endpoint.pid,
            rounds,
            clean: total.errors == 0 && total.requests > 0,
            total,
            ratio_to_first: 0.0,
            memory,
        }
    }
}

/// One op's figures at every endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct OpReport {
    pub op: Op,
    /// What `requests` counts: `req`, or `pair` (CreateUser + DeleteUser, both successful to count as ok).
    pub unit: Unit,
    pub endpoints: Vec<EndpointReport>,
}

impl OpReport {
    pub fn new(op: Op, mut endpoints: Vec<EndpointReport>) -> Self {
        let first = endpoints.first().map(|e| e.total.req_per_sec).unwrap_or_default();
        for e in &mut endpoints {
            e.ratio_to_first = if first > 0.0 { e.total.req_per_sec / first } else { 0.0 };
        }
        Self { op, unit: op.info().unit, endpoints }
    }

    pub fn clean(&self) -> bool {
        self.endpoints.iter().all(|e| e.clean)
    }

    fn table(&self, out: &mut String) {
        let unit = self.unit.name();
        let what = match self.unit {
            Unit::Pair => " (one pair = CreateUser + DeleteUser of a new user; figures per pair)",
            Unit::Request => "",
        };
        let _ = writeln!(out, "== {}{what}", self.op.name());
        let width = self.endpoints.iter().map(|e| e.label.len()).max().unwrap_or(8).max(8);
        let _ = writeln!(
            out,
            "{:<width$}  {:>5}  {:>9}  {:>9}  {:>7}  {:>7}  {:>7}  {:>7}  {:>6}  {:>6}  {:>12}",
            "endpoint",
            "round",
            format!("{unit}s"),
            format!("{unit}/s"),
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "errors",
            "reconn",
            format!("srv us/{unit}")
        );
        let row = |out: &mut String, label: &str, round: &str, f: &Figures| {
            let cpu = f.server_cpu_us_per_request.map(|us| format!("{us:.1}")).unwrap_or_else(|| "-".into());
            let mark = if f.errors > 0 { "  <- errors" } else { "" };
            let _ = writeln!(
                out,
                "{label:<width$}  {round:>5}  {:>9}  {:>9.0}  {:>7.2}  {:>7.2}  {:>7.2}  {:>7.2}  {:>6}  {:>6}  {cpu:>12}{mark}",
                f.requests,
                f.req_per_sec,
                f.latency_ms.p50,
                f.latency_ms.p90,
                f.latency_ms.p99,
                f.latency_ms.max,
                f.errors,
                f.reconnects,
            );
        };
        for e in &self.endpoints {
            for (i, f) in e.rounds.iter().enumerate() {
                row(out, &e.label, &(i + 1).to_string(), f);
            }
        }
        for e in &self.endpoints {
            row(out, &e.label, "all", &e.total);
        }
        if let Some(first) = self.endpoints.first() {
            for e in self.endpoints.iter().skip(1) {
                let _ = writeln!(out, "{unit}/s {} / {} = {:.3}", e.label, first.label, e.ratio_to_first);
            }
        }
        for e in &self.endpoints {
            if let Some(m) = e.memory {
                let mib = |kib: u64| kib as f64 / 1024.0;
                let _ = writeln!(
                    out,
                    "memory of {} after {}: VmRSS {:.1} MiB, VmHWM {:.1} MiB",
                    e.label,
                    self.op.name(),
                    mib(m.vm_rss_kib),
                    mib(m.vm_hwm_kib)
                );
            }
        }
        for e in &self.endpoints {
            let t = &e.total;
            if t.errors > 0 {
                let _ = writeln!(
                    out,
                    "ERRORS at {} ({} of {}): by code {:?}, by status {:?}, no answer {:?}",
                    e.label, t.errors, t.requests, t.errors_by_code, t.errors_by_status, t.transport_errors
                );
            }
        }
    }
}

/// A whole run: one section per op.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub concurrency: usize,
    pub duration_secs: f64,
    pub rounds: usize,
    pub client_threads: usize,
    pub ops: Vec<OpReport>,
    /// What the removal of the set-up identities could not do, per endpoint (empty on a clean run).
    pub removal_errors: Vec<String>,
}

impl Report {
    /// Every op clean at every endpoint.
    pub fn clean(&self) -> bool {
        self.ops.iter().all(OpReport::clean)
    }

    /// The section of `op`, if it ran.
    pub fn op(&self, op: Op) -> Option<&OpReport> {
        self.ops.iter().find(|r| r.op == op)
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} connections, {} round(s) of {} s per endpoint and op, {} client thread(s)",
            self.concurrency, self.rounds, self.duration_secs, self.client_threads
        );
        for op in &self.ops {
            op.table(&mut out);
        }
        for e in &self.removal_errors {
            let _ = writeln!(out, "REMOVAL FAILED: {e}");
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
