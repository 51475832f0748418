"""Remote workers: cancel propagation to Python workers, and claim throughput.

1. Cancel propagation. The seed-ff workload (100 jobs, 8 at a time, job-003 fails after 250 ms)
   run three ways, interleaved run by run so load on the machine hits all alike:
     remote      the jobs as `remote:sleep` (same params), run by WORKERS Python worker processes
                 (failfast_worker, concurrency 1 each); the handler sleeps in `steps` steps on
                 job.token.wait(), so a cancel ends it at once
     local       the workload as is (`sleep` jobs on the service's own threads)
     py-*        the seeds' Python thread-pool approaches (seeds.py), in this process
   Figures per run:
     received    remote: cause recorded (the batch's cancellation.requestedAt) -> the last running
                 handler's token set (time.time() on the worker's event-stream thread). Server and
                 workers share the machine's wall clock (CLOCK_REALTIME), so this is one clock.
     trip        remote: per running handler, its attempt cancelled (the cancel event's
                 requestedAt, the service's clock) -> its token set (the worker's time.time()):
                 the cancel's way to the worker, worst of the run. One clock on one machine only
                 (with --url to another host the figure is meaningless: use received).
     cancelled   remote: cause recorded -> the last running attempt cancelled (requestedAt), the
                 service's own part of received
     stopped     remote: cause recorded -> the last running handler returned (the issue's
                 measure: every worker's handler stopped); local: the batch's propagationMillis
                 (cause -> every running job terminal); py-*: failure -> every job ended
     terminal    remote, local: the service's propagationMillis (cause -> every job terminal,
                 for remote: the workers' reports included)
2. Claim throughput: a batch of N no-op `remote:noop` jobs (maxParallelism 64) run by 1, 4 and
   16 worker processes; jobs/s from POST to the terminal batch event.

Start a service (--jar, given the harness's admin key as bootstrap key, see common.py) or use one
(--url, --key: an admin key, or one with batches:read/write and workers:run).
Python 3 standard library only.
"""
import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))

import common  # noqa: E402
import seeds  # noqa: E402
from failfast_worker import FailfastClient, JobFailed, Worker, parse_duration  # noqa: E402


# -- the worker process ------------------------------------------------------------------------

def worker_main(args):
    """One worker process: serves remote:sleep and remote:noop, writes a JSON line per handler
    start and stop to stdout."""
    out_lock = threading.Lock()

    def emit(**record):
        with out_lock:
            sys.stdout.write(json.dumps(record) + "\n")
            sys.stdout.flush()

    worker = Worker(args.url, args.key, concurrency=args.concurrency, name=f"bench-{os.getpid()}")

    @worker.job("sleep")
    def sleep(job):
        """The service's sleep type, on the token: `duration` in `steps` steps, fails at `failAfter`."""
        params = job.params
        received = []
        job.token.on_cancel(lambda: received.append(job.token.cancel_received_at))
        emit(event="start", batch=job.batch_id, job=job.job_id, wall=time.time())
        try:
            duration = parse_duration(params.get("duration", "PT1S"))
            steps = params.get("steps", 10)
            fail_after = parse_duration(params["failAfter"]) if "failAfter" in params else None
            start = time.monotonic()
            for step in range(1, steps + 1):
                step_end = start + (duration if step == steps else step * duration / steps)
                if fail_after is not None and start + fail_after <= step_end:
                    if job.token.wait(max(0.0, start + fail_after - time.monotonic())):
                        return None
                    raise JobFailed("SIMULATED_FAILURE", params.get("failMessage", "Simulated failure"))
                if job.token.wait(max(0.0, step_end - time.monotonic())):
                    return None
            return {"steps": steps}
        finally:
            requested = job.token.cancel_requested_at
            emit(event="stop", batch=job.batch_id, job=job.job_id, wall=time.time(),
                 received=received[0] if received else None,
                 requested=requested.timestamp() if requested is not None else None)

    @worker.job("noop")
    def noop(job):
        return None

    threading.Thread(target=lambda: (sys.stdin.read(), worker.stop()), daemon=True).start()
    ready = threading.Thread(target=lambda: worker.wait_ready(60) and emit(event="ready"), daemon=True)
    ready.start()
    worker.run()


class Workers:
    """`count` worker processes; their handler records arrive on `records`."""

    def __init__(self, url, key, count, concurrency=1):
        self.records = queue.Queue()
        self.processes = []
        for _ in range(count):
            process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "worker", "--url", url,
                                        "--key", key, "--concurrency", str(concurrency)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.processes.append(process)
            threading.Thread(target=self._read, args=(process,), daemon=True).start()
        ready = 0
        while ready < count:
            if self.records.get(timeout=60)["event"] == "ready":
                ready += 1

    def _read(self, process):
        for line in process.stdout:
            self.records.put(json.loads(line))

    def close(self):
        for process in self.processes:
            process.stdin.close()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


# -- cancel propagation --------------------------------------------------------------------------

