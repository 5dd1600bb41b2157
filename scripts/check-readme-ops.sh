#!/usr/bin/env bash
# Checks that the README's operation table names every IAM and STS operation of the pinned models, so that a new
# model (or a forgotten operation) cannot leave an operation without a stated behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import gzip, json, re, sys

readme = open("README.md").read()
start = readme.index("## What it does today")
section = readme[start:readme.index("\n## ", start + 1)]
table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
named = set(re.findall(r"\b[A-Z][A-Za-z0-9]+\b", table))
missing = []
for model in ["model/iam-2010-05-08.json.gz", "model/sts-2011-06-15.json.gz"]:
    ops = json.load(gzip.open(model))["operations"]
    missing += [op for op in ops if op not in named]
if missing:
    print("README: the operation table does not name " + ", ".join(sorted(missing)), file=sys.stderr)
    sys.exit(1)
PY
echo "README: the operation table names every IAM and STS operation"
