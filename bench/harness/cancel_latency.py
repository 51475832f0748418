"""Cancel-latency harness: one workload, Failfast over HTTP and the seeds' approaches, interleaved.

Every approach yields a trace (see seeds.py); the same function turns each trace into figures:
  propagation       failure -> every job terminal (Failfast: the batch's cancellation.propagationMillis,
                    cause requestedAt -> completedAt)
  started after     jobs whose body was entered after the failure (Failfast: job startedAt > requestedAt)
  job-s after       seconds of job bodies running after the failure, summed over jobs
  submit->terminal  submission began -> every job terminal (Failfast: batch createdAt -> finishedAt)
  caller back       failure -> the submitting code got control back with the error (Failfast: the
                    terminal batch event reached the client over SSE)

The service is started with the harness's admin key as its bootstrap key (common.BENCH_KEY:
$FAILFAST_BENCH_KEY if set, else a fixed key; builds from before authentication ignore it), and
every API call of the Failfast approach (POST, the SSE stream, the job list) sends it.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import common
import seeds


def figures(trace):
    failure = trace["failure"]
    ends = [end for _, _, end in trace["jobs"]]
    terminal = max([trace["returned"], *ends])
    return {
        "propagation_ms": trace.get("propagation_ms", terminal - failure),
        "started_after": sum(1 for _, start, _ in trace["jobs"] if start > failure),
        "job_s_after": sum(max(0.0, end - max(start, failure)) for _, start, end in trace["jobs"]) / 1000,
        "submit_to_terminal_ms": trace.get("terminal", terminal),
        "caller_back_ms": trace["returned"] - failure,
    }


class Failfast:
    name = "failfast"

    def __init__(self, service, body, rule=None):
        """`rule`: the onError rule that must have recorded the cause ("onError[49]"), None for none."""
        self.service = service
        self.body = body
        self.rule = rule

    def run(self):
        client_t0 = time.time() * 1000
        submitted = self.service.post("/api/v1/batches", self.body)
        final = self.service.wait_terminal_sse(submitted["id"])
        client_end = time.time() * 1000
        jobs = self.service.get(f"/api/v1/batches/{submitted['id']}/jobs?size=1000")["content"]
        cause = final["cancellation"]
        if final["state"] != "FAILED" or cause is None or cause["cause"] != "JOB_FAILED":
            raise SystemExit(f"unexpected outcome: {final}")
        if cause.get("rule") != self.rule:
            raise SystemExit(f"the cause was recorded by rule {cause.get('rule')}, expected {self.rule}: {final}")
        t0 = common.instant_ms(final["createdAt"])
        return {
            "approach": self.name,
            "failure": common.instant_ms(cause["requestedAt"]) - t0,
            "propagation_ms": cause["propagationMillis"],
            "terminal": common.instant_ms(final["finishedAt"]) - t0,
            "returned": client_end - t0,
            "client_submit_to_terminal_ms": client_end - client_t0,
            "jobs": [[j["id"], common.instant_ms(j["startedAt"]) - t0, common.instant_ms(j["finishedAt"]) - t0]
                     for j in jobs if j["startedAt"] is not None],
        }


class JavaBaseline:
    name = "java-executor-cancel"

    def __init__(self, java, classpath, workload_path):
        self.process = subprocess.Popen(
            [java, "-cp", classpath, "dev.failfast.bench.SeedExecutorBaseline", workload_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self):
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait(30)


class PythonSeed:
    def __init__(self, name, works, parallelism):
        self.name = name
        self.works = works
        self.parallelism = parallelism

    def run(self):
        return seeds.APPROACHES[self.name](self.works, self.parallelism)


def summarize(name, runs):
    f = [figures(t) for t in runs]
    col = lambda key: [x[key] for x in f]
    prop = col("propagation_ms")
    row = {
        "approach": name,
        "runs": len(runs),
        "propagation_p50": common.percentile(prop, 50),
        "propagation_p99": common.percentile(prop, 99),
        "propagation_max": max(prop),
        "started_after_mean": common.mean(col("started_after")),
        "started_after_max": max(col("started_after")),
        "job_s_after_mean": common.mean(col("job_s_after")),
        "submit_to_terminal_p50": common.percentile(col("submit_to_terminal_ms"), 50),
        "caller_back_p50": common.percentile(col("caller_back_ms"), 50),
    }
    if name == "failfast":
        row["client_submit_to_terminal_p50"] = common.percentile([t["client_submit_to_terminal_ms"] for t in runs], 50)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--classpath", required=True, help="classpath of SeedExecutorBaseline")
    parser.add_argument("--workload", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", required=True, help="directory for results")
    parser.add_argument("--java-opts", default="", help="JVM options for the service (e.g. a JFR recording)")
    args = parser.parse_args()

    java = common.find_java()
    with open(args.workload, "rb") as f:
        body = f.read()
    workload = json.loads(body)
    works = [seeds.Work(job) for job in workload["jobs"]]
    parallelism = workload["maxParallelism"]
    os.makedirs(args.out, exist_ok=True)

    with common.Service(args.jar, java, jvm_args=args.java_opts.split(), log_path=os.path.join(args.out, "cancel-latency-service.log")) as service:
        java_baseline = JavaBaseline(java, args.classpath, args.workload)
        approaches = [Failfast(service, body), *(PythonSeed(n, works, parallelism) for n in seeds.APPROACHES),
                      java_baseline]
        traces = {a.name: [] for a in approaches}
        try:
            for i in range(args.warmup + args.runs):
                for approach in approaches:  # interleaved, so load on the machine hits all alike
                    trace = approach.run()
                    if i >= args.warmup:
                        traces[approach.name].append(trace)
                print(f"run {i + 1}/{args.warmup + args.runs}", file=sys.stderr, flush=True)
        finally:
            java_baseline.close()

    rows = [summarize(name, runs) for name, runs in traces.items()]
    with open(os.path.join(args.out, "cancel-latency.json"), "w") as f:
        json.dump({"rows": rows, "traces": traces}, f, indent=1)
    ff = rows[0]
    table = common.markdown_table(
        ["approach", "runs", "propagation p50 / p99 / max (ms)", "× Failfast p50", "started after failure mean (max)",
         "job-s after failure (mean)", "submit→terminal p50 (ms)", "caller back after failure p50 (ms)"],
        [[r["approach"], r["runs"],
          f"{r['propagation_p50']:.1f} / {r['propagation_p99']:.1f} / {r['propagation_max']:.1f}",
          f"{r['propagation_p50'] / ff['propagation_p50']:.1f}",
          f"{r['started_after_mean']:.1f} ({r['started_after_max']})",
          f"{r['job_s_after_mean']:.3f}", f"{r['submit_to_terminal_p50']:.0f}", f"{r['caller_back_p50']:.1f}"]
         for r in rows])
    print(table)
    print(f"\nFailfast client-observed POST → terminal event p50: {ff['client_submit_to_terminal_p50']:.0f} ms")


if __name__ == "__main__":
    main()