def remote_run(client, workers, body):
    """One run of the remote workload; figures in ms."""
    batch = client.submit_batch(body)
    final = client.wait_for_batch(batch["id"], timeout=120)
    cause = final["cancellation"]
    if final["state"] != "FAILED" or not cause or cause["cause"] != "JOB_FAILED":
        raise SystemExit(f"unexpected outcome: {final}")
    jobs = client.list_jobs(batch["id"])
    started = sum(1 for job in jobs if job["startedAt"] is not None)
    # every handler of the batch wrote start and stop before reporting, so before the terminal event
    # (a job the service started may have been withdrawn before any worker claimed it: after a
    # short while, every start seen having its stop is enough)
    starts, stops = set(), {}
    deadline = time.monotonic() + 2
    while len(stops) < started and (time.monotonic() < deadline or starts - set(stops)):
        try:
            record = workers.records.get(timeout=0.1)
        except queue.Empty:
            continue
        if record.get("batch") != batch["id"]:
            continue
        if record["event"] == "start":
            starts.add(record["job"])
        else:
            stops[record["job"]] = record
    cause_ms = common.instant_ms(cause["requestedAt"])
    running = [r for job_id, r in stops.items() if job_id != cause["jobId"] and r["received"] is not None]
    if not running:
        raise SystemExit(f"no handler was running at the cause: {stops}")
    finished = {job["id"]: common.instant_ms(job["finishedAt"]) for job in jobs if job["finishedAt"]}
    return {
        "received_ms": max(r["received"] * 1000 for r in running) - cause_ms,
        "trip_ms": max([(r["received"] - r["requested"]) * 1000 for r in running if r.get("requested")],
                       default=None),
        "cancelled_ms": max([r["requested"] * 1000 for r in running if r.get("requested")],
                            default=cause_ms) - cause_ms,
        # a handler stopped -> its job terminal on the service: the report's trip and the engine
        "report_ms": max(finished[job_id] - r["wall"] * 1000 for job_id, r in stops.items()
                         if job_id in finished and r in running),
        "stopped_ms": max(r["wall"] * 1000 for r in running) - cause_ms,
        "terminal_ms": cause["propagationMillis"],
        "running": len(running),
        "started_after": sum(1 for job in jobs if job["startedAt"] and common.instant_ms(job["startedAt"]) > cause_ms),
    }


def local_run(client, body):
    batch = client.submit_batch(body)
    final = client.wait_for_batch(batch["id"], timeout=120)
    cause = final["cancellation"]
    jobs = client.list_jobs(batch["id"])
    cause_ms = common.instant_ms(cause["requestedAt"])
    return {"stopped_ms": cause["propagationMillis"], "terminal_ms": cause["propagationMillis"],
            "started_after": sum(1 for job in jobs if job["startedAt"] and common.instant_ms(job["startedAt"]) > cause_ms)}


def seed_run(name, works, parallelism):
    trace = seeds.APPROACHES[name](works, parallelism)
    ends = [end for _, _, end in trace["jobs"]]
    return {"stopped_ms": max([trace["returned"], *ends]) - trace["failure"],
            "started_after": sum(1 for _, start, _ in trace["jobs"] if start > trace["failure"])}


def cancel_metric(url, key):
    """The service's own timer of remote cancels (cancel requested -> written to the worker's
    stream): (count, sum seconds, max seconds), from /actuator/prometheus."""
    request = urllib.request.Request(url + "/actuator/prometheus", headers=common.auth_headers(key))
    values = {}
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            for line in response.read().decode().splitlines():
                if line.startswith("failfast_remote_cancel_latency_seconds_"):
                    name, value = line.rsplit(" ", 1)
                    values[name.split("{")[0].rsplit("_", 1)[1]] = float(value)
    except OSError as e:
        print(f"could not read the service's metrics: {e}", file=sys.stderr)
    return values.get("count", 0.0), values.get("sum", 0.0), values.get("max", float("nan"))


def cancel_benchmark(client, url, key, workload, runs, warmup, worker_count):
    remote_body = {**workload, "name": "seed-ff-remote",
                   "jobs": [{**job, "type": "remote:sleep"} for job in workload["jobs"]]}
    works = [seeds.Work(job) for job in workload["jobs"]]
    results = {"remote": [], "local": [], **{name: [] for name in seeds.APPROACHES}}
    workers = Workers(url, key, worker_count)
    try:
        for i in range(warmup + runs):
            figures = {"remote": remote_run(client, workers, remote_body), "local": local_run(client, workload)}
            for name in seeds.APPROACHES:
                figures[name] = seed_run(name, works, workload["maxParallelism"])
            if i == warmup - 1 or (warmup == 0 and i == 0):
                before = cancel_metric(url, key)
            if i >= warmup:
                for name, value in figures.items():
                    results[name].append(value)
            trip = figures["remote"]["trip_ms"]
            print(f"run {i + 1}/{warmup + runs}: remote received {figures['remote']['received_ms']:.1f} ms "
                  f"(trip {trip if trip is None else round(trip, 1)} ms), "
                  f"stopped {figures['remote']['stopped_ms']:.1f} ms", file=sys.stderr, flush=True)
    finally:
        workers.close()
    after = cancel_metric(url, key)
    count = after[0] - before[0]
    results["server_cancel_write"] = {"cancels": count, "mean_ms": (after[1] - before[1]) / count * 1000
                                      if count else float("nan"), "max_ms": after[2] * 1000}
    return results


