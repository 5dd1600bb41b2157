#!/usr/bin/env bash
# Checks docker-compose.yml and the Dockerfile against the built binary, without Docker: the compose file parses as
# YAML, the gatehouse service publishes on GATEHOUSE_PUBLISH (loopback by default) and has a health check, and every
# GATEHOUSE_* variable the two files set is one that `gatehouse serve --help` documents; the image runs
# `gatehouse serve`. Needs the binary built (GATEHOUSE_BIN, default $CARGO_TARGET_DIR/debug/gatehouse) and PyYAML
# (the system's, or .venv's from tests/compat/requirements.txt, created here as scripts/test.sh creates it).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${GATEHOUSE_BIN:-${CARGO_TARGET_DIR:-target}/debug/gatehouse}"
[ -x "$bin" ] || { echo "no gatehouse binary at $bin (cargo build --bin gatehouse first)" >&2; exit 1; }

python=python3
if ! python3 -c 'import yaml' 2>/dev/null; then
  if ! .venv/bin/python -c 'import yaml' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r tests/compat/requirements.txt
  fi
  python=.venv/bin/python
fi

help="$("$bin" serve --help)"
GATEHOUSE_HELP="$help" "$python" - <<'EOF'
import json, os, re, shlex, sys
import yaml

documented = set(re.findall(r"\[env: (GATEHOUSE_[A-Z0-9_]+)", os.environ["GATEHOUSE_HELP"]))
problems = []

def check(ok, what):
    if not ok:
        problems.append(what)

check(len(documented) >= 5, f"`gatehouse serve --help` documents too few variables: {sorted(documented)}")

with open("docker-compose.yml") as f:
    compose = yaml.safe_load(f)
service = (compose.get("services") or {}).get("gatehouse") or {}
check(service, "docker-compose.yml: no gatehouse service")
ports = service.get("ports") or []
expected_ports = ["${GATEHOUSE_PUBLISH:-127.0.0.1:4590}:4590", "${GATEHOUSE_ISSUER_PUBLISH:-127.0.0.1:4591}:4591"]
check(ports == expected_ports,
      f"docker-compose.yml: gatehouse must publish {expected_ports} (the API, the issuer endpoints), has {ports}")
env = service.get("environment") or {}
check(isinstance(env, dict), "docker-compose.yml: write the gatehouse environment as a mapping")
names = list(env) if isinstance(env, dict) else []
for name in names:
    check(name in documented, f"docker-compose.yml: {name} is not a variable `gatehouse serve` knows")
check(str(env.get("GATEHOUSE_LISTEN", "")).endswith(":4590") if names else False,
      "docker-compose.yml: GATEHOUSE_LISTEN must listen on the published container port 4590")
check(str(env.get("GATEHOUSE_ISSUER_LISTEN", "")).endswith(":4591") if names else False,
      "docker-compose.yml: GATEHOUSE_ISSUER_LISTEN must listen on the published container port 4591")
check(str(env.get("GATEHOUSE_ISSUER_BASE_URL", "")).endswith(":4591}") if names else False,
      "docker-compose.yml: GATEHOUSE_ISSUER_BASE_URL must name the published issuer port by default")
test = (service.get("healthcheck") or {}).get("test")
check(test and "4590" in " ".join(test if isinstance(test, list) else [test]),
      "docker-compose.yml: gatehouse needs a healthcheck probing port 4590")

# The Dockerfile: instructions with their continuation lines joined.
with open("Dockerfile") as f:
    text = re.sub(r"\\\n", " ", f.read())
instructions = [line.strip().split(None, 1) for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
final = instructions[max(i for i, ins in enumerate(instructions) if ins[0].upper() == "FROM"):]

def exec_form(kind):
    args = [ins[1] for ins in final if ins[0].upper() == kind and len(ins) > 1]
    if not args:
        return []
    value = args[-1].strip()
    return json.loads(value) if value.startswith("[") else shlex.split(value)

command = exec_form("ENTRYPOINT") + exec_form("CMD")
check(command[:2] == ["gatehouse", "serve"], f"Dockerfile: the image must run `gatehouse serve`, runs {command}")
for ins in final:
    if ins[0].upper() == "ENV" and len(ins) > 1:
        for pair in shlex.split(ins[1]):
            name = pair.split("=", 1)[0]
            check(name in documented, f"Dockerfile: ENV {name} is not a variable `gatehouse serve` knows")
check(any(ins[0].upper() == "HEALTHCHECK" for ins in final), "Dockerfile: no HEALTHCHECK")
exposed = {p for ins in final if ins[0].upper() == "EXPOSE" and len(ins) > 1 for p in ins[1].split()}
check({"4590", "4591"} <= exposed, f"Dockerfile: EXPOSE 4590 (the API) and 4591 (the issuer endpoints), has {exposed}")

for p in problems:
    print(p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"docker-compose.yml and Dockerfile agree with the binary ({len(names)} compose variables checked)")
EOF
