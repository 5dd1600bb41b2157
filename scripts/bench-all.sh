#!/usr/bin/env bash
# Reproduces the whole performance table of BENCHMARKS.md (issue 16): builds the release binaries, installs the pinned
# moto server into a venv, starts on free loopback ports Gatehouse on SQLite (fresh data directory), Gatehouse on
# Postgres (a throwaway cluster; skipped, and said so, without Postgres binaries), the moto server and the no-work
# server, and runs every op with all of them side by side in alternating rounds (the no-work server only for get-user
# and get-caller-identity, the ops it can stand in for), each server's CPU per request measured from /proc. Prints a
# Markdown table per op and writes the JSON reports and tables to a results directory. Every server is stopped by a
# trap however the script ends.
#
#   scripts/bench-all.sh
#   DURATION=3 ROUNDS=1 OPS=get-user,assume-role scripts/bench-all.sh
#
# Settings (environment): CONCURRENCY (64), DURATION seconds per round (10), ROUNDS (3), OPS (all, or a comma list of
# gatehouse-bench ops), THREADS client threads (1), RESULTS (the results directory, default
# .bench-results/UTC-TIMESTAMP), BENCH_VENV (the venv, default .bench-venv), CARGO_TARGET_DIR (target/); SCALE=0 skips
# the scale tables, SCALE_USERS, SCALE_ROLES and SCALE_POLICIES (100000, 10000, 10000) size them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export AWS_EC2_METADATA_DISABLED=true
CONCURRENCY="${CONCURRENCY:-64}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
OPS="${OPS:-all}"
THREADS="${THREADS:-1}"
RESULTS="${RESULTS:-$ROOT/.bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"
VENV="${BENCH_VENV:-$ROOT/.bench-venv}"
# The moto release the table was measured against: pinned, so a re-run compares with the same moto.
MOTO_VERSION=5.2.5
ALL_OPS=(get-user get-caller-identity list-users list-roles list-policies list-attached-user-policies
  create-delete-user assume-role assumed-role-get-user simulate-principal-policy)
# The ops the no-work server stands in for: it answers anything with a fixed GetUser body, which only these two can
# take for an answer (the others need set-up the no-work server cannot do).
NO_WORK_OPS=" get-user get-caller-identity "

