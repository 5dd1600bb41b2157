//! A server's own CPU time and memory, read from Linux's `/proc` (the server runs on the same machine): CPU time
//! per answered request moves far less with a shared machine's other load than throughput does.

use serde::Serialize;

/// `AT_CLKTCK` in the auxiliary vector: the unit of `/proc/PID/stat`'s times.
const AT_CLKTCK: u64 = 17;

/// Linux's `USER_HZ` on every architecture it runs the generator on, if the auxiliary vector cannot be read.
const DEFAULT_CLK_TCK: u64 = 100;

/// The clock ticks per second of `/proc/PID/stat`, i.e. `sysconf(_SC_CLK_TCK)`. The kernel gives that value to
/// every process in its auxiliary vector, which is read here from `/proc/self/auxv` rather than through libc's
/// `sysconf`, because calling libc needs `unsafe`, which the workspace forbids.
pub fn clock_ticks_per_sec() -> u64 {
    std::fs::read("/proc/self/auxv").ok().and_then(|a| auxv_value(&a, AT_CLKTCK)).unwrap_or(DEFAULT_CLK_TCK)
}

/// The value of `key` in an auxiliary vector: native-endian (type, value) pairs of machine words, ending at type 0.
fn auxv_value(auxv: &[u8], key: u64) -> Option<u64> {
    const WORD: usize = std::mem::size_of::<usize>();
    let word = |b: &[u8]| -> Option<u64> {
        let mut w = [0u8; WORD];
        w.copy_from_slice(b.get(..WORD)?);
        u64::try_from(usize::from_ne_bytes(w)).ok()
    };
    for pair in auxv.chunks_exact(2 * WORD) {
        let (kind, value) = (word(pair)?, word(pair.get(WORD..)?)?);
        if kind == 0 {
            return None;
        }
        if kind == key && value > 0 {
            return Some(value);
        }
    }
    None
}

/// utime + stime of a `/proc/PID/stat` line, in clock ticks: every thread of the process, live or ended.
pub fn stat_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may hold spaces and parentheses itself: fields are counted
    // from its last `)`. utime and stime are fields 14 and 15, so the 12th and 13th after it.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = rest.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The CPU time process `pid` has used so far, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Result<u64, String> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    stat_ticks(&text).ok_or_else(|| format!("{path}: no utime and stime in it"))
}

/// Microseconds of `ticks` at `hz` ticks per second.
pub fn ticks_to_us(ticks: u64, hz: u64) -> f64 {
    if hz == 0 {
        return 0.0;
    }
    ticks as f64 * 1e6 / hz as f64
}

/// Server CPU microseconds per answered request, if any was answered.
pub fn us_per_request(cpu_us: f64, requests: u64) -> Option<f64> {
    (requests > 0).then(|| cpu_us / requests as f64)
}

/// A server's resident memory, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// Resident now (`VmRSS`).
    pub vm_rss_kib: u64,
    /// The peak resident size since the process started (`VmHWM`).
    pub vm_hwm_kib: u64,
}

/// `VmRSS` and `VmHWM` of a `/proc/PID/status` text (`VmRSS:\t  12345 kB`).
pub fn status_memory(status: &str) -> Option<Memory> {
    let kib = |name: &str| -> Option<u64> {
        let line = status.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))?;
        line.split_ascii_whitespace().next()?.parse().ok()
    };
    Some(Memory { vm_rss_kib: kib("VmRSS")?, vm_hwm_kib: kib("VmHWM")? })
}

/// Process `pid`'s resident memory now.
pub fn memory(pid: u32) -> Result<Memory, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    status_memory(&text).ok_or_else(|| format!("{path}: no VmRSS and VmHWM in it"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_times_are_counted_after_the_command_name() {
        // A command name with a space and a parenthesis; utime 1234 and stime 567 are fields 14 and 15.
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 8512 0 0 0 1234 567 0 0 20 0 5 0 \
                    123456 123456789 3000 18446744073709551615";
        assert_eq!(stat_ticks(stat), Some(1801));
        assert_eq!(stat_ticks("4242 (short) S 1 2"), None);
        assert_eq!(stat_ticks("no parenthesis"), None);
    }

    #[test]
    fn cpu_per_request_is_ticks_over_requests() {
        // 250 ticks at 100 Hz is 2.5 s of CPU; over 10,000 requests that is 250 µs each.
        let us = ticks_to_us(250, 100);
        assert_eq!(us, 2_500_000.0);
        assert_eq!(us_per_request(us, 10_000), Some(250.0));
        assert_eq!(us_per_request(us, 0), None);
        assert_eq!(ticks_to_us(1, 1000), 1000.0);
        assert_eq!(ticks_to_us(5, 0), 0.0);
    }

    #[test]
    fn this_process_can_be_measured() {
        let hz = clock_ticks_per_sec();
        assert!(hz > 0);
        let pid = std::process::id();
        assert!(cpu_ticks(pid).is_ok());
        let m = memory(pid).expect("memory");
        assert!(m.vm_rss_kib > 0 && m.vm_hwm_kib >= m.vm_rss_kib, "{m:?}");
    }

    #[test]
    fn the_clock_tick_comes_from_the_auxiliary_vector() {
        let word = |v: u64| (v as usize).to_ne_bytes().to_vec();
        let auxv: Vec<u8> = [6, 4096, AT_CLKTCK, 250, 0, 0].into_iter().flat_map(word).collect();
        assert_eq!(auxv_value(&auxv, AT_CLKTCK), Some(250));
        assert_eq!(auxv_value(&auxv, 99), None);
        assert_eq!(auxv_value(&[], AT_CLKTCK), None);
    }

    #[test]
    fn memory_comes_from_status() {
        let status = "Name:\tgatehouse\nVmPeak:\t  900000 kB\nVmHWM:\t   15360 kB\nVmRSS:\t   12288 kB\nThreads:\t3\n";
        assert_eq!(status_memory(status), Some(Memory { vm_rss_kib: 12288, vm_hwm_kib: 15360 }));
        assert_eq!(status_memory("Name:\tx\n"), None);
    }
}
