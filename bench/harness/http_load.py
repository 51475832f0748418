"""HTTP load with wrk on one service instance, targets and their baselines alternated in one run.

  GET  /api/v1/batches/{id} of a 100 000-job batch  vs  GET /actuator/health/liveness
  POST /api/v1/batches of a 5-job batch             vs  the same trivial GET
  SSE: 200 subscribers on one running batch         vs  1 subscriber (bench SseLoad client):
       5 000 jobs of 200 ms, parallelism 8 (about 80 job events/s per stream); once every stream is
       open, a 10 s window, then the batch is cancelled; lag of job events inside the window
RSS of the service is sampled during the POST load.

The service is started with the harness's admin key (common.BENCH_KEY: $FAILFAST_BENCH_KEY, or a
fixed default) as its bootstrap key; the API targets send it (`wrk -H 'Authorization: Bearer ...'`,
and SseLoad reads it from FAILFAST_BENCH_KEY), so their figures include authenticating each request.
The liveness baseline is called anonymously, as probes call it.

All of these calls come from one tenant (the admin key's), so the service is started with that
tenant's quotas raised out of the way: its batches per minute (default 600, which the POST load
passes within a second) and its open event streams (failfast.streams.max-open-per-tenant, default
100, which would refuse half of the 200 subscribers with 429). What is measured is the API, not
admission.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import threading
import time

import common

SMALL_BATCH = json.dumps({"name": "small", "maxParallelism": 5, "jobs": [
    {"id": f"s{i}", "type": "sleep", "params": {"duration": "PT0S", "steps": 1}} for i in range(5)]})


def wrk(url, seconds, connections, threads=2, script=None, headers=None):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": p99_ms, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "", "raw": out}


def alternate(pairs, rounds, seconds, connections):
    """Runs each (name, url, script, headers) `rounds` times, alternating, and keeps the mean of each."""
    results = {name: [] for name, _, _, _ in pairs}
    for _ in range(rounds):
        for name, url, script, headers in pairs:
            results[name].append(wrk(url, seconds, connections, script=script, headers=headers))
    return {name: {"rps": common.mean([r["rps"] for r in runs]), "p99_ms": common.mean([r["p99_ms"] for r in runs]),
                   "non2xx": sum(r["non2xx"] for r in runs), "socket_errors": [r["socket_errors"] for r in runs]}
            for name, runs in results.items()}


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.max_kib, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.max_kib = max(self.max_kib, common.rss_kib(self.pid))
            time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--classpath", required=True, help="classpath of SseLoad")
    parser.add_argument("--big", required=True, help="the 100 000-job workload")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    java = common.find_java()
    os.makedirs(args.out, exist_ok=True)
    post_script = os.path.join(args.out, "post-small-batch.lua")
    with open(post_script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(SMALL_BATCH)}\n")

    quotas_out_of_the_way = ["--failfast.tenants.defaults.batches-per-minute=1000000",
                             f"--failfast.streams.max-open-per-tenant={max(args.subscribers, 100)}",
                             f"--failfast.streams.max-open={max(args.subscribers, 1000)}"]
    with common.Service(args.jar, java, app_args=quotas_out_of_the_way,
                        log_path=os.path.join(args.out, "http-load-service.log")) as service:
        with open(args.big, "rb") as f:
            big = service.post("/api/v1/batches", f.read())
        service.wait_terminal_poll(big["id"], interval=0.1)
        trivial = service.base + "/actuator/health/liveness"
        get_batch = f"{service.base}/api/v1/batches/{big['id']}"
        auth = service.headers  # on the API targets only: the liveness baseline stays anonymous
        wrk(trivial, 3, args.connections)  # warm-up
        wrk(get_batch, 3, args.connections, headers=auth)
        gets = alternate([("liveness", trivial, None, None), ("batch", get_batch, None, auth)],
                         args.rounds, args.seconds, args.connections)
        sampler = RssSampler(service.pid)
        sampler.start()
        wrk(service.base + "/api/v1/batches", 3, args.connections, script=post_script, headers=auth)  # warm-up
        posts = alternate([("liveness", trivial, None, None),
                           ("post", service.base + "/api/v1/batches", post_script, auth)],
                          args.rounds, args.seconds, args.connections)
        sampler.running = False
        sse = {}
        for n in (1, args.subscribers):
            client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            service_before = common.cpu_seconds(service.pid)
            out = subprocess.run([java, "-cp", args.classpath, "dev.failfast.bench.SseLoad", service.base, str(n),
                                  "5000", "PT0.2S", "8", "10"], capture_output=True, text=True, check=True,
                                 env={**os.environ, common.BENCH_KEY_ENV: service.key}).stdout
            client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            sse[n] = json.loads(out.strip().splitlines()[-1])
            sse[n]["service_cpu_s"] = common.cpu_seconds(service.pid) - service_before
            sse[n]["client_cpu_s"] = (client_after.ru_utime + client_after.ru_stime
                                      - client_before.ru_utime - client_before.ru_stime)

    result = {"get": gets, "post": posts, "sse": sse, "rss_max_under_post_load_mib": sampler.max_kib / 1024}
    with open(os.path.join(args.out, "http-load.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} alternating rounds each\n")
    print(common.markdown_table(
        ["endpoint", "req/s", "p99 (ms)", "ratio to liveness req/s", "non-2xx"],
        [["GET /actuator/health/liveness (baseline)", f"{gets['liveness']['rps']:.0f}",
          f"{gets['liveness']['p99_ms']:.2f}", "1.00", gets["liveness"]["non2xx"]],
         ["GET /api/v1/batches/{id} (100 000 jobs)", f"{gets['batch']['rps']:.0f}", f"{gets['batch']['p99_ms']:.2f}",
          f"{gets['batch']['rps'] / gets['liveness']['rps']:.2f}", gets["batch"]["non2xx"]],
         ["GET /actuator/health/liveness (baseline, POST round)", f"{posts['liveness']['rps']:.0f}",
          f"{posts['liveness']['p99_ms']:.2f}", "1.00", posts["liveness"]["non2xx"]],
         ["POST /api/v1/batches (5 jobs)", f"{posts['post']['rps']:.0f}", f"{posts['post']['p99_ms']:.2f}",
          f"{posts['post']['rps'] / posts['liveness']['rps']:.2f}", posts["post"]["non2xx"]]]))
    print()
    base = sse[1]
    print(common.markdown_table(
        ["subscribers", "all streams open after (ms)", "completed", "events received", "lagged events",
         "events in window", "lag p50 / p99 / max (ms)", "CPU s: service / client",
         "p50 ratio to 1 subscriber"],
        [[s["subscribers"], f"{s['open_ms']:.0f}", s["completed"], s["events"], s["lagged"], s["measured"],
          f"{s['lag_p50_ms']:.1f} / {s['lag_p99_ms']:.1f} / {s['lag_max_ms']:.1f}",
          f"{s['service_cpu_s']:.1f} / {s['client_cpu_s']:.1f}",
          f"{s['lag_p50_ms'] / base['lag_p50_ms']:.1f}"] for s in sse.values()]))
    print(f"\nRSS max during POST load: {result['rss_max_under_post_load_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
