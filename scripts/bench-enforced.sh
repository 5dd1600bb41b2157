#!/usr/bin/env bash
# The enforced path against root (issue 13's speed target, BENCHMARKS.md): one Gatehouse (release build, default
# SQLite store), GetUser of the same user by the root user and by an IAM user with ten attached customer managed
# policies (five statements each, conditions and variables, one of them allowing the call), alternating rounds at
# 64 connections. The user and its policies are made through the API itself, signed by curl's --aws-sigv4.
#
#   scripts/bench-enforced.sh
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
args=(--op get-user --user-name bench-user --concurrency "$CONCURRENCY" --duration "$DURATION" --rounds "$ROUNDS"
  --threads "$THREADS" --endpoint "root=$url" --endpoint "user-10-policies=$url"
  --key "root=$KEY_ID:$SECRET" --key "user-10-policies=$USER_KEY_ID:$USER_SECRET" --fail-on-errors)
if [ -n "${JSON_OUT:-}" ]; then
  "$BENCH" "${args[@]}" --json >"$JSON_OUT"
else
  "$BENCH" "${args[@]}"
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
