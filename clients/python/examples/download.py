"""Download many files, 8 at a time; the first failure stops all the rest, and says why.

The program this replaces, the usual thread-pool version::

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(download, key) for key in keys]
        for future in as_completed(futures):
            future.result()      # the first exception surfaces here... and the other
                                 # downloads keep running, queued ones still start

Here the downloads are the jobs of one Failfast batch (``remote:download``, FAIL_FAST,
``maxParallelism`` 8) and this process is also the worker that runs them (``concurrency=8``).
When one download fails, Failfast records the batch's cause, skips the downloads not started and
pushes a cancel to the running ones: their tokens are set and ``on_cancel`` closes their
connections' sockets, so they stop within milliseconds. The program then prints the cause from
``GET /api/v1/batches/{id}``.

Usage (a key with scopes batches:read, batches:write and workers:run)::

    export FAILFAST_URL=http://localhost:8080 FAILFAST_API_KEY=ffk_...
    python3 clients/python/examples/download.py                       # 24 files from a local server, one missing
    python3 clients/python/examples/download.py URL [URL ...]         # these URLs

Without URLs it starts a local HTTP server (loopback) whose files arrive in slow chunks, and
one of whose files does not exist (404): that download's failure stops the batch.
Files are written to a temporary directory (``--dest`` to choose one).
"""
import argparse
import http.client
import logging
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from failfast_worker import Cancelled, FailfastClient, JobFailed, Worker  # noqa: E402

CHUNK = 64 * 1024


def download(job):
    """The handler of ``remote:download``: params ``url`` and ``dest``; the result is the size.
    A cancel shuts the connection's socket down, so a read blocked on a slow server returns at
    once (closing a socket does not wake a thread blocked on it; shutting it down does)."""
    url, dest = job.params["url"], job.params["dest"]
    parts = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, parts.port, timeout=30)
    try:
        conn.connect()
    except OSError as e:
        raise JobFailed("DOWNLOAD_FAILED", f"{url}: {e}") from None
    sock = conn.sock
    job.token.on_cancel(lambda: shutdown(sock))
    size = 0
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else "") or "/")
        response = conn.getresponse()
        if response.status != 200:
            raise JobFailed("DOWNLOAD_FAILED", f"{url} answered {response.status} {response.reason}",
                            status=response.status)
        with open(dest, "wb") as out:
            while True:
                job.token.raise_if_cancelled()
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                size += len(chunk)
                job.progress({"bytes": size})
    except BaseException as e:
        if os.path.exists(dest):
            os.remove(dest)  # no half-written files
        if job.token.is_cancelled():
            raise Cancelled(job.token.reason) from None  # the read failed because of the cancel
        if isinstance(e, (OSError, http.client.HTTPException)):
            raise JobFailed("DOWNLOAD_FAILED", f"{url}: {e!r}") from None
        raise
    finally:
        conn.close()
    job.token.raise_if_cancelled()  # a shut-down socket may just end the body early
    return {"url": url, "bytes": size}


def shutdown(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class SlowFiles(BaseHTTPRequestHandler):
    """``/files/<name>``: 16 chunks of 64 KiB, one every 50 ms (about 0.8 s a file);
    ``/files/missing`` answers 404 after 300 ms."""

    def do_GET(self):
        name = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
        if name == "missing":
            time.sleep(0.3)  # the server's own pace, not synchronisation
            self.send_error(404, "No such key")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(16 * CHUNK))
        self.end_headers()
        try:
            for _ in range(16):
                self.wfile.write(os.urandom(CHUNK))
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client went away: it was cancelled

    def log_message(self, *args):
        pass


def local_server(count):
    """Starts the slow file server; returns it and ``count`` URLs, the fifth one missing."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowFiles)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="files", daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/files/"
    return server, [base + ("missing" if n == 4 else f"file-{n:03d}.bin") for n in range(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="*", help="files to download (default: a local server's, one missing)")
    parser.add_argument("--url", default=os.environ.get("FAILFAST_URL", "http://localhost:8080"),
                        help="the Failfast service ($FAILFAST_URL)")
    parser.add_argument("--api-key", default=os.environ.get("FAILFAST_API_KEY"), help="($FAILFAST_API_KEY)")
    parser.add_argument("--dest", help="directory for the files (default: a new temporary one)")
    parser.add_argument("--count", type=int, default=24, help="files of the local server (default 24)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not args.api_key:
        parser.error("an API key is needed: --api-key or $FAILFAST_API_KEY")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(threadName)s %(levelname)s %(message)s")

    server = None
    urls = args.urls
    if not urls:
        server, urls = local_server(args.count)
    dest = args.dest or tempfile.mkdtemp(prefix="failfast-downloads-")

    worker = Worker(args.url, args.api_key, concurrency=8, name="download-example")
    worker.job("download")(download)
    runner = threading.Thread(target=worker.run, name="worker")
    runner.start()
    try:
        if not worker.wait_ready(30):
            raise SystemExit("the worker did not connect to the service")
        client = FailfastClient(args.url, args.api_key)
        jobs = [{"id": f"download-{n:03d}", "type": "remote:download",
                 "params": {"url": url, "dest": os.path.join(dest, f"{n:03d}-{file_name(url)}")}}
                for n, url in enumerate(urls)]
        batch = client.submit_batch({"name": "downloads", "failurePolicy": "FAIL_FAST", "maxParallelism": 8,
                                     "jobs": jobs})
        print(f"batch {batch['id']}: {len(jobs)} downloads, 8 at a time, into {dest}")
        final = client.wait_for_batch(batch["id"], timeout=3600)
        report(client, final)
        return 0 if final["state"] == "SUCCEEDED" else 1
    finally:
        worker.stop()
        runner.join(60)
        if server is not None:
            server.shutdown()


def file_name(url):
    return os.path.basename(urllib.parse.urlsplit(url).path) or "index.html"


def report(client, batch):
    """Prints the batch's outcome and, if it was stopped, its cause."""
    counts = batch["counts"]
    print(f"{batch['state']}: " + ", ".join(f"{counts[k]} {k}" for k in
                                          ("succeeded", "failed", "cancelled", "skipped") if counts.get(k)))
    cause = batch.get("cancellation")
    if not cause:
        return
    print(f"stopped by {cause['cause']}" + (f" of {cause['jobId']}" if cause.get("jobId") else "")
          + f" at {cause['requestedAt']}")
    if cause.get("jobId"):
        error = client.get_job(batch["id"], cause["jobId"]).get("error") or {}
        print(f"  cause: {error.get('type')}: {error.get('message')}")
    stats = cause.get("report") or {}
    if cause.get("propagationMillis") is not None:
        print(f"  {stats.get('stoppedRunning', 0)} running downloads stopped within "
              f"{cause['propagationMillis']:.1f} ms; {stats.get('neverStarted', 0)} never started")


if __name__ == "__main__":
    sys.exit(main())
