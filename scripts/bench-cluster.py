#!/usr/bin/env python3
"""Cluster-mode benchmark: replicas on one PostgreSQL against the single instance, in one run.

A. Throughput. The no-op workload (noop-100k.json, or its first --jobs jobs), POST -> terminal,
   polling GET /api/v1/batches/{id} every 20 ms, for: the single instance on PostgreSQL
   (failfast.cluster.enabled=false, the baseline: live state in memory, written behind), then
   cluster mode with 1, 2 and 3 replicas (all started and ready; the POST and the polls go to
   replica 1). Each configuration gets a freshly reset schema and fresh processes, one warm-up
   submission waited to terminal, then --runs timed submissions. Prints per run the seconds, the
   jobs/s and the share of the jobs each replica ran (job.owner_node), then the medians with their
   ratio to the single instance.

C. Scale-out. A batch of --sleep-jobs jobs that each sleep 250 ms (waiting, like I/O, not
   computing), parallelism 48, 16 worker threads per replica: the single instance, then cluster
   mode with 1, 2 and 3 replicas. Here replicas add threads, which is what they are for.

B. Cross-node cancel propagation. seed-ff.json (FAIL_FAST, 100 sleep jobs of 1 s, parallelism 8,
   job-003 fails after 0.25 s): 3 replicas, each with --failfast.executor.pool-size=3
   --failfast.cluster.claim-size=1 so the 8 running jobs spread over the three, --cancel-runs
   submissions (after --cancel-warmup) round-robin over the replicas; then the same against the
   single instance (default pool). Per submission: cancellation.propagationMillis (cause recorded
   -> last running job of the batch ended, on any replica), the same figure recomputed from the
   job rows, the jobs whose startedAt is later than cancellation.requestedAt (must be 0) and the
   replicas that held started jobs. Prints p50/p90/p99/max of propagationMillis for both, the
   ratio of the p50s and the jobs started after the cause in total.

The service logs go to a temporary directory (printed; kept). Every process started is stopped
at the end, also on Ctrl-C or an error. Python 3 standard library only; PostgreSQL at
127.0.0.1:5432 (user postgres, trust, database test) and psql on the PATH; the jar is
target/failfast-*.jar (build it with ./mvnw -B -q -ntp package -DskipTests).

The service is secure by default: every replica gets the harness's admin key as its bootstrap key
(failfast.security.bootstrap-key, as the environment variable FAILFAST_SECURITY_BOOTSTRAP_KEY) and
every /api/v1 call sends it as 'Authorization: Bearer'; the readiness probes are anonymous. The key
is $FAILFAST_BENCH_KEY (32+ characters) if set, else the fixed key of bench/harness/common.py.

Usage: scripts/bench-cluster.py [--jobs N] [--runs N] [--cancel-runs N] [--cancel-warmup N]
                                [--parts A,B,C] [--sleep-jobs N] [--schema NAME] [--timeout SECONDS]
                                [--jar JAR] [--java-opts="OPTS"] [--configs "single,cluster x1"]
"""
import argparse
import datetime
import glob
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench", "harness"))
import common  # noqa: E402  (bench/harness/common.py: find_java, free_port, percentile, the bench key)

TERMINAL = common.TERMINAL_BATCH_STATES
POLL_S = 0.02
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-v", "ON_ERROR_STOP=1", "-qtA", "-F", "\t"]

JAVA_OPTS = []  # --java-opts: JVM options for every process (e.g. a JFR recording)
problems = []  # checks that failed: printed at the end, and the exit status is 1


def problem(text):
    problems.append(text)
    print("  !! " + text, flush=True)


# ---------------------------------------------------------------------------------------------
# HTTP, psql, time stamps

def http_json(method, url, body=None, timeout=300):
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "application/json", **common.auth_headers()})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.load(response)


