#!/usr/bin/env bash
# The enforced path against root (issue 13's speed target, BENCHMARKS.md): one Gatehouse (release build, default
# SQLite store), GetUser of the same user by the root user and by an IAM user with ten attached customer managed
# policies (five statements each, conditions and variables, one of them allowing the call), alternating rounds at
# 64 connections. The user and its policies are made through the API itself, signed by curl's --aws-sigv4.
#
#   scripts/bench-enforced.sh
#
# Settings (environment): CONCURRENCY (64), DURATION seconds per round (10), ROUNDS (5), THREADS client threads (1),
# CARGO_TARGET_DIR (target/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
CONCURRENCY="${CONCURRENCY:-64}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-5}"
THREADS="${THREADS:-1}"

KEY_ID=AKIAGATEHOUSEBENCH01
SECRET=gatehouse/bench/secret/not/for/production
work="$(mktemp -d "${TMPDIR:-/tmp}/gh-bench.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"

echo "== building gatehouse and gatehouse-bench (release)" >&2
cargo build --release -p gatehouse -p gatehouse-bench
BENCH="$CARGO_TARGET_DIR/release/gatehouse-bench"
mkdir -p "$work/data"
GATEHOUSE_DATA_DIR="$work/data" GATEHOUSE_ROOT_ACCESS_KEY_ID="$KEY_ID" GATEHOUSE_ROOT_SECRET_ACCESS_KEY="$SECRET" \
  GATEHOUSE_LOG=warn GATEHOUSE_LISTEN="127.0.0.1:$port" "$CARGO_TARGET_DIR/release/gatehouse" serve \
  >"$work/gatehouse.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.05
done

# One IAM call signed as root; prints the response body, fails on an error status.
iam() {
  curl -sS --fail-with-body --aws-sigv4 "aws:amz:us-east-1:iam" --user "$KEY_ID:$SECRET" "$url/" \
    --data-urlencode "Version=2010-05-08" "$@"
}

echo "== setting up bench-user with 10 attached policies" >&2
iam --data-urlencode Action=CreateUser --data-urlencode UserName=bench-user >/dev/null
keys=$(iam --data-urlencode Action=CreateAccessKey --data-urlencode UserName=bench-user)
USER_KEY_ID=$(sed -n 's:.*<AccessKeyId>\(.*\)</AccessKeyId>.*:\1:p' <<<"$keys")
USER_SECRET=$(sed -n 's:.*<SecretAccessKey>\(.*\)</SecretAccessKey>.*:\1:p' <<<"$keys")
for i in $(seq 1 10); do
  doc=$(cat <<JSON
{"Version":"2012-10-17","Statement":[
 {"Sid":"Own$i","Effect":"Allow","Action":["iam:*AccessKey*","iam:*SSHPublicKey*"],"Resource":"arn:aws:iam::*:user/\${aws:username}"},
 {"Sid":"Tagged$i","Effect":"Allow","Action":"iam:Get*","Resource":"arn:aws:iam::*:role/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"\${aws:PrincipalTag/team}"}}},
 {"Sid":"Net$i","Effect":"Allow","Action":["iam:List*","iam:Get$([ "$i" = 10 ] && echo User || echo Group)"],"Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.0/8","10.$i.0.0/16"]}}},
 {"Sid":"Region$i","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-$i"]}}},
 {"Sid":"Time$i","Effect":"Allow","Action":"iam:Simulate*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"Bool":{"aws:SecureTransport":"false"}}}
]}
JSON
)
  created=$(iam --data-urlencode Action=CreatePolicy --data-urlencode "PolicyName=bench-$i" \
    --data-urlencode "PolicyDocument=$doc")
  arn=$(sed -n 's:.*<Arn>\(.*\)</Arn>.*:\1:p' <<<"$created")
  iam --data-urlencode Action=AttachUserPolicy --data-urlencode UserName=bench-user \
    --data-urlencode "PolicyArn=$arn" >/dev/null
done

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" >&2
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Server time is what the target is about, and throughput on a shared two-core machine moves with whatever else runs:
# each caller is measured alone, in alternating rounds, and the server's CPU time (user + system, from
# /proc/PID/stat) over the round is divided by the requests it answered.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
declare -A KEYS=([root]="$KEY_ID:$SECRET" [user-10-policies]="$USER_KEY_ID:$USER_SECRET")
results="$work/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  for label in root user-10-policies; do
    before=$(cpu_ticks)
    "$BENCH" --op get-user --user-name bench-user --concurrency "$CONCURRENCY" --duration "$DURATION" --rounds 1 \
      --threads "$THREADS" --endpoint "$label=$url" --key "$label=${KEYS[$label]}" --fail-on-errors --json \
      >"$work/$label-$round.json" 2>/dev/null
    after=$(cpu_ticks)
    python3 - "$work/$label-$round.json" "$label" "$round" "$((after - before))" "$(getconf CLK_TCK)" <<'PY' | tee -a "$results"
import json, sys
report, label, rnd, ticks, hz = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
total = report["endpoints"][0]["total"]
us = ticks * 1e6 / hz / max(total["requests"], 1)
print(f"{label} {rnd} {total['requests']} {total['req_per_sec']:.0f} {total['latency_ms']['p50']:.2f} {total['latency_ms']['p99']:.2f} {us:.1f}")
PY
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"{'caller':18} {'round':>5} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server CPU us/req':>18}")
for r in rows:
    print(f"{r[0]:18} {r[1]:>5} {r[2]:>9} {r[3]:>7} {r[4]:>7} {r[5]:>7} {r[6]:>18}")
med = {c: statistics.median(float(r[6]) for r in rows if r[0] == c) for c in ("root", "user-10-policies")}
rps = {c: statistics.median(float(r[3]) for r in rows if r[0] == c) for c in ("root", "user-10-policies")}
print(f"median server CPU per request: root {med['root']:.1f} us, user with 10 policies {med['user-10-policies']:.1f} us,"
      f" ratio {med['user-10-policies'] / med['root']:.3f}")
print(f"median req/s: root {rps['root']:.0f}, user {rps['user-10-policies']:.0f}, ratio {rps['user-10-policies'] / rps['root']:.3f}")
PY
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
