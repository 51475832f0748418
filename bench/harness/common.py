"""Shared pieces of the benchmark harness: statistics, the service process, HTTP helpers.

Python 3 standard library only.
"""
import datetime
import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

TERMINAL_BATCH_STATES = {"SUCCEEDED", "FAILED", "CANCELLED"}


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100): with 30 samples p99 is the maximum."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def instant_ms(text):
    """An ISO-8601 instant as the service writes it, in epoch milliseconds."""
    return datetime.datetime.fromisoformat(text).timestamp() * 1000


def find_java():
    """A JDK 25+: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    for name in sorted(os.listdir("/usr/lib/jvm"), reverse=True) if os.path.isdir("/usr/lib/jvm") else []:
        candidates.append(os.path.join("/usr/lib/jvm", name, "bin", "java"))
    candidates.append(shutil.which("java") or "java")
    for java in candidates:
        try:
            out = subprocess.run([java, "-XshowSettings:properties", "-version"], capture_output=True, text=True).stderr
        except OSError:
            continue
        for line in out.splitlines():
            if "java.specification.version" in line and int(line.split("=")[1].strip()) >= 25:
                return java
    raise SystemExit("no JDK 25+ found: set JAVA_HOME")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Service:
    """The built service jar, started on a free port; stopped with SIGTERM."""

    def __init__(self, jar, java, jvm_args=(), app_args=(), log_path=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or os.devnull
        self.cmd = [java, *jvm_args, "-jar", jar, f"--server.port={self.port}",
                    "--logging.level.dev.failfast=WARN", *app_args]
        self.process = None
        self.startup_ms = None
        self.startup_cpu_s = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        t0 = time.monotonic()
        self.process = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = t0 + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"service exited with {self.process.returncode}; see {self.log_path}")
            try:
                if get_status(self.base + "/actuator/health/readiness") == 200:
                    self.startup_ms = (time.monotonic() - t0) * 1000
                    self.startup_cpu_s = cpu_seconds(self.process.pid)
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        raise SystemExit("service did not become ready in 120 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    @property
    def pid(self):
        return self.process.pid

    def get(self, path):
        return get_json(self.base + path)

    def post(self, path, body):
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)

    def wait_terminal_sse(self, batch_id):
        """Reads the batch's event stream until its terminal status; returns that status."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            conn.request("GET", f"/api/v1/batches/{batch_id}/events", headers={"Accept": "text/event-stream"})
            response = conn.getresponse()
            for event, data in sse_events(response):
                if event == "batch":
                    batch = json.loads(data)
                    if batch["state"] in TERMINAL_BATCH_STATES:
                        return batch
        finally:
            conn.close()
        raise RuntimeError(f"event stream of {batch_id} ended before the batch did")

    def wait_terminal_poll(self, batch_id, interval=0.01):
        while True:
            batch = self.get(f"/api/v1/batches/{batch_id}")
            if batch["state"] in TERMINAL_BATCH_STATES:
                return batch
            time.sleep(interval)


def sse_events(response):
    """(event name, data) pairs from a text/event-stream response."""
    event, data = None, []
    while True:
        raw = response.readline()
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = None, []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def get_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def get_json(url):
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.load(response)


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
