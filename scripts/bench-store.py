#!/usr/bin/env python3
"""Durable-store benchmark: the 100 000-job no-op batch, POST -> terminal, per store.

Starts the built jar (target/failfast-*.jar) once per store configuration, in turn, on a fresh
data directory; submits the workload, polls GET /api/v1/batches/{id} every 20 ms until the batch is
terminal, then GET /api/v1/batches (a list read, which flushes the write-behind buffer) so the
submission ends with everything written. Each process first runs the workload --warmup times
(default 1), so the timed submission runs on a JIT-warm JVM like a service that has been up a
while; the first (cold) submission is printed too. Prints one line per store and run, and the
medians with their ratio to the memory store.

The service is secure by default: each process gets the harness's admin key as its bootstrap key
(failfast.security.bootstrap-key, as FAILFAST_SECURITY_BOOTSTRAP_KEY) and every /api/v1 call sends
it as 'Authorization: Bearer'; the readiness probe is anonymous. The key is $FAILFAST_BENCH_KEY
(32+ characters) if set, else the fixed key of bench/harness/common.py. PostgreSQL: 127.0.0.1:5432,
user postgres, database test, schema failfast_bench_store (dropped and created before each run).

With --jars A.jar,B.jar each run goes through every store with each jar in turn (A/B in the same
minutes, so machine load hits both alike); --java-opts passes JVM options (e.g. a JFR recording).

Usage: scripts/bench-store.py [--runs N] [--warmup N] [--stores memory,h2,postgres] [--workload FILE]
                              [--port N] [--jars A.jar,B.jar] [--java-opts "OPTS"]
"""
import argparse, glob, json, os, shutil, signal, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "harness"))
import common  # noqa: E402  (bench/harness/common.py: the bench key)

PG_SCHEMA = "failfast_bench_store"
STORES = {
    "memory": ["--failfast.store.type=memory"],
    "h2": ["--failfast.store.type=jdbc"],  # default: jdbc:h2:file:./data/failfast in the run's directory
    "postgres": ["--failfast.store.type=jdbc", "--spring.profiles.active=postgres",
                 f"--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema={PG_SCHEMA}"
                 "&reWriteBatchedInserts=true"],
}


def http(method, url, body=None, auth=True):
    headers = {"Content-Type": "application/json", **(common.auth_headers() if auth else {})}
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, json.loads(r.read() or b"null")


def submit(base, workload):
    t0 = time.perf_counter()
    status, batch = http("POST", base + "/api/v1/batches", workload)
    t_post = time.perf_counter() - t0
    while batch["state"] not in ("SUCCEEDED", "FAILED", "CANCELLED"):
        time.sleep(0.02)
        batch = http("GET", base + "/api/v1/batches/" + batch["id"])[1]
    t_terminal = time.perf_counter() - t0
    http("GET", base + "/api/v1/batches?size=1")
    t_flushed = time.perf_counter() - t0
    return batch, t_post, t_terminal, t_flushed


def run(java, jar, store, workload, port, warmup, java_opts=()):
    work = tempfile.mkdtemp(prefix="ff-bench-")
    if store == "postgres":
        # Its own schema, so that every table of the schema (api_key and the lease tables too) starts empty.
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-v", "ON_ERROR_STOP=1", "-c",
                        f"SET client_min_messages TO WARNING; DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; "
                        f"CREATE SCHEMA {PG_SCHEMA}"], check=True)
    log = open(os.path.join(work, "app.log"), "w")
    proc = subprocess.Popen([java, *java_opts, "-jar", jar, f"--server.port={port}", *STORES[store]], cwd=work, stdout=log,
                            stderr=subprocess.STDOUT, env=common.service_env())
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if http("GET", base + "/actuator/health/readiness", auth=False)[0] == 200:
                    break
            except Exception:
                time.sleep(0.2)
        cold = None
        for _ in range(warmup):
            terminal = submit(base, workload)[2]
            cold = terminal if cold is None else cold
        batch, t_post, t_terminal, t_flushed = submit(base, workload)
        return batch, t_post, t_terminal, t_flushed, t_terminal if cold is None else cold
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        if os.environ.get("KEEP") is None:
            shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--stores", default="memory,h2,postgres")
    ap.add_argument("--workload", default="/work/shared/workloads/noop-100k.json")
    ap.add_argument("--port", type=int, default=18180)
    ap.add_argument("--jars", default=None, help="comma-separated jars to alternate (default: the built one)")
    ap.add_argument("--java-opts", default="", help="JVM options for every service process")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    jars = args.jars.split(",") if args.jars else [
        [j for j in glob.glob(os.path.join(root, "target", "failfast-*.jar")) if "plain" not in j][0]]
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
    workload = open(args.workload, "rb").read()
    results = {}
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    for i in range(args.runs):
        for jar in jars:
            tag = os.path.basename(jar) if len(jars) > 1 else ""
            for store in args.stores.split(","):
                batch, t_post, t_terminal, t_flushed, t_cold = run(java, jar, store, workload, args.port,
                                                                   args.warmup, args.java_opts.split())
                results.setdefault((tag, store), []).append(t_terminal)
                print(f"run {i + 1} {tag} {store:9s} {batch['state']} {batch['counts']['succeeded']} succeeded: "
                      f"POST {t_post:.2f} s, terminal {t_terminal:.2f} s, flushed {t_flushed:.2f} s "
                      f"(cold JVM: terminal {t_cold:.2f} s)", flush=True)
    for (tag, store), times in results.items():
        median = sorted(times)[len(times) // 2]
        memory = sorted(results.get((tag, "memory"), [0]))
        base = memory[len(memory) // 2]
        ratio = f"{median / base:.2f}x memory" if base else ""
        print(f"median {tag} {store:9s} POST->terminal {median:.2f} s {ratio}")
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
