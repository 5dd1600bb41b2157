#!/usr/bin/env bash
# Start-up time and idle memory of a release build on the default SQLite store (an existing data directory, as every
# start but the first): the median over N starts of the time from exec to the "listening on" log line, and the
# resident set one second after it. Usage: scripts/measure-start.sh [N]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-11}"
cargo build --release --quiet --bin gatehouse
bin="${CARGO_TARGET_DIR:-target}/release/gatehouse"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 - "$bin" "$dir" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
binary, data, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
env = dict(os.environ, GATEHOUSE_LISTEN="127.0.0.1:0", GATEHOUSE_DATA_DIR=data, GATEHOUSE_LOG="info",
           GATEHOUSE_ROOT_ACCESS_KEY_ID="AKIAGATEHOUSEEXAMPLE", GATEHOUSE_ROOT_SECRET_ACCESS_KEY="x" * 40)
env.pop("GATEHOUSE_DATABASE_URL", None)

def start():
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in p.stderr:
        if "listening on" in line:
            break
    ready = time.perf_counter() - t0
    return p, ready

def baseline():
    t0 = time.perf_counter()
    subprocess.run(["/bin/true"])
    return time.perf_counter() - t0

p, _ = start()  # the first start creates the store and the master key
p.terminate(); p.wait()
times, rss = [], []
for _ in range(runs):
    p, ready = start()
    times.append(ready - baseline())
    time.sleep(1)
    rss.append(int(next(l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")).split()[1]))
    p.terminate(); p.wait()
print(f"start to ready (exec of /bin/true subtracted): median {statistics.median(times) * 1000:.1f} ms, "
      f"max {max(times) * 1000:.1f} ms over {runs} starts; idle RSS median {statistics.median(rss) / 1024:.1f} MiB")
PY
