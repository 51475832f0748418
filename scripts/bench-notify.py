#!/usr/bin/env python3
"""Notification latency: from a batch's terminal state to its webhook arriving at the receiver.

A receiver in this process (http.server on loopback, one thread per request) notes when each
request's body has been read (time.time_ns(), the host's clock) and answers 200. Each batch is one
sleep job of 10 ms with a batch.finished target at the receiver; the figure is the arrival time
minus the payload's data.finishedAt (when the batch became terminal, by the service's clock: the
same host's). Beside it, the part up to the notification's recording (its createdAt, in the
transaction that wrote the terminal state). Batches go one at a time, the next once the webhook of the last arrived, so each
figure is an idle service's: flushing the terminal write (single instance, write-behind), claiming
the notification, signing and posting it.

Configurations, each on fresh processes, --warmup untimed batches then --runs timed ones:
  single instance  the default H2 file store in a temporary directory
  cluster, 1 / 2 replicas  cluster mode on PostgreSQL schema --schema (dropped and created before
                   each), submissions round-robin over the replicas; a batch's job may run on either,
                   and the replica that ends the batch is woken by its own event; the other looks
                   every failfast.notifications.poll-interval (1 s)
Checks: each webhook-id arrives once (no claim expires here: claim-ttl is 30 s), signed (the
signature is verified with the configured secret), for the batch it was told of.

Every process started is stopped at the end, also on Ctrl-C or an error; logs go to a temporary
directory (printed; kept). Python 3 standard library only; PostgreSQL at 127.0.0.1:5432 (user
postgres, trust, database test) and psql on the PATH for the cluster; the jar is target/failfast-*.jar
(build it with ./mvnw -B -q -ntp package -DskipTests). The admin key works as in
docs/benchmarks.md, Running.

Usage: scripts/bench-notify.py [--runs N] [--warmup N] [--configs single,cluster1,cluster2]
                               [--schema NAME]
"""
import argparse
import base64
import glob
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench", "harness"))
import common  # noqa: E402  (bench/harness/common.py: find_java, free_port, percentile, the bench key)

SECRET = "whsec_" + base64.b64encode(b"bench-notify-signing-secret-0123").decode()
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-v", "ON_ERROR_STOP=1", "-qtA"]
SETTINGS = [f"--failfast.notifications.signing-secret={SECRET}",
            "--failfast.jobs.http.allowed-networks=127.0.0.0/8",
            "--failfast.jobs.http.allowed-ports=80,443,1024-65535"]


class Receiver(http.server.ThreadingHTTPServer):
    """Records each webhook: {webhook-id: [(arrival ns, payload, signature ok)]}; answers 200."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.arrivals = {}
        self.lock = threading.Condition()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"

    def note(self, webhook_id, payload, signed):
        with self.lock:
            self.arrivals.setdefault(webhook_id, []).append((time.time_ns(), payload, signed))
            self.lock.notify_all()

    def wait_for_batch(self, batch_id, timeout=60):
        """The first arrival of the batch's webhook: (arrival ns, payload, signed)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for arrivals in self.arrivals.values():
                    if arrivals[0][1]["data"]["id"] == batch_id:
                        return arrivals[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"no webhook for batch {batch_id} in {timeout} s")
                self.lock.wait(left)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        webhook_id = self.headers["webhook-id"]
        signed = verify(webhook_id, self.headers["webhook-timestamp"], self.headers["webhook-signature"], body)
        self.server.note(webhook_id, json.loads(body), signed)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def verify(webhook_id, timestamp, signatures, body):
    """Standard Webhooks: HMAC-SHA256 of id.timestamp.body, keyed with the secret's base64 part."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    return any(hmac.compare_digest(s.removeprefix("v1,").encode(), expected) for s in (signatures or "").split())


def instant_ns(text):
    """An ISO-8601 instant as the service writes it (Z, up to nanoseconds), in epoch nanoseconds."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    seconds = int(common.instant_ms(whole + "+00:00") // 1000)
    return seconds * 1_000_000_000 + int((fraction + "000000000")[:9])