def psql(sql):
    out = subprocess.run([*PSQL, "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed ({out.returncode}): {out.stderr.strip()}\n  SQL: {sql}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def reset_schema(schema):
    psql(f"SET client_min_messages TO WARNING; DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")


def instant_ns(text):
    """An ISO-8601 instant as the service writes it (up to nanoseconds), in epoch nanoseconds, exactly."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    zone = ""
    for sign in ("+", "-"):
        at = text.rfind(sign, 19)
        if at > 0:
            text, zone = text[:at], text[at:]
            break
    fraction = ""
    if "." in text:
        text, fraction = text.split(".")
    whole = datetime.datetime.fromisoformat(text + (zone or "+00:00"))
    seconds = int(whole.timestamp())
    return seconds * 1_000_000_000 + int((fraction + "000000000")[:9])


def node_name(owner):
    """owner_node is the node-name, '-' and 8 random characters: r2-1a2b3c4d -> r2."""
    return owner.rsplit("-", 1)[0] if owner and "-" in owner else (owner or "-")


# ---------------------------------------------------------------------------------------------
# Processes

class Replica:
    """One service process on its own port, logging to a file; stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, java, jar, name, port, args, log_dir, label):
        self.name, self.port = name, port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = os.path.join(log_dir, f"{label}-{name}.log")
        self.cmd = [java, *JAVA_OPTS, "-jar", jar, f"--server.port={port}", *args]
        self.process = None
        self.ready_s = None

    def start(self):
        self.log = open(self.log_path, "w")
        # The key is in the environment, not on the command line; the log names the variable, not the key.
        self.log.write(f"$ {common.BOOTSTRAP_KEY_ENV}=<bench key> " + shlex.join(self.cmd) + "\n")
        self.log.flush()
        self.t0 = time.monotonic()
        self.process = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=os.path.dirname(self.log_path),
                                        env=common.service_env())

    def check_alive(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"replica {self.name} exited with {self.process.returncode}; see {self.log_path}")

    def is_ready(self):
        self.check_alive()
        try:
            if common.get_status(self.base + "/actuator/health/readiness") == 200:
                self.ready_s = time.monotonic() - self.t0
                return True
        except OSError:
            pass
        return False

    def signal_stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, timeout=60):
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f"  replica {self.name} did not stop in {timeout} s: killed", flush=True)
            self.process.kill()
            self.process.wait()
        self.log.close()


def used_ports():
    used_ports.ports = getattr(used_ports, "ports", set())
    return used_ports.ports


def fresh_port():
    """A free port no process of this run has been given."""
    while True:
        port = common.free_port()
        if port not in used_ports():
            used_ports().add(port)
            return port


class Deployment:
    """A configuration: the single instance, or N cluster replicas on the schema; a context manager."""

    def __init__(self, ctx, label, replicas, cluster, extra=()):
        self.ctx, self.label = ctx, label
        url = (f"jdbc:postgresql://127.0.0.1:5432/test?currentSchema={ctx.schema}&reWriteBatchedInserts=true")
        self.replicas = []
        for i in range(1, replicas + 1):
            name = f"r{i}"
            args = ["--spring.profiles.active=postgres", f"--spring.datasource.url={url}"]
            if cluster:
                args += ["--failfast.cluster.enabled=true", f"--failfast.cluster.node-name={name}"]
            else:
                args += ["--failfast.cluster.enabled=false"]
            args += list(extra)
            self.replicas.append(Replica(ctx.java, ctx.jar, name, fresh_port(), args, ctx.log_dir, label))

    def __enter__(self):
        reset_schema(self.ctx.schema)
        ctx = self.ctx
        ctx.running.extend(self.replicas)
        # Replica 1 first (it runs the Flyway migrations on the empty schema), then the others together.
        self._start_and_wait(self.replicas[:1])
        self._start_and_wait(self.replicas[1:])
        ready = ", ".join(f"{r.name} :{r.port} ready in {r.ready_s:.1f} s" for r in self.replicas)
        print(f"  [{self.label}] {ready}", flush=True)
        return self

    def _start_and_wait(self, replicas, timeout=240):
        for r in replicas:
            r.start()
        waiting = list(replicas)
        deadline = time.monotonic() + timeout
        while waiting:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready in {timeout} s: {[r.name for r in waiting]}; logs in {self.ctx.log_dir}")
            waiting = [r for r in waiting if not r.is_ready()]
            if waiting:
                time.sleep(0.05)

    def __exit__(self, *exc):
        stop_all(self.replicas)
        for r in self.replicas:
            if r in self.ctx.running:
                self.ctx.running.remove(r)

    def check_alive(self):
        for r in self.replicas:
            r.check_alive()