KEY_ID=AKIAGATEHOUSEBENCH01
SECRET=gatehouse/bench/secret/not/for/production
# Required with Postgres; given to both stores so they do the same work. A benchmark's throwaway key only.
MASTER_KEY=$(printf '7%.0s' $(seq 1 64))
work="$(mktemp -d "${TMPDIR:-/tmp}/gh-bench-all.XXXXXX")"
pids=()
pg_dir=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$pg_dir" ]; then scripts/pg-throwaway.sh stop "$pg_dir" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "== $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits (at most 30 s: moto imports a lot) until something accepts on the port, or the server PID has exited.
wait_port() { # PORT PID
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "nothing listens on 127.0.0.1:$1; logs in $work:" >&2
  tail -n 20 "$work"/*.log >&2 || true
  return 1
}

machine() {
  say "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'),"\
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(rustc --version 2>/dev/null || echo 'rustc ?')"
}

build() {
  say "building gatehouse and gatehouse-bench (release)"
  cargo build --release -p gatehouse -p gatehouse-bench
  GATEHOUSE="$CARGO_TARGET_DIR/release/gatehouse"
  BENCH="$CARGO_TARGET_DIR/release/gatehouse-bench"
}

moto_venv() {
  if "$VENV/bin/python" -c "import sys, moto; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    return 0
  fi
  say "installing moto[server]==$MOTO_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
}

endpoints=()
server_pids=()
labels=()
add_endpoint() { # LABEL PORT PID
  endpoints+=(--endpoint "$1=http://127.0.0.1:$2")
  server_pids+=(--server-pid "$1=$3")
  labels+=("$1")
}

# Starts `gatehouse serve` with the run's keys on DATA_DIR and PORT, logging to LOG, with further VAR=VALUE settings
# (a database URL, quotas); waits until it listens and sets SERVED to its PID.
serve_gatehouse() { # DATA_DIR PORT LOG [VAR=VALUE...]
  local dir=$1 port=$2 log=$3
  shift 3
  mkdir -p "$dir"
  env GATEHOUSE_DATA_DIR="$dir" GATEHOUSE_ROOT_ACCESS_KEY_ID="$KEY_ID" GATEHOUSE_ROOT_SECRET_ACCESS_KEY="$SECRET" \
    GATEHOUSE_MASTER_KEY="$MASTER_KEY" GATEHOUSE_LOG=warn GATEHOUSE_LISTEN="127.0.0.1:$port" \
    GATEHOUSE_ISSUER_LISTEN=127.0.0.1:0 "$@" "$GATEHOUSE" serve >>"$log" 2>&1 &
  SERVED=$!
  pids+=("$SERVED")
  wait_port "$port" "$SERVED"
}

start_gatehouse() { # LABEL [GATEHOUSE_DATABASE_URL]
  local port store=()
  port=$(free_port)
  # Without a database URL, the default store: SQLite in the data directory (WAL, a pool of connections).
  if [ -n "${2:-}" ]; then store=(GATEHOUSE_DATABASE_URL="$2"); fi
  serve_gatehouse "$work/data-$1" "$port" "$work/$1.log" "${store[@]}"
  add_endpoint "$1" "$port" "$SERVED"
}

start_servers() {
  start_gatehouse gatehouse-sqlite
  if pg_env=$(scripts/pg-throwaway.sh start 2>"$work/pg.log"); then
    eval "$pg_env"
    pg_dir="$PG_THROWAWAY_DIR"
    start_gatehouse gatehouse-postgres "$GATEHOUSE_TEST_DATABASE_URL"
  else
    say "no Postgres column: $(tail -n 1 "$work/pg.log")"
  fi
  local port pid
  port=$(free_port)
  # moto_server is a Python script run in place (no reloader, no fork): $! is the process that serves.
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_port "$port" "$pid"
  add_endpoint moto "$port" "$pid"
  port=$(free_port)
  "$BENCH" serve-nothing --listen "127.0.0.1:$port" --exit-after 86400 >"$work/no-work.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_port "$port" "$pid"
  NO_WORK=(--endpoint "no-work=http://127.0.0.1:$port" --server-pid "no-work=$pid")
}

# One op, every endpoint side by side: the JSON report and the tool's own table into the results directory.
run_op() { # OP
  local extra=()
  if [[ "$NO_WORK_OPS" == *" $1 "* ]]; then extra=("${NO_WORK[@]}"); fi
  say "$1"
  AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET" "$BENCH" --op "$1" --concurrency "$CONCURRENCY" \
    --duration "$DURATION" --rounds "$ROUNDS" --threads "$THREADS" "${endpoints[@]}" "${extra[@]}" \
    "${server_pids[@]}" --json >"$RESULTS/$1.json" 2> >(tee "$RESULTS/$1.txt" >&2)
}

# The Markdown table of one op's JSON report: totals per endpoint, ratios to moto and to the no-work server.
markdown() { # OP
  python3 - "$RESULTS/$1.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for op in report["ops"]:
    unit = op["unit"] if op["unit"] == "pair" else "req"
    by = {e["label"]: e["total"]["req_per_sec"] for e in op["endpoints"]}
    what = " (pairs: CreateUser + DeleteUser)" if unit == "pair" else ""
    print(f"\n### {op['op']}{what}: {report['concurrency']} connections, {report['rounds']} round(s) of "
          f"{report['duration_secs']:g} s, {report['client_threads']} client thread(s)\n")
    print(f"| endpoint | {unit}/s | p50 ms | p99 ms | server µs/{unit} | × moto | × no-work | RSS / peak MiB | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratio = lambda e, to: f"{by[e] / by[to]:.2f}" if by.get(to) else "–"
    for e in op["endpoints"]:
        t = e["total"]
        cpu = t["server_cpu_us_per_request"]
        mem = e["memory"]
        mem = f"{mem['vm_rss_kib'] / 1024:.1f} / {mem['vm_hwm_kib'] / 1024:.1f}" if mem else "–"
        if t["errors"]:
            # By code (`-`: the answer had no <Code>), by HTTP status, and without an answer: two views of the same
            # answered errors, then the unanswered ones.
            parts = [(what, ", ".join(f"{k} {v}" for k, v in d.items()))
                     for what, d in (("code", t["errors_by_code"]), ("HTTP", t["errors_by_status"]),
                                     ("no answer", t["transport_errors"])) if d]
            errors = f"**{t['errors']} of {t['requests']}**: " + "; ".join(f"{w} {d}" for w, d in parts)
        else:
            errors = "0"
        print(f"| {e['label']} | {t['req_per_sec']:,.0f} | {t['latency_ms']['p50']:.2f} | {t['latency_ms']['p99']:.2f} "
              f"| {'–' if cpu is None else f'{cpu:.1f}'} | {ratio(e['label'], 'moto')} | {ratio(e['label'], 'no-work')} "
              f"| {mem} | {errors} |")
    if report["removal_errors"]:
        print("\nREMOVAL FAILED: " + "; ".join(report["removal_errors"]))
PY
}

# ---- scale_table ------------------------------------------------------------------------------------------------
# The scale targets, per store: two Gatehouses side by side, one on an empty store and one on a store seeded with
# SCALE_USERS users, SCALE_ROLES roles and SCALE_POLICIES managed policies through the bulk path (`gatehouse seed`,
# not the API). GetUser, an authorised call (GetUser signed by a role session, decided on its policy) and the List
# pages at CONCURRENCY connections, with each server's CPU per request (target: seeded at most 1.2 × empty), then
# the List pages at one connection, where the latency is the page's own (target: under 5 ms). SQLite, then Postgres
# (two databases of the throwaway cluster) when the main table has one.
SCALE="${SCALE:-1}"
SCALE_USERS="${SCALE_USERS:-100000}"
SCALE_ROLES="${SCALE_ROLES:-10000}"
SCALE_POLICIES="${SCALE_POLICIES:-10000}"
SCALE_OPS=get-user,assumed-role-get-user,list-users,list-roles,list-policies
LIST_OPS=list-users,list-roles,list-policies
SCALE_STORES=()

serve_scale() { # DATA_DIR PORT [VAR=VALUE...]: a server for the scale tables; sets SERVED
  local dir=$1 port=$2
  shift 2
  # Quotas above the seeded counts, so the generator's own set-up (a user, a role, a policy) is not refused.
  serve_gatehouse "$dir" "$port" "$dir.log" "$@" \
    GATEHOUSE_QUOTAS="Users=$((SCALE_USERS + 100)),Roles=$((SCALE_ROLES + 100)),Policies=$((SCALE_POLICIES + 100))"
}

scale_store() { # LABEL [EMPTY_DATABASE_URL SEEDED_DATABASE_URL]: without URLs, SQLite stores in the data directories
  local label=$1 empty="$work/scale-$1-empty" seeded="$work/scale-$1-seeded" p_empty p_seeded pid_empty pid_seeded
  local on_empty=() on_seeded=()
  if [ -n "${2:-}" ]; then on_empty=(GATEHOUSE_DATABASE_URL="$2") on_seeded=(GATEHOUSE_DATABASE_URL="$3"); fi
  # The first start makes the account and its root key; seeding a SQLite store needs the server stopped (it takes
  # its lock), and a Postgres one is seeded the same way.
  p_seeded=$(free_port)
  serve_scale "$seeded" "$p_seeded" "${on_seeded[@]}"
  kill "$SERVED"; wait "$SERVED" 2>/dev/null || true
  say "scale ($label): seeding $SCALE_USERS users, $SCALE_ROLES roles, $SCALE_POLICIES managed policies (gatehouse seed)"
  env "${on_seeded[@]}" GATEHOUSE_DATA_DIR="$seeded" GATEHOUSE_MASTER_KEY="$MASTER_KEY" GATEHOUSE_LOG=warn \
    "$GATEHOUSE" seed --users "$SCALE_USERS" --roles "$SCALE_ROLES" --policies "$SCALE_POLICIES" \
    | tee "$RESULTS/scale-$label-seed.txt" >&2
  serve_scale "$seeded" "$p_seeded" "${on_seeded[@]}"; pid_seeded=$SERVED
  p_empty=$(free_port)
  serve_scale "$empty" "$p_empty" "${on_empty[@]}"; pid_empty=$SERVED
  local both=(--endpoint "empty=http://127.0.0.1:$p_empty" --server-pid "empty=$pid_empty"
    --endpoint "seeded=http://127.0.0.1:$p_seeded" --server-pid "seeded=$pid_seeded")
  say "scale ($label): $SCALE_OPS at $CONCURRENCY connections, empty and seeded side by side"
  AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET" "$BENCH" --op "$SCALE_OPS" --concurrency "$CONCURRENCY" \
    --duration "$DURATION" --rounds "$ROUNDS" --threads "$THREADS" "${both[@]}" --json \
    >"$RESULTS/scale-$label.json" 2> >(tee "$RESULTS/scale-$label.txt" >&2)
  say "scale ($label): $LIST_OPS at one connection (the page's own latency)"
  AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET" "$BENCH" --op "$LIST_OPS" --concurrency 1 \
    --duration "$DURATION" --rounds "$ROUNDS" --threads "$THREADS" "${both[@]}" --json \
    >"$RESULTS/scale-pages-$label.json" 2> >(tee "$RESULTS/scale-pages-$label.txt" >&2)
  kill "$pid_seeded" "$pid_empty"; wait "$pid_seeded" "$pid_empty" 2>/dev/null || true
  SCALE_STORES+=("$label")
}

scale_table() {
  if [ "$SCALE" = 0 ]; then return 0; fi
  scale_store sqlite
  if [ -n "$pg_dir" ]; then
    local base=${GATEHOUSE_TEST_DATABASE_URL%/*} db
    for db in scale_empty scale_seeded; do
      "$PG_THROWAWAY_BIN/psql" -q "$GATEHOUSE_TEST_DATABASE_URL" -c "CREATE DATABASE $db" >&2
    done
    scale_store postgres "$base/scale_empty" "$base/scale_seeded"
  fi
}

# The scale tables of one store (LABEL): seeded against empty, per op.
scale_markdown() { # LABEL
  python3 - "$RESULTS/scale-$1.json" "$RESULTS/scale-pages-$1.json" "$SCALE_USERS" "$SCALE_ROLES" "$SCALE_POLICIES" \
    "$1" <<'PY'
import json, sys
load, pages = (json.load(open(p)) for p in sys.argv[1:3])
users, roles, policies = (int(n) for n in sys.argv[3:6])
store = {"sqlite": "SQLite", "postgres": "Postgres"}[sys.argv[6]]
print(f"\n### Scale ({store}): an empty store and one seeded with {users:,} users, {roles:,} roles and {policies:,} "
      f"managed policies, side by side: {load['concurrency']} connections, {load['rounds']} round(s) of "
      f"{load['duration_secs']:g} s\n")
print("| op | empty req/s | seeded req/s | empty server µs/req | seeded server µs/req | seeded / empty (server µs) | errors |")
print("|---|---|---|---|---|---|---|")
for op in load["ops"]:
    t = {e["label"]: e["total"] for e in op["endpoints"]}
    e, s = t["empty"], t["seeded"]
    ratio = s["server_cpu_us_per_request"] / e["server_cpu_us_per_request"] if e["server_cpu_us_per_request"] else 0
    print(f"| {op['op']} | {e['req_per_sec']:,.0f} | {s['req_per_sec']:,.0f} | {e['server_cpu_us_per_request']:.1f} "
          f"| {s['server_cpu_us_per_request']:.1f} | {ratio:.2f} | {e['errors'] + s['errors']} |")
print(f"\n### Scale ({store}): List pages of 100 at one connection ({pages['rounds']} round(s) of "
      f"{pages['duration_secs']:g} s)\n")
print("| op | empty p50 ms | empty p99 ms | seeded p50 ms | seeded p99 ms | seeded max ms | errors |")
print("|---|---|---|---|---|---|---|")
for op in pages["ops"]:
    t = {e["label"]: e["total"] for e in op["endpoints"]}
    e, s = t["empty"], t["seeded"]
    print(f"| {op['op']} | {e['latency_ms']['p50']:.2f} | {e['latency_ms']['p99']:.2f} | {s['latency_ms']['p50']:.2f} "
          f"| {s['latency_ms']['p99']:.2f} | {s['latency_ms']['max']:.2f} | {e['errors'] + s['errors']} |")
PY
}
# ------------------------------------------------------------------------------------------------------------------

main() {
  local ops=() failed=() op store
  if [ "$OPS" = all ]; then ops=("${ALL_OPS[@]}"); else IFS=, read -r -a ops <<<"$OPS"; fi
  mkdir -p "$RESULTS"
  machine
  say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  build
  moto_venv
  start_servers
  # After the build, which loads the machine for minutes: the figure that goes with the table.
  local load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  say "load average before the runs: $load_before"
  say "endpoints: ${labels[*]} (+ no-work for get-user and get-caller-identity); results in $RESULTS"
  for op in "${ops[@]}"; do
    run_op "$op" || failed+=("$op")
  done
  scale_table
  local load_after
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  say "load average after: $load_after"
  {
    echo "Machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//');" \
      "load average $load_before before the runs, $load_after after;" \
      "CONCURRENCY=$CONCURRENCY DURATION=$DURATION ROUNDS=$ROUNDS THREADS=$THREADS; moto $MOTO_VERSION"
    for op in "${ops[@]}"; do
      if [ -s "$RESULTS/$op.json" ]; then markdown "$op"; fi
    done
    for store in "${SCALE_STORES[@]}"; do scale_markdown "$store"; done
    # Start-up and idle memory, after the servers above have stopped serving load (same release build).
    echo
    scripts/measure-start.sh 11
  } | tee "$RESULTS/tables.md"
  if [ "${#failed[@]}" -gt 0 ]; then
    echo "gatehouse-bench failed for: ${failed[*]} (see $RESULTS/*.txt)" >&2
    exit 1
  fi
}

main
