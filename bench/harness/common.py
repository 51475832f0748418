"""Shared pieces of the benchmark harness: statistics, the service process, HTTP helpers.

The service is secure by default: every /api/v1 call needs `Authorization: Bearer <key>`. A service
the harness starts gets BENCH_KEY as its bootstrap admin key (failfast.security.bootstrap-key, passed
as the environment variable FAILFAST_SECURITY_BOOTSTRAP_KEY), and every API call sends it. BENCH_KEY
is the fixed key below unless the environment variable FAILFAST_BENCH_KEY is set (32+ characters).
Builds from before authentication existed ignore both the setting and the header. Health probes
(/actuator/health/**) are called anonymously, as orchestrators call them.

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
import urllib.error
import urllib.request

TERMINAL_BATCH_STATES = {"SUCCEEDED", "FAILED", "CANCELLED"}

BENCH_KEY_ENV = "FAILFAST_BENCH_KEY"
DEFAULT_BENCH_KEY = "bench-bootstrap-admin-key-0123456789abcdef"
BOOTSTRAP_KEY_ENV = "FAILFAST_SECURITY_BOOTSTRAP_KEY"  # failfast.security.bootstrap-key


def bench_key():
    """The admin key: $FAILFAST_BENCH_KEY if set, else DEFAULT_BENCH_KEY."""
    key = os.environ.get(BENCH_KEY_ENV) or DEFAULT_BENCH_KEY
    if len(key) < 32:
        raise SystemExit(f"{BENCH_KEY_ENV} must be at least 32 characters (failfast.security.bootstrap-key)")
    return key


BENCH_KEY = bench_key()


def auth_headers(key=BENCH_KEY):
    return {"Authorization": f"Bearer {key}"}


def service_env(key=BENCH_KEY):
    """The environment for a service process: this one's, with `key` as the bootstrap admin key."""
    return {**os.environ, BOOTSTRAP_KEY_ENV: key}


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
    """The built service jar, started on a free port with `key` (BENCH_KEY) as its bootstrap admin
    key; every API call sends it. Stopped with SIGTERM."""

    def __init__(self, jar, java, jvm_args=(), app_args=(), log_path=None, key=BENCH_KEY):
        self.key = key
        self.headers = auth_headers(key)
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
        self.process = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                        env=service_env(self.key))
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
        return get_json(self.base + path, self.headers)

    def post(self, path, body):
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json", **self.headers})
        return open_json(request)

    def wait_terminal_sse(self, batch_id):
        """Reads the batch's event stream until its terminal status; returns that status."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            conn.request("GET", f"/api/v1/batches/{batch_id}/events",
                         headers={"Accept": "text/event-stream", **self.headers})
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"GET /api/v1/batches/{batch_id}/events answered {response.status}: "
                                   f"{response.read(2000).decode('utf-8', 'replace')}")
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
    """The status of an anonymous GET: for the health probes."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def get_json(url, headers=None):
    return open_json(urllib.request.Request(url, headers=headers or {}))


def open_json(request, timeout=120):
    """The JSON body of a 2xx answer; an error answer raises with its status and body, and for a
    401 or 403 with a hint about the key."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        body = e.read(2000).decode("utf-8", "replace")
        hint = ""
        if e.code in (401, 403):
            hint = (f" (sent 'Authorization: Bearer' with ${BENCH_KEY_ENV}, or the harness's default key when it "
                    f"is unset; a service the harness starts gets that key as failfast.security.bootstrap-key)")
        raise RuntimeError(f"{request.get_method()} {request.full_url} answered {e.code}: {body}{hint}") from None


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