def stop_all(replicas):
    for r in replicas:
        r.signal_stop()
    for r in replicas:
        r.wait_stopped()


# ---------------------------------------------------------------------------------------------
# Submissions

def submit_and_wait(deployment, replica, body, timeout):
    """POST -> terminal on one replica, polling every 20 ms; (batch, seconds)."""
    t0 = time.perf_counter()
    status, batch = http_json("POST", replica.base + "/api/v1/batches", body)
    if status != 202:
        raise RuntimeError(f"POST answered {status}: {batch}")
    last_alive_check = t0
    while batch["state"] not in TERMINAL:
        time.sleep(POLL_S)
        batch = http_json("GET", replica.base + "/api/v1/batches/" + batch["id"])[1]
        now = time.perf_counter()
        if now - last_alive_check > 1:
            deployment.check_alive()
            last_alive_check = now
        if now - t0 > timeout:
            raise RuntimeError(f"batch {batch['id']} not terminal after {timeout} s: {batch['state']} {batch['counts']}")
    return batch, time.perf_counter() - t0


def owners(schema, batch_id, started_only=False):
    """{job id: owner node name} of the batch's jobs (only those with a started_at if started_only)."""
    where = " AND started_at IS NOT NULL" if started_only else ""
    rows = psql(f"SELECT id, coalesce(owner_node, '') FROM {schema}.job WHERE batch_id = '{batch_id}'{where}")
    return {job_id: node_name(owner) if owner else "-" for job_id, owner in rows}


def owner_shares(schema, batch_id):
    rows = psql(f"SELECT coalesce(owner_node, ''), count(*) FROM {schema}.job WHERE batch_id = '{batch_id}' GROUP BY 1 ORDER BY 1")
    return {(node_name(owner) if owner else "-"): int(n) for owner, n in rows}


def all_jobs(replica, batch_id):
    jobs, page = [], 0
    while True:
        answer = http_json("GET", f"{replica.base}/api/v1/batches/{batch_id}/jobs?size=1000&page={page}")[1]
        jobs += answer["content"]
        info = answer.get("page") or {}
        page += 1
        if not answer["content"] or page >= int(info.get("totalPages", page)):
            return jobs


# ---------------------------------------------------------------------------------------------
# Part A

def throughput(ctx, label, replicas, cluster, body, n_jobs, part="A"):
    print(f"\n[{part}] {label}", flush=True)
    seconds = []
    with Deployment(ctx, part + "-" + label.replace(" ", ""), replicas, cluster) as d:
        r1 = d.replicas[0]
        for run in range(0, ctx.args.runs + 1):
            batch, s = submit_and_wait(d, r1, body, ctx.args.timeout)
            kind = "warm-up" if run == 0 else f"run {run}"
            ok = batch["state"] == "SUCCEEDED" and batch["counts"]["succeeded"] == n_jobs
            shares = owner_shares(ctx.schema, batch["id"]) if cluster else {}
            share_text = ", ".join(f"{name} {100 * n / n_jobs:.1f}%" for name, n in sorted(shares.items()))
            print(f"  {kind:8s} {batch['state']} {batch['counts']['succeeded']} succeeded: {s:7.2f} s, "
                  f"{n_jobs / s:8.0f} jobs/s" + (f"; jobs ran on: {share_text}" if cluster else ""), flush=True)
            if not ok:
                problem(f"{label} {kind}: batch {batch['id']} ended {batch['state']} {batch['counts']}, expected SUCCEEDED {n_jobs}")
            if run > 0:
                seconds.append(s)
    return seconds


# ---------------------------------------------------------------------------------------------
# Part B

