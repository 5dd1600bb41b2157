#!/usr/bin/env bash
# Runs the whole test suite: the Rust tests (unit tests, the store conformance suite and the aws-sdk-iam /
# aws-sdk-sts integration tests, each on SQLite and on Postgres) and the compatibility suite (the real AWS CLI
# and boto3 against a started server). Starts a throwaway Postgres unless GATEHOUSE_TEST_DATABASE_URL is set,
# and keeps the Python tools in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

export AWS_EC2_METADATA_DISABLED=true
if [ -z "${GATEHOUSE_TEST_DATABASE_URL:-}" ]; then
  eval "$(scripts/pg-throwaway.sh start)"
  trap 'scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"' EXIT
fi

echo "== Rust tests (SQLite and Postgres at $GATEHOUSE_TEST_DATABASE_URL)"
cargo build --bin gatehouse
cargo test --workspace

echo "== Compatibility suite (AWS CLI, boto3)"
if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c 'import boto3, awscli, cryptography, signxml' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/compat/requirements.txt
fi
GATEHOUSE_BIN="${CARGO_TARGET_DIR:-target}/debug/gatehouse" PATH="$PWD/.venv/bin:$PATH" \
  .venv/bin/pytest -q tests/compat