def cancel_table(results, worker_count):
    rows = []
    for name, runs in results.items():
        if name == "server_cancel_write":
            continue
        col = lambda key: [r[key] for r in runs if r.get(key) is not None]  # noqa: E731

        def p(key):
            values = col(key)
            return (f"{common.percentile(values, 50):.1f} / {common.percentile(values, 99):.1f}"
                    if values else "–")

        label = {"remote": f"failfast remote ({worker_count} Python workers)",
                 "local": "failfast local (sleep jobs)"}.get(name, name)
        rows.append([label, len(runs), p("received_ms"), p("cancelled_ms"), p("trip_ms"), p("stopped_ms"), p("report_ms"), p("terminal_ms"),
                     f"{common.mean(col('started_after')):.1f}"])
    return common.markdown_table(
        ["approach", "runs", "cause → cancel received p50 / p99 (ms)",
         "cause → last attempt cancelled (requestedAt) p50 / p99 (ms)",
         "attempt cancelled → its worker received, worst p50 / p99 (ms)", "cause → every handler stopped p50 / p99 (ms)",
         "handler stopped → its job terminal, worst p50 / p99 (ms)", "cause → every job terminal (service) p50 / p99 (ms)",
         "started after the cause (mean)"], rows)


# -- claim throughput ---------------------------------------------------------------------------

def throughput(client, url, key, worker_counts, jobs, rounds, concurrency=1):
    rows = []
    body = {"name": "noop-remote", "failurePolicy": "CONTINUE", "maxParallelism": 64,
            "jobs": [{"id": f"job-{n:05d}", "type": "remote:noop"} for n in range(jobs)]}
    for count in worker_counts:
        workers = Workers(url, key, count, concurrency)
        try:
            rates = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                batch = client.submit_batch(body)
                final = client.wait_for_batch(batch["id"], timeout=600)
                seconds = time.perf_counter() - t0
                if final["state"] != "SUCCEEDED":
                    raise SystemExit(f"unexpected outcome: {final}")
                rates.append(jobs / seconds)
                print(f"{count} workers: {jobs / seconds:.0f} jobs/s", file=sys.stderr, flush=True)
        finally:
            workers.close()
        rows.append([count, jobs, rounds, f"{common.percentile(rates, 50):.0f}", f"{max(rates):.0f}"])
    return common.markdown_table([f"worker processes (concurrency {concurrency})", "jobs", "rounds", "jobs/s p50", "jobs/s max"],
                                 rows)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        parser = argparse.ArgumentParser()
        parser.add_argument("worker")
        parser.add_argument("--url", required=True)
        parser.add_argument("--key", required=True)
        parser.add_argument("--concurrency", type=int, default=1)
        return worker_main(parser.parse_args())
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", help="the service jar to start (else --url)")
    parser.add_argument("--url", help="a running service")
    parser.add_argument("--key", default=common.BENCH_KEY, help="API key (default: the harness's admin key)")
    parser.add_argument("--workload", required=True, help="seed-ff.json")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--noop-jobs", type=int, default=2000)
    parser.add_argument("--throughput-workers", default="1,4,16")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--throughput-concurrency", type=int, default=1, help="each worker's concurrency")
    parser.add_argument("--out", help="directory for the JSON results")
    parser.add_argument("--skip", default="", help="comma-separated: cancel, throughput")
    args = parser.parse_args()
    with open(args.workload) as f:
        workload = json.load(f)
    skip = set(filter(None, args.skip.split(",")))

    def bench(url):
        client = FailfastClient(url, args.key)
        print(f"- load average at start: {' '.join(open('/proc/loadavg').read().split()[:3])}")
        report = {}
        if "cancel" not in skip:
            results = cancel_benchmark(client, url, args.key, workload, args.runs, args.warmup, args.workers)
            report["cancel"] = results
            print(cancel_table(results, args.workers))
            server = results["server_cancel_write"]
            print(f"\nService side (failfast_remote_cancel_latency_seconds, cancel requested → written to the "
                  f"worker's stream), timed runs: {server['cancels']:.0f} cancels, mean {server['mean_ms']:.2f} ms, "
                  f"max (recent window) {server['max_ms']:.2f} ms")
            print()
        if "throughput" not in skip:
            counts = [int(n) for n in args.throughput_workers.split(",")]
            print(throughput(client, url, args.key, counts, args.noop_jobs, args.rounds, args.throughput_concurrency))
        print(f"- load average at end: {' '.join(open('/proc/loadavg').read().split()[:3])}")
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, "remote-cancel.json"), "w") as f:
                json.dump(report, f, indent=1)

    if args.url:
        bench(args.url.rstrip("/"))
    elif args.jar:
        log_path = os.path.join(args.out, "remote-service.log") if args.out else None
        if args.out:
            os.makedirs(args.out, exist_ok=True)
        with common.Service(args.jar, common.find_java(), log_path=log_path, key=args.key) as service:
            bench(service.base)
    else:
        parser.error("--jar or --url")


if __name__ == "__main__":
    main()
