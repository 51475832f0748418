#!/usr/bin/env python3
"""`http` jobs against a local HTTP server, 16 in flight, against a plain JDK HttpClient loop.

One loopback server (bench/src/main/java/dev/failfast/bench/LoopbackHttp.java `serve`: a JDK
HttpServer answering 200 on 32 threads), one Failfast service (default settings, H2 store; its
SSRF guard opened to 127.0.0.0/8 and the server's port), and one baseline JVM
(LoopbackHttp `loop`: 16 threads calling one HttpClient, each sending its next GET as soon as the
last answered). Each round submits a batch of --jobs `http` GETs to the server with
maxParallelism 16 (polling GET /batches/{id} every 10 ms until terminal; the figure is the
batch's own createdAt -> finishedAt) and then has the baseline send as many requests, so machine
load hits both alike. --warmup rounds first, untimed, for the JIT of both JVMs.

Usage: bench/harness/http_jobs.py [--jobs N] [--rounds N] [--warmup N] [--jar JAR] [--java-opts="OPTS"]

Python 3 standard library only.
"""
import argparse, glob, json, os, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "bench", "src", "main", "java", "dev", "failfast", "bench", "LoopbackHttp.java")
CONCURRENCY = 16


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--jar", default=None)
    ap.add_argument("--java-opts", default="")
    args = ap.parse_args()
    jar = args.jar or [j for j in glob.glob(os.path.join(ROOT, "target", "failfast-*.jar")) if "plain" not in j][0]
    java = common.find_java()
    port = common.free_port()
    url = f"http://127.0.0.1:{port}/ok"
    print(f"load average {os.getloadavg()[0]:.2f}; {args.jobs} requests per round, {CONCURRENCY} in flight; "
          f"jar {os.path.relpath(jar, ROOT)}", flush=True)
    server = subprocess.Popen([java, SOURCE, "serve", str(port)], stdout=subprocess.PIPE, text=True)
    loop = None
    try:
        server.stdout.readline()  # "listening PORT"
        loop = subprocess.Popen([java, SOURCE, "loop", url, str(CONCURRENCY)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        app_args = ["--failfast.jobs.http.allowed-networks=127.0.0.0/8", f"--failfast.jobs.http.allowed-ports={port}"]
        spec = {"name": "http-16", "maxParallelism": CONCURRENCY, "jobs": [
            {"id": f"h{i}", "type": "http", "params": {"url": url}} for i in range(args.jobs)]}
        body = json.dumps(spec, separators=(",", ":")).encode()
        failfast, plain = [], []
        with common.Service(jar, java, jvm_args=args.java_opts.split(), app_args=app_args) as service:
            for r in range(args.warmup + args.rounds):
                batch = service.wait_terminal_poll(service.post("/api/v1/batches", body)["id"])
                if batch["state"] != "SUCCEEDED":
                    raise SystemExit(f"batch ended {batch['state']}: {batch.get('cancellation')}")
                ff = (common.instant_ms(batch["finishedAt"]) - common.instant_ms(batch["createdAt"])) / 1000
                loop.stdin.write(f"{args.jobs}\n")
                loop.stdin.flush()
                seconds, failed = loop.stdout.readline().split()
                if int(failed):
                    raise SystemExit(f"the baseline loop had {failed} failed requests")
                timed = r >= args.warmup
                if timed:
                    failfast.append(ff)
                    plain.append(float(seconds))
                print(f"{'round' if timed else 'warm-up'} {r + 1}: failfast {ff:.2f} s ({args.jobs / ff:.0f} jobs/s), "
                      f"HttpClient loop {float(seconds):.2f} s ({args.jobs / float(seconds):.0f} req/s)", flush=True)
        f, p = statistics.median(failfast), statistics.median(plain)
        print(f"median: failfast {args.jobs / f:.0f} jobs/s, HttpClient loop {args.jobs / p:.0f} req/s: "
              f"failfast at {100 * p / f:.0f} % of the loop; per-round ratios "
              + ", ".join(f"{100 * b / a:.0f} %" for a, b in zip(failfast, plain)))
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        for process in (loop, server):
            if process:
                process.terminate()
                process.wait(30)


if __name__ == "__main__":
    main()
