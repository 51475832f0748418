#!/usr/bin/env python3
"""Durable-store benchmark: the 100 000-job no-op batch, POST -> terminal, per store.

Starts the built jar (target/failfast-*.jar) once per store configuration, in turn, on a fresh
data directory; submits the workload, polls GET /api/v1/batches/{id} every 20 ms until the batch is
terminal, then GET /api/v1/batches (a list read, which flushes the write-behind buffer) so the
submission ends with everything written. Each process first runs the workload --warmup times
(default 1), so the timed submission runs on a JIT-warm JVM like a service that has been up a
while; the first (cold) submission is printed too. Prints one line per store and run, and the
medians with their ratio to the memory store.

Usage: scripts/bench-store.py [--runs N] [--warmup N] [--stores memory,h2,postgres] [--workload FILE]
"""
import argparse, glob, json, os, shutil, signal, subprocess, sys, tempfile, time, urllib.request

STORES = {
    "memory": ["--failfast.store.type=memory"],
    "h2": ["--failfast.store.type=jdbc"],  # default: jdbc:h2:file:./data/failfast in the run's directory
    "postgres": ["--failfast.store.type=jdbc", "--spring.profiles.active=postgres"],
}


def http(method, url, body=None):
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
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


def run(java, jar, store, workload, port, warmup):
    work = tempfile.mkdtemp(prefix="ff-bench-")
    if store == "postgres":
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-c",
                        "DROP TABLE IF EXISTS job, batch_label, batch, flyway_schema_history CASCADE"], check=True)
    log = open(os.path.join(work, "app.log"), "w")
    proc = subprocess.Popen([java, "-jar", jar, f"--server.port={port}", *STORES[store]], cwd=work, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if http("GET", base + "/actuator/health/readiness")[0] == 200:
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
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--stores", default="memory,h2,postgres")
    ap.add_argument("--workload", default="/work/shared/workloads/noop-100k.json")
    ap.add_argument("--port", type=int, default=18180)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    jar = [j for j in glob.glob(os.path.join(root, "target", "failfast-*.jar")) if "plain" not in j][0]
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
    workload = open(args.workload, "rb").read()
    results = {}
    for i in range(args.runs):
        for store in args.stores.split(","):
            batch, t_post, t_terminal, t_flushed, t_cold = run(java, jar, store, workload, args.port, args.warmup)
            results.setdefault(store, []).append(t_terminal)
            print(f"run {i + 1} {store:9s} {batch['state']} {batch['counts']['succeeded']} succeeded: "
                  f"POST {t_post:.2f} s, terminal {t_terminal:.2f} s, flushed {t_flushed:.2f} s "
                  f"(cold JVM: terminal {t_cold:.2f} s)", flush=True)
    base = sorted(results.get("memory", [0]))[len(results.get("memory", [0])) // 2]
    for store, times in results.items():
        median = sorted(times)[len(times) // 2]
        ratio = f"{median / base:.2f}x memory" if base else ""
        print(f"median {store:9s} POST->terminal {median:.2f} s {ratio}")


if __name__ == "__main__":
    sys.exit(main())
