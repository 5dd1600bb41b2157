#!/usr/bin/env bash
# Checks that the SQLite and Postgres migration trees stay in step: the same files, and in each the same statements
# once the few words the dialects spell differently are made alike (BLOB/BYTEA) and the statements only Postgres needs
# are set aside (making a column compare bytewise, `ALTER TABLE t ALTER COLUMN c TYPE TEXT COLLATE "C"`: SQLite's
# text compares bytewise already and cannot alter a column's type). Anything else that differs is a migration written
# for one store and forgotten for the other.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import pathlib, re, sys

def normalised(path):
    text = path.read_text()
    text = re.sub(r"--[^\n]*", "", text)  # comments may differ (a dialect's reason)
    text = re.sub(r"\bBYTEA\b", "BLOB", text)
    column = r'ALTER COLUMN \w+ TYPE TEXT COLLATE "C"'
    text = re.sub(rf"ALTER TABLE \w+ {column}(\s*,\s*{column})*\s*;", "", text)
    return re.sub(r"\s+", " ", text).strip()

sqlite, postgres = pathlib.Path("migrations/sqlite"), pathlib.Path("migrations/postgres")
a = sorted(p.name for p in sqlite.glob("*.sql"))
b = sorted(p.name for p in postgres.glob("*.sql"))
problems = []
if a != b:
    problems.append(f"the trees hold different files: sqlite {sorted(set(a) - set(b))}, postgres {sorted(set(b) - set(a))}")
for name in sorted(set(a) & set(b)):
    if normalised(sqlite / name) != normalised(postgres / name):
        problems.append(f"{name}: the SQLite and Postgres versions differ beyond BLOB/BYTEA and byte order")
for p in problems:
    print(f"migrations: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
echo "migrations: the SQLite and Postgres trees are in step"
