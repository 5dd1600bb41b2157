//! The start-up log of the real binary: the ready line names the enforcement mode, and audit mode is announced
//! with a warning before it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Starts the real binary on an in-memory store with `enforcement` (None: the default) and returns its log
/// lines up to and including the ready line.
fn start_up_lines(enforcement: Option<&str>) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("gatehouse-it-{}", uuid::Uuid::new_v4().simple()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    cmd.arg("serve")
        .env("GATEHOUSE_LISTEN", "127.0.0.1:0")
        .env("GATEHOUSE_DATA_DIR", &dir)
        .env("GATEHOUSE_DATABASE_URL", "sqlite::memory:")
        .env("GATEHOUSE_ROOT_ACCESS_KEY_ID", crate::harness::ROOT_KEY_ID)
        .env("GATEHOUSE_ROOT_SECRET_ACCESS_KEY", crate::harness::ROOT_SECRET)
        .env("GATEHOUSE_LOG", "info")
        .env("GATEHOUSE_LOG_FORMAT", "text")
        .env_remove("GATEHOUSE_ENFORCEMENT")
        .env_remove("GATEHOUSE_TRUSTED_PROXIES")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(mode) = enforcement {
        cmd.env("GATEHOUSE_ENFORCEMENT", mode);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        let ready = line.contains("listening on");
        lines.push(line);
        if ready {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(lines.last().is_some_and(|l| l.contains("listening on")), "no ready line: {lines:#?}");
    lines
}

#[test]
fn the_ready_line_names_the_enforcement_mode() {
    let lines = start_up_lines(None);
    let ready = lines.last().unwrap();
    assert!(ready.contains("INFO") && ready.contains("enforcement=enforce"), "{ready}");
    assert!(!lines.iter().any(|l| l.contains("AUDIT MODE")), "{lines:#?}");
}

#[test]
fn audit_mode_is_announced_loudly() {
    let lines = start_up_lines(Some("audit"));
    let ready = lines.last().unwrap();
    assert!(ready.contains("enforcement=audit"), "{ready}");
    let warning = lines.iter().find(|l| l.contains("AUDIT MODE")).unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        warning.contains("WARN")
            && warning.contains("access denials are logged, not enforced; do not use in production"),
        "{warning}"
    );
}
