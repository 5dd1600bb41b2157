#!/usr/bin/env bash
# Reproduces the GetUser table of BENCHMARKS.md: builds the release binaries, starts Gatehouse (its default SQLite store,
# known root keys, GATEHOUSE_LOG=warn) and the no-work server on free loopback ports, runs gatehouse-bench against
# them in alternating rounds, and stops them (trap) however it ends.
#
#   scripts/bench-getuser.sh              # current tree vs the no-work server
#   scripts/bench-getuser.sh 59df3ea      # also an earlier commit's server, built in a throwaway worktree:
#                                         # before, after and no-work alternate in one run
#
# Settings (environment): CONCURRENCY (64), DURATION seconds per round (10), ROUNDS (3), THREADS client threads (1),
# JSON_OUT (a file for the JSON report), CARGO_TARGET_DIR (target/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
CONCURRENCY="${CONCURRENCY:-64}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-1}"
BEFORE="${1:-}"

KEY_ID=AKIAGATEHOUSEBENCH01
SECRET=gatehouse/bench/secret/not/for/production
work="$(mktemp -d "${TMPDIR:-/tmp}/gh-bench.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -d "$work/before" ]; then git -C "$ROOT" worktree remove --force "$work/before" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits (at most 10 s) until something accepts on the port.
wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "nothing listens on 127.0.0.1:$1 after 10 s; logs in $work" >&2
  cat "$work"/*.log >&2 || true
  return 1
}

start_gatehouse() { # NAME BINARY PORT
  mkdir -p "$work/data-$1"
  # The default store: SQLite in the data directory (WAL, a pool of connections). `sqlite::memory:` would measure a
  # one-connection pool that serialises every request.
  GATEHOUSE_DATA_DIR="$work/data-$1" \
    GATEHOUSE_ROOT_ACCESS_KEY_ID="$KEY_ID" GATEHOUSE_ROOT_SECRET_ACCESS_KEY="$SECRET" \
    GATEHOUSE_LOG=warn GATEHOUSE_LISTEN="127.0.0.1:$3" "$2" serve >"$work/$1.log" 2>&1 &
  pids+=($!)
}

endpoints=()
if [ -n "$BEFORE" ]; then
  echo "== building $BEFORE's server in a throwaway worktree" >&2
  git -C "$ROOT" worktree add --detach "$work/before" "$BEFORE" >&2
  (cd "$work/before" && cargo build --release -p gatehouse)
  cp "$CARGO_TARGET_DIR/release/gatehouse" "$work/gatehouse-before"
fi
echo "== building the current tree's server and gatehouse-bench" >&2
cargo build --release -p gatehouse -p gatehouse-bench
cp "$CARGO_TARGET_DIR/release/gatehouse" "$work/gatehouse-after"
BENCH="$CARGO_TARGET_DIR/release/gatehouse-bench"

if [ -n "$BEFORE" ]; then
  port=$(free_port); start_gatehouse before "$work/gatehouse-before" "$port"; wait_port "$port"
  endpoints+=(--endpoint "before=http://127.0.0.1:$port")
fi
port=$(free_port); start_gatehouse after "$work/gatehouse-after" "$port"; wait_port "$port"
endpoints+=(--endpoint "after=http://127.0.0.1:$port")
port=$(free_port)
"$BENCH" serve-nothing --listen "127.0.0.1:$port" --exit-after 7200 >"$work/no-work.log" 2>&1 &
pids+=($!)
wait_port "$port"
endpoints+=(--endpoint "no-work=http://127.0.0.1:$port")

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" >&2
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
args=(--op get-user --concurrency "$CONCURRENCY" --duration "$DURATION" --rounds "$ROUNDS" --threads "$THREADS"
  "${endpoints[@]}")
export AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET"
if [ -n "${JSON_OUT:-}" ]; then
  "$BENCH" "${args[@]}" --json >"$JSON_OUT"
else
  "$BENCH" "${args[@]}"
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
