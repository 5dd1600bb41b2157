"""Fixtures for the compatibility suite: a real `gatehouse serve` process per test module and store, driven by the
real AWS CLI and boto3. The binary comes from GATEHOUSE_BIN (scripts/test.sh builds it); Postgres from
GATEHOUSE_TEST_DATABASE_URL, which must be set: the Postgres half fails rather than skips without it."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

ROOT_KEY_ID = "AKIACOMPATROOT000001"
ROOT_SECRET = "compat/root/secret/for/tests/only/000000"
MASTER_KEY = "5" * 64
REPO = Path(__file__).resolve().parents[2]


def gatehouse_bin() -> str:
    path = os.environ.get("GATEHOUSE_BIN") or str(REPO / "target" / "debug" / "gatehouse")
    if not os.path.exists(path):
        raise RuntimeError(f"no gatehouse binary at {path}: run `cargo build` or scripts/test.sh")
    return path


def fresh_postgres_url() -> str:
    admin = os.environ.get("GATEHOUSE_TEST_DATABASE_URL")
    if not admin:
        raise RuntimeError("GATEHOUSE_TEST_DATABASE_URL is not set: run scripts/test.sh, which starts a throwaway Postgres")
    name = "gatehouse_compat_" + uuid.uuid4().hex
    psql = shutil.which("psql") or os.path.join(os.environ.get("PG_THROWAWAY_BIN", "/usr/bin"), "psql")
    subprocess.run([psql, admin, "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"], check=True)
    base, _, _ = admin.rpartition("/")
    return f"{base}/{name}"


@dataclass
class Server:
    endpoint: str
    process: subprocess.Popen
    data_dir: str

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def start_server(env_extra: dict, data_dir: str) -> Server:
    env = dict(os.environ)
    env.update({"GATEHOUSE_LISTEN": "127.0.0.1:0", "GATEHOUSE_DATA_DIR": data_dir, "GATEHOUSE_LOG": "info"})
    env.update(env_extra)
    proc = subprocess.Popen([gatehouse_bin(), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    endpoint = None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            endpoint = m.group(1)
            break
    if endpoint is None:
        proc.kill()
        raise RuntimeError("gatehouse did not start:\n" + "".join(lines))
    # Keep draining stderr so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return Server(endpoint, proc, data_dir)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request):
    data_dir = tempfile.mkdtemp(prefix="gatehouse-compat-")
    db = "sqlite::memory:" if request.param == "sqlite" else fresh_postgres_url()
    srv = start_server(
        {
            "GATEHOUSE_DATABASE_URL": db,
            "GATEHOUSE_ROOT_ACCESS_KEY_ID": ROOT_KEY_ID,
            "GATEHOUSE_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET,
            "GATEHOUSE_MASTER_KEY": MASTER_KEY,
        },
        data_dir,
    )
    yield srv
    assert srv.stop() == 0, "gatehouse should exit cleanly on SIGTERM"
    shutil.rmtree(data_dir, ignore_errors=True)


def client(server, service, key_id=ROOT_KEY_ID, secret=ROOT_SECRET, region="us-east-1"):
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def aws_cli(server, *args, key_id=ROOT_KEY_ID, secret=ROOT_SECRET):
    """Runs the AWS CLI from this virtualenv; returns (exit code, parsed JSON or None, stderr)."""
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    env = dict(os.environ)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_MAX_ATTEMPTS": "1",
        }
    )
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    p = subprocess.run([aws, "--endpoint-url", server.endpoint, "--output", "json", *args], env=env, capture_output=True, text=True)
    out = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, out, p.stderr


def cli_ok(server, *args):
    """Runs the AWS CLI and requires it to succeed; returns its parsed JSON."""
    rc, out, err = aws_cli(server, *args)
    assert rc == 0, f"{args}: {err}"
    return out


def client_error(call):
    """The (code, message, HTTP status) of the ClientError `call` raises; the message is None when AWS sends none."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    r = e.value.response
    return r["Error"]["Code"], r["Error"].get("Message"), r["ResponseMetadata"]["HTTPStatusCode"]