def cancel_runs(ctx, label, log_label, replicas, cluster, extra, body):
    print(f"\n[B] {label}", flush=True)
    results = []
    with Deployment(ctx, log_label, replicas, cluster, extra) as d:
        total = ctx.args.cancel_warmup + ctx.args.cancel_runs
        for i in range(total):
            warm = i < ctx.args.cancel_warmup
            replica = d.replicas[i % len(d.replicas)]
            batch, s = submit_and_wait(d, replica, body, ctx.args.timeout)
            cause = batch.get("cancellation") or {}
            kind = f"warm-up {i + 1}" if warm else f"run {i + 1 - ctx.args.cancel_warmup}"
            if batch["state"] != "FAILED" or cause.get("cause") != "JOB_FAILED" or cause.get("jobId") != "job-003":
                problem(f"{label} {kind}: batch {batch['id']} ended {batch['state']}, cause {cause}; expected FAILED, JOB_FAILED on job-003")
            if not cause.get("requestedAt"):
                continue
            jobs = all_jobs(replica, batch["id"])
            requested = instant_ns(cause["requestedAt"])
            started = [j for j in jobs if j.get("startedAt")]
            after = [j["id"] for j in started if instant_ns(j["startedAt"]) > requested]
            # The other jobs running when the cause was recorded (the failed job itself excluded).
            running_at_cause = [j for j in started if j["id"] != cause.get("jobId")
                                and instant_ns(j["startedAt"]) <= requested
                                and (not j.get("finishedAt") or instant_ns(j["finishedAt"]) >= requested)]
            ends = [instant_ns(j["finishedAt"]) for j in running_at_cause if j.get("finishedAt")]
            from_rows = (max(ends) - requested) / 1e6 if ends else 0.0
            owner = owners(ctx.schema, batch["id"], started_only=True) if cluster else {}
            nodes_started = sorted({owner.get(j["id"], "-") for j in started}) if cluster else ["single"]
            at_cause = {}
            for j in running_at_cause:
                name = owner.get(j["id"], "-") if cluster else "single"
                at_cause[name] = at_cause.get(name, 0) + 1
            prop = cause.get("propagationMillis")
            row = {"prop": prop, "rows": from_rows, "after": len(after), "nodes": len(nodes_started),
                   "posted_to": replica.name, "seconds": s}
            prop_text = f"{prop:7.1f}" if prop is not None else "   null"
            print(f"  {kind:10s} via {replica.name}: {batch['state']} {cause.get('cause')} {cause.get('jobId')}; "
                  f"propagation {prop_text} ms (from job rows {from_rows:7.1f} ms); started after cause {len(after)}; "
                  f"{len(started)} started on {len(nodes_started)} replica(s) {','.join(nodes_started)}; "
                  f"others running at cause: " + " ".join(f"{k}={v}" for k, v in sorted(at_cause.items())) +
                  f"; POST->terminal {s:.2f} s", flush=True)
            if after:
                problem(f"{label} {kind}: {len(after)} job(s) started after the cause: {after}")
            if prop is None:
                problem(f"{label} {kind}: propagationMillis is null")
            if not warm:
                results.append(row)
    return results


def distribution(values):
    p = lambda q: common.percentile(values, q)
    return f"p50 {p(50):7.1f}  p90 {p(90):7.1f}  p99 {p(99):7.1f}  max {max(values):7.1f}"


# ---------------------------------------------------------------------------------------------

class Context:
    pass


def interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def jar_commit(jar):
    """The commit the jar was built from (git.properties, written by the build), e.g. e2fe080-dirty."""
    try:
        with zipfile.ZipFile(jar) as z:
            text = z.read("BOOT-INF/classes/git.properties").decode()
    except (KeyError, OSError, zipfile.BadZipFile):
        return "unknown"
    props = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return props.get("git.commit.id.describe-short") or props.get("git.commit.id.abbrev", "unknown")


def git_commit():
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout
    return commit + (" (working tree has uncommitted changes)" if dirty.strip() else "")


CONFIGS = [("single", 1, False), ("cluster x1", 1, True), ("cluster x2", 2, True), ("cluster x3", 3, True)]


