"""How long writes wait while a console password changes: CreateUser + DeleteUser pairs, one at a time, while another
client changes a user's password back to back under a password policy that prevents reusing the last 24 (each change
is then up to 25 argon2 verifications and a hash). Starts the given `gatehouse` binary on a fresh SQLite data
directory and prints one line: the pairs' median, p90 and max.

    .venv/bin/python scripts/measure-password-stall.py "$CARGO_TARGET_DIR/release/gatehouse"

(`.venv` is the compatibility suite's, with boto3.) A figure for BENCHMARKS.md, not a test: it times things.
"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import boto3

KEY_ID, SECRET = "AKIASTALLTEST0000001", "stall/secret/for/measuring"
PAIRS = 60


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def client(port):
    return boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)


def main(binary):
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, GATEHOUSE_DATA_DIR=data, GATEHOUSE_LISTEN=f"127.0.0.1:{port}",
                   GATEHOUSE_ISSUER_LISTEN="127.0.0.1:0", GATEHOUSE_ROOT_ACCESS_KEY_ID=KEY_ID,
                   GATEHOUSE_ROOT_SECRET_ACCESS_KEY=SECRET, GATEHOUSE_LOG="error")
        server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port)).close()
                    break
                except OSError:
                    time.sleep(0.05)
            iam = client(port)
            iam.update_account_password_policy(PasswordReusePrevention=24, MinimumPasswordLength=8)
            iam.create_user(UserName="changer")
            iam.create_login_profile(UserName="changer", Password="Passw0rd-0!")
            for i in range(1, 25):  # a full history: every later change checks 25 hashes
                iam.update_login_profile(UserName="changer", Password=f"Passw0rd-{i}!")
            stop = threading.Event()
            changes = []

            def change_back_to_back():
                other = client(port)
                while not stop.is_set():
                    other.update_login_profile(UserName="changer", Password=f"Passw0rd-{100 + len(changes)}!")
                    changes.append(1)

            changer = threading.Thread(target=change_back_to_back)
            changer.start()
            time.sleep(0.5)
            latencies = []
            for n in range(PAIRS):
                start = time.perf_counter()
                iam.create_user(UserName=f"w{n}")
                iam.delete_user(UserName=f"w{n}")
                latencies.append((time.perf_counter() - start) * 1000)
            stop.set()
            changer.join()
        finally:
            server.terminate()
            server.wait()
    latencies.sort()
    print(f"{binary}: {PAIRS} CreateUser + DeleteUser pairs beside {len(changes)} UpdateLoginProfile (reuse window "
          f"24): median {statistics.median(latencies):.1f} ms, p90 {latencies[int(PAIRS * 0.9)]:.1f} ms, "
          f"max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