def psql(sql):
    out = subprocess.run([*PSQL, "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")


class Processes:
    """The service processes of one configuration, started in turn, each ready; stopped with SIGTERM."""

    def __init__(self, java, jar, log_dir, label, args_per_process):
        self.services = [common.Service(jar, java, app_args=args, log_path=os.path.join(log_dir, f"{label}-{i + 1}.log"))
                         for i, args in enumerate(args_per_process)]

    def __enter__(self):
        started = []
        try:
            for service in self.services:
                started.append(service.__enter__())
        except BaseException:
            for service in started:
                service.__exit__(None, None, None)
            raise
        return self.services

    def __exit__(self, *exc):
        for service in self.services:
            service.__exit__(*exc)


def configurations(args, data_dir):
    pg = f"jdbc:postgresql://127.0.0.1:5432/test?currentSchema={args.schema}"

    def replica(i):
        return [*SETTINGS, "--spring.profiles.active=postgres", f"--spring.datasource.url={pg}",
                "--failfast.cluster.enabled=true", f"--failfast.cluster.node-name=r{i}"]

    single = [*SETTINGS, f"--spring.datasource.url=jdbc:h2:file:{data_dir}/failfast;WRITE_DELAY=0"]
    return {"single": ("single instance (H2 file)", [single]),
            "cluster1": ("cluster, 1 replica (PostgreSQL)", [replica(1)]),
            "cluster2": ("cluster, 2 replicas (PostgreSQL)", [replica(1), replica(2)])}


def measure(services, receiver, runs, warmup):
    body = json.dumps({"name": "notify-latency",
                       "notifications": [{"url": receiver.url, "events": ["batch.finished"]}],
                       "jobs": [{"id": "job-0", "type": "sleep", "params": {"duration": "PT0.01S"}}]}).encode()
    latencies, recorded, problems = [], [], []
    for i in range(warmup + runs):
        service = services[i % len(services)]
        batch = service.post("/api/v1/batches", body)
        arrived_ns, payload, signed = receiver.wait_for_batch(batch["id"])
        notification = service.get(f"/api/v1/batches/{batch['id']}/notifications")[0]
        if not signed:
            problems.append(f"batch {batch['id']}: signature did not verify")
        if payload["data"]["state"] != "SUCCEEDED" or payload["type"] != "batch.finished":
            problems.append(f"batch {batch['id']}: {payload['type']} {payload['data']['state']}")
        if i >= warmup:
            finished_ns = instant_ns(payload["data"]["finishedAt"])
            latencies.append((arrived_ns - finished_ns) / 1e6)
            recorded.append((instant_ns(notification["createdAt"]) - finished_ns) / 1e6)
    time.sleep(1)  # a duplicate would come within the poll interval
    duplicates = sum(len(a) - 1 for a in receiver.arrivals.values())
    if duplicates:
        problems.append(f"{duplicates} webhook-ids arrived more than once")
    return latencies, recorded, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--configs", default="single,cluster1,cluster2")
    parser.add_argument("--schema", default="failfast_bench_notify")
    args = parser.parse_args()

    jar = next((j for j in sorted(glob.glob(os.path.join(ROOT, "target", "failfast-*.jar")))
                if not j.endswith(".original")), None)
    if jar is None:
        raise SystemExit("no target/failfast-*.jar: ./mvnw -B -q -ntp package -DskipTests")
    java = common.find_java()
    log_dir = tempfile.mkdtemp(prefix="bench-notify-")
    print(f"logs in {log_dir}; load average {open('/proc/loadavg').read().split()[:3]}", flush=True)
    rows, all_problems = [], []
    for key in args.configs.split(","):
        label, per_process = configurations(args, tempfile.mkdtemp(prefix="h2-", dir=log_dir))[key]
        if key.startswith("cluster"):
            psql(f"SET client_min_messages TO WARNING; DROP SCHEMA IF EXISTS {args.schema} CASCADE; "
                 f"CREATE SCHEMA {args.schema}")
        receiver = Receiver()
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
        try:
            with Processes(java, jar, log_dir, key, per_process) as services:
                latencies, recorded, problems = measure(services, receiver, args.runs, args.warmup)
        finally:
            receiver.shutdown()
        print(f"[{label}] {len(latencies)} runs: p50 {common.percentile(latencies, 50):.1f} ms, "
              f"p99 {common.percentile(latencies, 99):.1f} ms", flush=True)
        all_problems += [f"{label}: {p}" for p in problems]
        rows.append([label, len(latencies)] + [f"{common.percentile(latencies, p):.1f}" for p in (50, 90, 99)]
                    + [f"{max(latencies):.1f}", f"{common.percentile(recorded, 50):.1f}",
                       sum(len(a) - 1 for a in receiver.arrivals.values())])
    print()
    print(common.markdown_table(["configuration", "runs", "p50 (ms)", "p90 (ms)", "p99 (ms)", "max (ms)",
                                 "of which terminal -> recorded, p50 (ms)", "duplicates"], rows))
    for p in all_problems:
        print("  !! " + p)
    sys.exit(1 if all_problems else 0)


if __name__ == "__main__":
    main()