def chosen(names):
    """The configurations named (comma-separated labels of CONFIGS), in CONFIGS' order."""
    wanted = {n.strip() for n in names.split(",")}
    return [c for c in CONFIGS if c[0] in wanted]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=None, help="part A: only the first N jobs of the workload")
    parser.add_argument("--runs", type=int, default=2, help="part A: timed submissions per configuration")
    parser.add_argument("--cancel-runs", type=int, default=30, help="part B: timed submissions per configuration")
    parser.add_argument("--cancel-warmup", type=int, default=9,
                        help="part B: warm-up submissions per configuration (9: three per replica, round-robin)")
    parser.add_argument("--parts", default="A,B,C", help="which parts to run, of A, B, C")
    parser.add_argument("--sleep-jobs", type=int, default=480, help="part C: sleep jobs in the batch")
    parser.add_argument("--workload", default="/work/shared/workloads/noop-100k.json")
    parser.add_argument("--cancel-workload", default="/work/shared/workloads/seed-ff.json")
    parser.add_argument("--schema", default="failfast_bench_cluster")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds a batch may take to end")
    parser.add_argument("--jar", default=None)
    parser.add_argument("--java-opts", default="", help="JVM options for every service process (e.g. JFR)")
    parser.add_argument("--configs", default="single,cluster x1,cluster x2,cluster x3",
                        help="which configurations, of the default list (part B: single, cluster x3)")
    args = parser.parse_args()
    JAVA_OPTS.extend(args.java_opts.split())
    parts = {p.strip().upper() for p in args.parts.split(",")}

    jars = [j for j in glob.glob(os.path.join(ROOT, "target", "failfast-*.jar"))
            if not j.endswith(".original") and "plain" not in j]
    jar = args.jar or (jars[0] if jars else None)
    if not jar:
        raise SystemExit("no target/failfast-*.jar: run ./mvnw -B -q -ntp package -DskipTests")

    ctx = Context()
    ctx.args, ctx.jar, ctx.java, ctx.schema = args, jar, common.find_java(), args.schema
    ctx.log_dir = tempfile.mkdtemp(prefix="ff-bench-cluster-")
    ctx.running = []

    # SIGTERM ends the run like Ctrl-C: the finally below stops every process started.
    signal.signal(signal.SIGTERM, interrupted)

    load0 = os.getloadavg()
    started = time.monotonic()
    print("# Failfast cluster benchmark")
    print(f"date:     {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"command:  {shlex.join([sys.executable, *sys.argv])}")
    print(f"commit:   {git_commit()}")
    print(f"nproc:    {os.cpu_count()}")
    print(f"load avg: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} (start)")
    print(f"jar:      {os.path.relpath(jar, ROOT)} built from {jar_commit(jar)}  java: {ctx.java}")
    print(f"schema:   {args.schema} on 127.0.0.1:5432/test, reset before each configuration")
    print(f"api key:  {'$' + common.BENCH_KEY_ENV if os.environ.get(common.BENCH_KEY_ENV) else 'the fixed bench key'}"
          f" as each replica's bootstrap admin key, sent on every /api/v1 call")
    print(f"logs:     {ctx.log_dir}", flush=True)

    try:
        if "A" in parts:
            spec = json.load(open(args.workload))
            if args.jobs:
                spec["jobs"] = spec["jobs"][:args.jobs]
            n_jobs = len(spec["jobs"])
            body = json.dumps(spec, separators=(",", ":")).encode()
            print(f"\n== A. Throughput: {os.path.basename(args.workload)}, {n_jobs} no-op jobs, parallelism "
                  f"{spec.get('maxParallelism')}; POST -> terminal polling every 20 ms; 1 warm-up + {args.runs} timed "
                  f"per configuration; POST and polls to r1", flush=True)
            configs = chosen(args.configs)
            medians = {}
            for label, replicas, cluster in configs:
                seconds = throughput(ctx, label, replicas, cluster, body, n_jobs)
                medians[label] = statistics.median(seconds)
            print(f"\nA. medians ({args.runs} timed run(s) each, {n_jobs} jobs):")
            base = medians.get("single", next(iter(medians.values())))
            for label, _, _ in configs:
                m = medians[label]
                print(f"  {label:11s}: {m:6.2f} s, {n_jobs / m:7.0f} jobs/s, {base / m:.2f}x the single instance"
                      f" (time {m / base:.2f}x)", flush=True)

        if "C" in parts:
            # Jobs that wait (like I/O) rather than compute: what replicas are for.
            n_jobs, ms, parallelism = args.sleep_jobs, 250, 48
            spec = {"name": "sleep-scale", "maxParallelism": parallelism, "jobs": [
                {"id": f"job-{i:04d}", "type": "sleep", "params": {"duration": f"PT{ms / 1000}S"}} for i in range(n_jobs)]}
            body = json.dumps(spec, separators=(",", ":")).encode()
            print(f"\n== C. Scale-out: {n_jobs} sleep jobs of {ms} ms, parallelism {parallelism}, 16 worker threads per "
                  f"replica; POST -> terminal; 1 warm-up + {args.runs} timed per configuration; POST and polls to r1",
                  flush=True)
            configs = chosen(args.configs)
            medians = {label: statistics.median(throughput(ctx, label, replicas, cluster, body, n_jobs, "C"))
                       for label, replicas, cluster in configs}
            ideal = n_jobs * ms / 1000 / 16
            print(f"\nC. medians ({args.runs} timed run(s) each; one replica's 16 threads need {ideal:.2f} s at best):")
            for label, replicas, _ in configs:
                m = medians[label]
                ratios = [f"{medians[base] / m:.2f}x {name}" for base, name in
                          (("single", "the single instance"), ("cluster x1", "one replica")) if base in medians]
                print(f"  {label:11s}: {m:6.2f} s, {n_jobs / m:7.1f} jobs/s, " + ", ".join(ratios), flush=True)

        if "B" in parts:
            body = open(args.cancel_workload, "rb").read()
            spec = json.loads(body)
            print(f"\n== B. Cancel propagation: {os.path.basename(args.cancel_workload)} ({len(spec['jobs'])} jobs, "
                  f"{spec.get('failurePolicy')}, parallelism {spec.get('maxParallelism')}); {args.cancel_warmup} warm-up + "
                  f"{args.cancel_runs} timed per configuration", flush=True)
            wanted = {label for label, _, _ in chosen(args.configs)}
            single = cancel_runs(ctx, "single", "B-single", 1, False, [], body) if "single" in wanted else []
            cluster = cancel_runs(ctx, "cluster x3 (pool-size 3, claim-size 1, POSTs round-robin)", "B-clusterx3", 3, True,
                                  ["--failfast.executor.pool-size=3", "--failfast.cluster.claim-size=1"],
                                  body) if "cluster x3" in wanted else []
            print(f"\nB. propagationMillis (cause recorded -> last running job ended), ms:")
            for label, rows in (("single", single), ("cluster x3", cluster)):
                props = [r["prop"] for r in rows if r["prop"] is not None]
                from_rows = [r["rows"] for r in rows]
                if not props:
                    print(f"  {label:11s}: no figures")
                    continue
                nodes = {}
                for r in rows:
                    nodes[r["nodes"]] = nodes.get(r["nodes"], 0) + 1
                print(f"  {label:11s}: {distribution(props)}   (n={len(props)})")
                print(f"  {'':11s}  from job rows: {distribution(from_rows)}")
                print(f"  {'':11s}  jobs started after the cause: {sum(r['after'] for r in rows)} in total; "
                      f"replicas holding started jobs: " + ", ".join(f"{k} in {v} run(s)" for k, v in sorted(nodes.items())))
            ps = [r["prop"] for r in single if r["prop"] is not None]
            pc = [r["prop"] for r in cluster if r["prop"] is not None]
            if ps and pc:
                s50, c50 = common.percentile(ps, 50), common.percentile(pc, 50)
                print(f"  p50 ratio cluster x3 / single: {c50 / s50:.2f}x ({c50:.1f} ms / {s50:.1f} ms)", flush=True)
    finally:
        stop_all(list(ctx.running))
        load1 = os.getloadavg()
        print(f"\nload avg: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} (end); wall time {time.monotonic() - started:.0f} s")
        print(f"logs:     {ctx.log_dir}")
    if problems:
        print(f"\n{len(problems)} check(s) failed:")
        for p in problems:
            print("  - " + p)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
