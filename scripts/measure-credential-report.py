"""How long GenerateCredentialReport takes for an account of N users: starts the given `gatehouse` binary on a fresh
SQLite data directory, seeds N users with `gatehouse seed`, and times one GenerateCredentialReport (which builds the
whole report within the request). A figure for BENCHMARKS.md, not a test.

    .venv/bin/python scripts/measure-credential-report.py "$CARGO_TARGET_DIR/release/gatehouse" 100000
"""
import os, socket, subprocess, sys, tempfile, time, boto3
binary = sys.argv[1]
KEY, SECRET = "AKIAREPORTTEST000001", "report/secret/for/measuring"
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
with tempfile.TemporaryDirectory() as data:
    env = dict(os.environ, GATEHOUSE_DATA_DIR=data, GATEHOUSE_ISSUER_LISTEN="127.0.0.1:0", GATEHOUSE_ROOT_ACCESS_KEY_ID=KEY,
               GATEHOUSE_ROOT_SECRET_ACCESS_KEY=SECRET, GATEHOUSE_LOG="error", GATEHOUSE_MASTER_KEY="7"*64)
    def serve():
        port = free_port()
        p = subprocess.Popen([binary, "serve"], env=dict(env, GATEHOUSE_LISTEN=f"127.0.0.1:{port}"), stdout=subprocess.DEVNULL)
        for _ in range(200):
            try: socket.create_connection(("127.0.0.1", port)).close(); break
            except OSError: time.sleep(0.05)
        return p, port
    p, _ = serve(); p.terminate(); p.wait()
    subprocess.run([binary, "seed", "--users", sys.argv[2], "--roles", "0", "--policies", "0"], env=env, check=True, stdout=subprocess.DEVNULL)
    p, port = serve()
    try:
        iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                           config=boto3.session.Config(read_timeout=300, retries={"max_attempts": 1}))
        a = time.perf_counter()
        try:
            state = iam.generate_credential_report()["State"]
        except Exception as e:
            state = f"error {type(e).__name__}: {e}"[:200]
        t = time.perf_counter() - a
        print(f"{binary}: {sys.argv[2]} users: GenerateCredentialReport {state} in {t:.2f} s")
    finally:
        p.terminate(); p.wait()
