"""Failfast remote worker: run ``remote:<name>`` jobs of a Failfast batch in Python.

A Failfast batch may hold jobs of a remote type (``"type": "remote:download"``). The service
starts each such attempt like any other (``maxParallelism``, quotas, "no job starts after the
cause" all apply) and offers it to the workers of the batch's tenant that serve that type. This
module is such a worker, standard library only (Python 3.9+)::

    from failfast_worker import Worker, JobFailed

    worker = Worker("http://localhost:8080", api_key, concurrency=8)

    @worker.job("download")                  # serves jobs of type remote:download
    def download(job):
        for chunk in fetch(job.params["url"]):
            job.token.raise_if_cancelled()   # the batch's first failure stops us here
            ...
        if missing:
            raise JobFailed("S3_ERROR", "no such key", status=404)
        return {"bytes": size}               # the job's result (any JSON value)

    worker.run()                             # blocks until worker.stop()

How it talks to the service (``/api/v1/workers``, scope ``workers:run``):

- ``run()`` registers a session (``POST /api/v1/workers`` with the types and the capacity),
  then long-polls ``POST /workers/{id}/claim`` for at most as many attempts as it has free
  handler threads, and runs each claimed attempt's handler on a thread pool of ``concurrency``.
- One thread reads the session's event stream (``GET /workers/{id}/events``, server-sent
  events). A ``cancel`` event sets the attempt's :class:`CancelToken` at once and runs its
  ``on_cancel`` callbacks. The stream is reopened with a backoff when it ends.
- One thread sends a heartbeat every ``heartbeatInterval`` the service named: it renews the
  session's lease, names every attempt the worker holds (``holding``: an attempt the service
  handed over in a claim answer that never arrived is offered again), carries the progress
  handlers reported with :meth:`Job.progress`, and its answer's ``cancelled`` and ``unknown``
  lists cancel tokens too (a fallback for the stream).
- A handler's return value completes the attempt (``POST .../attempts/{id}/complete``); an
  exception fails it (``POST .../attempts/{id}/fail``): :class:`JobFailed` with its error type,
  status and retry-after, any other exception as ``JOB_ERROR`` with its message. A handler
  that ends (either way) after its token was cancelled is reported failed with error type
  ``CANCELLED``: the service counts it as stopped.
- A session the service no longer knows (404: the lease expired, say after a long pause) is
  registered again; the attempts it held are cancelled locally (the service has failed them
  with ``WORKER_LOST`` and its retry policy applies).
- ``stop()`` drains the session (``POST /workers/{id}/drain``: the claim in flight answers at
  once, and its attempts are run, not lost), waits for the running handlers (up to a timeout;
  it cancels them first only when asked), then deletes the session (``DELETE /workers/{id}``).

The module also has a small REST client, :class:`FailfastClient`, to submit a batch and wait
for it (used by the examples and tests).
"""

import datetime
import http.client
import json
import logging
import re
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

__all__ = ["Worker", "Job", "CancelToken", "JobFailed", "Cancelled", "ApiError", "FailfastClient",
           "parse_duration", "format_duration", "parse_instant"]

log = logging.getLogger("failfast_worker")

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}\Z")
_INSTANT = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)\Z", re.IGNORECASE)
_ERROR_TYPE = re.compile(r"[A-Z][A-Z0-9_]{0,63}\Z")
_DURATION = re.compile(r"(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
                       r"(?:(\d+(?:\.\d+)?)S)?)?\Z")
MAX_MESSAGE = 2000
MAX_PROGRESS = 4096  # failfast.workers.max-progress-size
TERMINAL_BATCH_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


def parse_duration(text):
    """Seconds (float) of an ISO-8601 duration as the service writes them (``PT5S``, ``PT0.25S``,
    ``PT1M30S``, ``P1DT2H``)."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    sign, days, hours, minutes, seconds = match.groups()
    total = (float(days or 0) * 86400 + float(hours or 0) * 3600 + float(minutes or 0) * 60
             + float(seconds or 0))
    return -total if sign else total


def parse_instant(text):
    """An aware :class:`datetime.datetime` (UTC) of an RFC 3339 instant as the service writes them
    (``2026-12-02T07:25:17.123456789Z``: digits past microseconds are dropped), or None for None."""
    if text is None:
        return None
    match = _INSTANT.match(text)
    if not match:
        raise ValueError(f"not an RFC 3339 instant: {text!r}")
    seconds, fraction, offset = match.groups()
    micros = (fraction or "")[:6].ljust(6, "0")
    zone = "+00:00" if offset.upper() == "Z" else offset
    value = datetime.datetime.fromisoformat(f"{seconds}.{micros}{zone}")
    return value.astimezone(datetime.timezone.utc)


def format_duration(value):
    """An ISO-8601 duration (``PT1.5S``) of seconds, a :class:`datetime.timedelta`, or a string
    already in that form (returned as is)."""
    if isinstance(value, str):
        parse_duration(value)
        return value
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    if value < 0:
        raise ValueError(f"negative duration: {value}")
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


class Cancelled(Exception):
    """Raised by :meth:`CancelToken.raise_if_cancelled`: the attempt was cancelled (the batch's
    cause was recorded, the batch was cancelled, its deadline or the job's timeout passed).
    Handlers may let it propagate; the attempt is then reported as stopped."""

    def __init__(self, reason):
        super().__init__(f"cancelled: {reason}")
        self.reason = reason


class JobFailed(Exception):
    """Fails the attempt with a stable error type, matched by the batch's ``onError`` rules
    and shown in the job's ``error``.

    :param error_type: ``[A-Z][A-Z0-9_]{0,63}``, e.g. ``S3_ERROR``.
    :param message: for humans (cut to 2000 characters).
    :param status: optional HTTP-like status 100..599 (``onError`` rules match it like an
        ``http`` job's status; 4xx/5xx decide retries the same way).
    :param retry_after: optional deferral the service honours like a target's Retry-After:
        seconds, a :class:`datetime.timedelta` or an ISO-8601 duration.
    """

    def __init__(self, error_type, message, status=None, retry_after=None):
        if not _ERROR_TYPE.match(error_type or ""):
            raise ValueError(f"error type must match [A-Z][A-Z0-9_]{{0,63}}: {error_type!r}")
        if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
            raise ValueError(f"status must be an int in 100..599: {status!r}")
        super().__init__(message)
        self.error_type = error_type
        self.message = str(message)
        self.status = status
        self.retry_after = format_duration(retry_after) if retry_after is not None else None


class ApiError(Exception):
    """A Failfast API call answered with an error status; ``status`` and ``body`` (the parsed
    problem+json, or the text) tell why."""

    def __init__(self, method, path, status, body):
        detail = body.get("detail") or body.get("title") if isinstance(body, dict) else body
        super().__init__(f"{method} {path} answered {status}: {detail}")
        self.method = method
        self.path = path
        self.status = status
        self.body = body


class CancelToken:
    """Tells a handler that its attempt was cancelled. Set once, by the event stream (at once)
    or a heartbeat answer (fallback); never reset."""

    def __init__(self):
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks = []
        self.reason = None
        """Why it was cancelled: the service's reason (``BATCH_CANCELLED``, ``TIMEOUT``), or
        ``WORKER_LOST`` / ``UNKNOWN`` / ``WORKER_STOPPING`` when this worker decided it."""
        self.cancel_requested_at = None
        """When the service cancelled the attempt (its ``requestedAt``, an aware UTC
        :class:`datetime.datetime` by the service's clock), or None (not cancelled, or cancelled
        by this worker). Against :attr:`cancel_received_at` it gives the cancel's lateness, when
        both clocks are one (same machine) or synchronised."""
        self.cancel_received_at = None
        """``time.time()`` when this worker learned of the cancel, or None."""

    def is_cancelled(self):
        """True once the attempt is cancelled."""
        return self._event.is_set()

    def raise_if_cancelled(self):
        """Raises :class:`Cancelled` if the attempt is cancelled."""
        if self._event.is_set():
            raise Cancelled(self.reason)

    def wait(self, timeout=None):
        """Waits up to ``timeout`` seconds (None: forever); returns True early, as soon as the
        attempt is cancelled, else False. Use it instead of ``time.sleep`` in handlers."""
        return self._event.wait(timeout)

    def on_cancel(self, fn):
        """Calls ``fn()`` when the attempt is cancelled, on the thread that learned it (keep it
        short: close a socket, kill a subprocess). Called at once if already cancelled. An
        exception it raises is logged and ignored. Returns ``fn``, so it works as a decorator."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(fn)
                return fn
        self._run_callback(fn)
        return fn

    def _cancel(self, reason, requested_at=None):
        """Sets the token (once) and runs the callbacks; returns True if this call set it."""
        with self._lock:
            if self._event.is_set():
                return False
            self.cancel_received_at = time.time()
            self.reason = reason
            self.cancel_requested_at = requested_at
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            self._run_callback(fn)
        return True

    @staticmethod
    def _run_callback(fn):
        try:
            fn()
        except Exception:  # a callback's failure must not stop the others nor the stream
            log.exception("an on_cancel callback raised")


class Job:
    """One claimed attempt of a remote job, given to its handler.

    Attributes: ``id`` (the attempt's id), ``batch_id``, ``job_id`` (the job's id in its batch),
    ``type`` (``remote:download``), ``name`` (``download``), ``attempt`` (1 for the first try),
    ``params`` (the job's params, as submitted), ``claimed_at`` (RFC 3339 text) and ``token``
    (its :class:`CancelToken`).
    """

    def __init__(self, worker, data):
        self._worker = worker
        self.id = data["id"]
        self.batch_id = data.get("batchId")
        self.job_id = data.get("jobId")
        self.type = data.get("type")
        self.name = data.get("name") or (self.type or "").split(":", 1)[-1]
        self.attempt = data.get("attempt", 1)
        self.params = data.get("params") or {}
        self.claimed_at = data.get("claimedAt")
        self.token = CancelToken()
        self.session_id = None
        self._progress = None  # the latest value, sent with every heartbeat while held
        self._lock = threading.Lock()

    def progress(self, value):
        """Reports progress (any JSON value, at most 4 KB serialized); the latest value is sent
        with each heartbeat and shown in ``GET /api/v1/workers/{id}``."""
        size = len(json.dumps(value, separators=(",", ":")).encode())  # not JSON: fails here, in the handler
        if size > MAX_PROGRESS:
            raise ValueError(f"progress is {size} bytes serialized; at most {MAX_PROGRESS}")
        with self._lock:
            self._progress = value

    def __repr__(self):
        return f"Job({self.type} {self.batch_id}/{self.job_id} attempt {self.attempt}, id {self.id})"


class _Connection:
    """One keep-alive HTTP connection to the service (http.client is not thread-safe: each
    thread has its own)."""

    def __init__(self, base, api_key, timeout):
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"the service URL must be http(s): {base!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._conn = None
        self._aborted = False

    def _open(self, timeout):
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=timeout)

    def request(self, method, path, body=None, timeout=None, headers=None):
        """(status, parsed JSON or None, response headers). Retries once on a connection the
        server had closed while idle; other network errors raise ``OSError``."""
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        for retry in (True, False):
            reused = self._conn is not None
            if self._conn is None:
                self._conn = self._open(timeout or self._timeout)
            conn = self._conn
            try:
                conn.timeout = timeout or self._timeout
                if conn.sock is not None:
                    conn.sock.settimeout(conn.timeout)
                conn.request(method, self._prefix + path, body=data, headers=all_headers)
                if self._aborted:
                    raise ConnectionAbortedError("aborted")
                response = conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.BadStatusLine):
                self.close()
                if retry and reused and not self._aborted:
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
            if response.will_close:
                self.close()
            parsed = None
            if raw:
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = raw.decode("utf-8", "replace")
            return response.status, parsed, response.headers
        raise AssertionError("unreachable")

    def abort(self):
        """Closes the socket under a request in progress (from another thread): the request,
        and every later one, fails with an OSError at once."""
        self._aborted = True
        conn = self._conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def stream(self, path, timeout):
        """Opens a GET on ``path`` for a text/event-stream; returns (connection, response)."""
        conn = self._open(timeout)
        conn.request("GET", self._prefix + path, headers={
            "Authorization": f"Bearer {self._api_key}", "Accept": "text/event-stream"})
        return conn, conn.getresponse()


def _sse_events(response):
    """(event, data) pairs of a text/event-stream response, until it ends. Comments
    (keep-alives) are skipped; an event without a name is ``message``."""
    event, data = None, []
    while True:
        raw = response.readline()
        if not raw:
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if data or event:
                yield event or "message", "\n".join(data)
            event, data = None, []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


class _SessionLost(Exception):
    """The service does not know the worker session any more (404)."""


class Worker:
    """Runs the handlers of remote job types for one Failfast tenant.

    :param url: the service's base URL (``http://localhost:8080``).
    :param api_key: an API key (or JWT) with scope ``workers:run``; the worker serves the jobs
        of that credential's tenant only.
    :param concurrency: handler threads, and the session's capacity (most attempts held).
    :param name: a name for humans, shown in ``GET /api/v1/workers`` (default: host name).
    :param claim_wait: seconds one claim long-poll waits for work (at most the service's
        ``failfast.workers.max-claim-wait``).
    :param request_timeout: seconds for a plain API call.
    :param stop_timeout: seconds :meth:`stop` waits for running handlers by default.
    """

    def __init__(self, url, api_key, concurrency=8, name=None, claim_wait=20.0, request_timeout=30.0,
                 stop_timeout=30.0):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.concurrency = concurrency
        self.name = name if name is not None else socket.gethostname()[:100]
        self.claim_wait = claim_wait
        self.request_timeout = request_timeout
        self.stop_timeout = stop_timeout
        self.session = None
        """The service's answer to the last registration (``id``, ``leaseTtl``, ...), or None."""
        self._handlers = {}
        self._lock = threading.Condition()
        self._register_lock = threading.Lock()
        self._held = {}  # attempt id -> Job
        self._early_cancels = {}  # attempt id -> (reason, requestedAt), for cancels read before the claim answer
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._ready = threading.Event()
        self._drained = threading.Event()  # the service took the drain (or it failed)
        self._cancel_on_stop = False
        self._drain_timeout = stop_timeout
        self._local = threading.local()
        self._connections = []  # every thread's, closed when run() ends
        self._claim_conn = _Connection(self.url, self.api_key, request_timeout)
        self._stream_conn = None
        self._heartbeat_interval = 5.0
        self._pool = None
        self._error = None
        self._claim_lost_at = None  # time.monotonic() of a claim answer lost while stopping

    # -- registration of handlers ------------------------------------------------------------

    def job(self, name):
        """Decorator: registers ``handler(job)`` for jobs of type ``remote:<name>``.
        ``name`` matches ``[a-z0-9][a-z0-9._-]{0,63}``; the ``remote:`` prefix may be given."""
        if name.startswith("remote:"):
            name = name[len("remote:"):]
        if not _NAME.match(name):
            raise ValueError(f"a remote job type name must match [a-z0-9][a-z0-9._-]{{0,63}}: {name!r}")

        def register(handler):
            if self.session is not None:
                raise RuntimeError("register handlers before run()")
            self._handlers[name] = handler
            return handler

        return register

    # -- life cycle ----------------------------------------------------------------------------

    @property
    def session_id(self):
        """The current session's id (None before registration)."""
        session = self.session
        return session["id"] if session else None

    def wait_ready(self, timeout=None):
        """Waits until the session is registered and its event stream is open (cancels will reach
        this worker); True if so within ``timeout`` seconds."""
        return self._ready.wait(timeout)

    def run(self):
        """Registers the session and serves jobs until :meth:`stop`; then waits for the running
        handlers and deletes the session. Raises :class:`ApiError` if the service refuses the
        credential (401/403) or the registration (400, 429)."""
        if not self._handlers:
            raise RuntimeError("no handlers: register one with @worker.job(name)")
        if self._stopped.is_set() or self._pool is not None:
            raise RuntimeError("a Worker runs once")
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="failfast-handler")
        threads = []
        try:
            try:
                self._register()
            except _SessionLost:
                return  # stopped before the service answered
            threads = [threading.Thread(target=self._stream_loop, name="failfast-events", daemon=True),
                       threading.Thread(target=self._heartbeat_loop, name="failfast-heartbeat", daemon=True),
                       threading.Thread(target=self._drain_on_stop, name="failfast-drain", daemon=True)]
            for thread in threads:
                thread.start()
            self._claim_loop()
            self._finish_held()
            self._hand_back_lost_claim()
            self._drained.wait(min(self.request_timeout, 10.0))  # the drain before the DELETE, not after
        finally:
            self._stopping.set()
            self._delete_session()
            self._stopped.set()
            self._abort_stream()
            for thread in threads:
                thread.join(5)
            self._pool.shutdown(wait=False)
            self._close_connections()
            log.info("worker stopped")
        if self._error is not None:
            raise self._error

    def _close_connections(self):
        self._claim_conn.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()  # one a handler still uses opens again

    def stop(self, timeout=None, cancel=False, wait=False):
        """Stops the worker: the session is drained (no more claims; the attempts of the claim in
        flight are run like the others); running handlers may finish (their tokens are cancelled
        first if ``cancel``) for up to ``timeout`` seconds (default ``stop_timeout``); then the
        session is deleted (attempts still held fail with ``WORKER_LOST``) and :meth:`run`
        returns. Safe from another thread or a signal handler (it does not block unless
        ``wait``, which waits for :meth:`run` to end; the drain request is sent by the worker's
        ``failfast-drain`` thread)."""
        self._drain_timeout = self.stop_timeout if timeout is None else timeout
        self._cancel_on_stop = cancel
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()
        if wait:
            self._stopped.wait()

    # -- HTTP ----------------------------------------------------------------------------------

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = _Connection(self.url, self.api_key, self.request_timeout)
            with self._lock:
                self._connections.append(conn)
        return conn

    def _call(self, method, path, body=None, timeout=None, ok=(200, 201, 204), conn=None):
        status, parsed, _ = (conn or self._conn()).request(method, path, body, timeout=timeout)
        if status not in ok:
            raise ApiError(method, path, status, parsed)
        return parsed

    def _register(self):
        """Registers a session (retrying network and 5xx errors with a backoff until stopped)."""
        body = {"name": self.name, "types": sorted(self._handlers), "capacity": self.concurrency}
        delay = 0.1
        while True:
            try:
                session = self._call("POST", "/api/v1/workers", body)
                break
            except ApiError as e:
                if e.status < 500 and e.status != 429:
                    raise
                log.warning("registration failed, retrying in %.1f s: %s", delay, e)
            except (OSError, http.client.HTTPException) as e:
                log.warning("registration failed, retrying in %.1f s: %s", delay, e)
            if self._stopping.wait(delay):
                raise _SessionLost("stopped before registration")
            delay = min(delay * 2, 5.0)
        try:
            self._heartbeat_interval = max(0.05, parse_duration(session.get("heartbeatInterval", "PT5S")))
        except ValueError:
            self._heartbeat_interval = 5.0
        with self._lock:
            self.session = session
            self._lock.notify_all()
        log.info("registered worker session %s for types %s, capacity %d", session["id"],
                 ", ".join(body["types"]), self.concurrency)

    def _session_lost(self, lost_id):
        """Called by any thread that got a 404 (or a ``lost`` event) for session ``lost_id``: the
        first one registers a new session; the attempts the old one held are cancelled here
        (the service has failed them with WORKER_LOST)."""
        with self._register_lock:  # one thread registers again; the others then see the new id
            with self._lock:
                if self.session_id != lost_id:
                    return
                self._ready.clear()
                lost = [job for job in self._held.values() if job.session_id == lost_id]
                if self._stopping.is_set():
                    self.session = None
                else:
                    log.warning("worker session %s is gone (deleted, or its lease expired); registering again",
                                lost_id)
            for job in lost:
                job.token._cancel("WORKER_LOST")
            if not self._stopping.is_set():
                self._register()

    # -- claiming ------------------------------------------------------------------------------

    def _claim_loop(self):
        delay = 0.1
        while not self._stopping.is_set():
            with self._lock:
                while len(self._held) >= self.concurrency and not self._stopping.is_set():
                    self._lock.wait()
                free = self.concurrency - len(self._held)
                session_id = self.session_id
            if self._stopping.is_set():
                return
            conn = self._claim_conn
            try:
                attempts = self._call("POST", f"/api/v1/workers/{session_id}/claim",
                                      {"max": free, "wait": format_duration(self.claim_wait)},
                                      timeout=self.claim_wait + self.request_timeout, conn=conn)["attempts"]
                delay = 0.1
            except ApiError as e:
                if e.status == 404:
                    self._lost_or_fatal(session_id)
                    continue
                if e.status in (401, 403):
                    self._error = e
                    log.error("the service refused this worker's credential: %s", e)
                    return
                log.warning("claim failed, retrying in %.1f s: %s", delay, e)
                self._stopping.wait(delay)
                delay = min(delay * 2, 5.0)
                continue
            except (OSError, http.client.HTTPException, ValueError) as e:
                conn.close()
                # attempts the service handed over in the lost answer are offered again once a
                # heartbeat's `holding` leaves them out (claimed more than heartbeatInterval ago)
                if self._stopping.is_set():
                    self._claim_lost_at = time.monotonic()  # hand them back before the DELETE
                    return
                log.warning("claim failed, retrying in %.1f s: %s", delay, e)
                self._stopping.wait(delay)
                delay = min(delay * 2, 5.0)
                continue
            for data in attempts:
                self._start(data, session_id)

    def _lost_or_fatal(self, session_id):
        try:
            self._session_lost(session_id)
        except ApiError as e:
            self._error = e
            log.error("could not register again: %s", e)
            self._stopping.set()
        except _SessionLost:
            pass

    def _start(self, data, session_id):
        """Starts the handler of one claimed attempt on the pool."""
        job = Job(self, data)
        job.session_id = session_id
        with self._lock:
            self._held[job.id] = job
            early = self._early_cancels.pop(job.id, None)
        if early is not None:
            job.token._cancel(*early)
        if self._cancel_on_stop and self._stopping.is_set():
            job.token._cancel("WORKER_STOPPING")
        log.debug("claimed %r", job)
        self._pool.submit(self._execute, job)

    def _execute(self, job):
        """Runs a handler and reports its outcome."""
        handler = self._handlers.get(job.name)
        try:
            if handler is None:
                raise JobFailed("UNKNOWN_TYPE", f"this worker has no handler for {job.type}")
            result = handler(job)
            try:
                json.dumps(result)
                outcome = ("complete", {"result": result})
            except (TypeError, ValueError) as e:
                outcome = ("fail", _failure("JOB_ERROR", f"the result is not JSON: {e}"))
        except JobFailed as e:
            outcome = ("fail", _failure(e.error_type, e.message, e.status, e.retry_after))
        except Cancelled as e:
            outcome = ("fail", _failure("CANCELLED", str(e)))
        except Exception as e:  # any exception fails the attempt, with its message
            log.info("handler of %r raised", job, exc_info=True)
            outcome = ("fail", _failure("JOB_ERROR", str(e) or type(e).__name__))
        except BaseException as e:  # KeyboardInterrupt, SystemExit: report and let it go on
            self._report(job, "fail", _failure("JOB_ERROR", f"handler interrupted: {type(e).__name__}"))
            raise
        if job.token.is_cancelled():
            outcome = ("fail", _failure("CANCELLED", f"cancelled: {job.token.reason}"))
        self._report(job, *outcome)

    def _report(self, job, action, body):
        try:
            delay = 0.05
            for attempt in range(5):
                try:
                    self._call("POST", f"/api/v1/workers/{job.session_id}/attempts/{job.id}/{action}", body)
                    log.debug("reported %r: %s", job, action)
                    return
                except ApiError as e:
                    if e.status in (404, 409):
                        # lease lost, abandoned after a cancel, or already reported: the service
                        # has decided this attempt's outcome without us
                        log.info("the service refused the %s of %r (%d): %s", action, job, e.status, e)
                        return
                    if e.status in (400, 413) and body.get("errorType") != "REPORT_REFUSED":
                        # a result too large, say: fail the attempt rather than leave it held
                        log.error("the service refused the %s of %r: %s", action, job, e)
                        action, body = "fail", _failure("REPORT_REFUSED", f"the service refused the report: {e}")
                        continue
                    if e.status < 500 and e.status != 429:
                        log.error("the service refused the %s of %r: %s", action, job, e)
                        return
                    log.warning("reporting %r failed (%s), retrying", job, e)
                except (OSError, http.client.HTTPException) as e:
                    log.warning("reporting %r failed (%s), retrying", job, e)
                time.sleep(delay)  # a backoff between report retries, not synchronisation
                delay *= 4
            log.error("gave up reporting %r", job)
        finally:
            with self._lock:
                self._held.pop(job.id, None)
                self._lock.notify_all()

    # -- cancels: the event stream and the heartbeat ---------------------------------------------

    def _cancel(self, attempt_id, reason, requested_at=None, early=True):
        """Cancels a held attempt's token; one not held (yet) is kept for its claim answer, which
        a cancel on the stream may overtake (unless not ``early``: then it is ignored)."""
        try:
            requested = parse_instant(requested_at)
        except ValueError:
            log.info("a cancel of %s has a requestedAt that is no instant: %r", attempt_id, requested_at)
            requested = None
        with self._lock:
            job = self._held.get(attempt_id)
            if job is None and early:
                self._early_cancels[attempt_id] = (reason, requested)
                if len(self._early_cancels) > 10000:
                    self._early_cancels.pop(next(iter(self._early_cancels)))
        if job is not None and job.token._cancel(reason, requested):
            log.info("cancelled %r: %s", job, reason)

    def _stream_loop(self):
        delay = 0.05
        while not self._stopped.is_set():
            session_id = self.session_id
            if session_id is None:
                with self._lock:
                    self._lock.wait(0.5)
                continue
            conn = None
            try:
                conn, response = _Connection(self.url, self.api_key, None).stream(
                    f"/api/v1/workers/{session_id}/events", timeout=max(60.0, 4 * self._heartbeat_interval))
                self._stream_conn = conn
                if response.status == 404:
                    response.read()
                    if self._stopping.is_set():
                        return
                    self._lost_or_fatal(session_id)
                    continue
                if response.status != 200:
                    body = response.read(2000).decode("utf-8", "replace")
                    raise ApiError("GET", f"/api/v1/workers/{session_id}/events", response.status, body)
                for event, data in _sse_events(response):
                    if event == "cancel":
                        payload = json.loads(data)
                        self._cancel(payload["attemptId"], payload.get("reason") or "BATCH_CANCELLED",
                                     payload.get("requestedAt"))
                    elif event == "ready":
                        delay = 0.05
                        self._ready.set()
                        log.debug("event stream of %s open", session_id)
                    elif event == "lost":
                        if not self._stopping.is_set():
                            self._lost_or_fatal(session_id)
                        break
                    elif event == "reconnect":
                        delay = 0.0
                        break
                    if self._stopped.is_set():
                        return
            except (OSError, http.client.HTTPException, ValueError, ApiError) as e:
                if self._stopped.is_set():
                    return
                log.warning("event stream of %s failed: %s; reopening in %.2f s", session_id, e, delay)
            finally:
                self._stream_conn = None
                if conn is not None:
                    conn.close()
            if self._stopped.wait(delay):
                return
            delay = min(max(delay * 2, 0.05), 5.0)

    def _abort_stream(self):
        conn = self._stream_conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _heartbeat_loop(self):
        while not self._stopped.wait(self._heartbeat_interval):
            session_id = self.session_id
            if session_id is None:
                continue
            try:
                answer = self._heartbeat(session_id)
            except ApiError as e:
                if e.status == 404 and not self._stopping.is_set():
                    self._lost_or_fatal(session_id)
                elif e.status != 404:
                    log.warning("heartbeat failed: %s", e)
                continue
            except (OSError, http.client.HTTPException) as e:
                log.warning("heartbeat failed: %s", e)
                continue
            for item in answer.get("cancelled") or ():
                self._cancel(item["attemptId"], item.get("reason") or "BATCH_CANCELLED", item.get("requestedAt"))
            for attempt_id in answer.get("unknown") or ():
                # named in `holding` but no longer this worker's (abandoned after a cancel it never
                # heard of, say): its handler is told to stop; an attempt reported meanwhile is gone
                self._cancel(attempt_id, "UNKNOWN", early=False)

    def _heartbeat(self, session_id):
        """One heartbeat: `holding` names every attempt this worker holds for the session (the
        service offers again any it handed over, more than heartbeatInterval ago, that is not
        named: a lost claim answer's), progress is sent for those that reported some.

        A claim answer still on its way after heartbeatInterval (a stalled machine) can be taken
        back by this heartbeat: its attempts then run here and elsewhere, and this worker's
        report is refused with 409 (logged). The service's margin makes that rare."""
        with self._lock:
            jobs = [job for job in self._held.values() if job.session_id == session_id]
        body = {"holding": [job.id for job in jobs]}
        progress = {job.id: job._progress for job in jobs if job._progress is not None}
        if progress:
            body["progress"] = progress
        return self._call("POST", f"/api/v1/workers/{session_id}/heartbeat", body) or {}

    # -- stopping ------------------------------------------------------------------------------

    def _drain_on_stop(self):
        """On the ``failfast-drain`` thread: once stopping, drains the session, so that the claim
        in flight answers at once and no later one takes attempts. If the drain fails, the
        claim's connection is closed instead (its answer may be lost: see _hand_back_lost_claim)."""
        self._stopping.wait()
        session_id = self.session_id
        try:
            if session_id is None or self._stopped.is_set():
                self._claim_conn.abort()
                return
            self._call("POST", f"/api/v1/workers/{session_id}/drain", timeout=min(self.request_timeout, 10.0))
            log.debug("drained worker session %s", session_id)
        except (ApiError, OSError, http.client.HTTPException) as e:
            log.warning("could not drain worker session %s, aborting its claim: %s", session_id, e)
            self._claim_conn.abort()
        finally:
            self._drained.set()

    def _hand_back_lost_claim(self):
        """After stop(), if a claim's answer was lost: a heartbeat naming what this worker holds,
        sent once those attempts were claimed more than heartbeatInterval ago, makes the service
        offer them to other workers; without it the DELETE would fail them with WORKER_LOST."""
        lost_at, session_id = self._claim_lost_at, self.session_id
        if lost_at is None or session_id is None:
            return
        wait = lost_at + self._heartbeat_interval + 0.25 - time.monotonic()
        if wait > 0:
            self._stopped.wait(wait)  # the service's age margin for taking attempts back
        try:
            self._heartbeat(session_id)
        except (ApiError, OSError, http.client.HTTPException) as e:
            log.warning("could not hand back the attempts of a lost claim answer: %s", e)

    def _finish_held(self):
        """After stop(): waits for the running handlers, up to the stop timeout."""
        with self._lock:
            jobs = list(self._held.values())
        if self._cancel_on_stop:
            for job in jobs:
                job.token._cancel("WORKER_STOPPING")
        deadline = time.monotonic() + self._drain_timeout
        with self._lock:
            while self._held:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.warning("stopping with %d handler(s) still running; the service fails their "
                                "attempts with WORKER_LOST", len(self._held))
                    break
                self._lock.wait(remaining)

    def _delete_session(self):
        session_id = self.session_id
        if session_id is None:
            return
        try:
            self._call("DELETE", f"/api/v1/workers/{session_id}", ok=(204, 404))
            log.info("deleted worker session %s", session_id)
        except (ApiError, OSError, http.client.HTTPException) as e:
            log.warning("could not delete worker session %s (its lease will expire): %s", session_id, e)


def _failure(error_type, message, status=None, retry_after=None):
    body = {"errorType": error_type, "message": str(message).replace("\x00", "")[:MAX_MESSAGE]}
    if status is not None:
        body["status"] = status
    if retry_after is not None:
        body["retryAfter"] = retry_after
    return body


class FailfastClient:
    """A small client of the batch API (scopes ``batches:write``/``read``/``cancel``)."""

    def __init__(self, url, api_key, timeout=30.0):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections = []

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = _Connection(self.url, self.api_key, self.timeout)
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self):
        """Closes the client's connections (it opens new ones if used again)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, method, path, body=None, ok=(200, 201, 202, 204)):
        """One API call; returns the parsed JSON answer; raises :class:`ApiError` on another status."""
        status, parsed, _ = self._conn().request(method, path, body)
        if status not in ok:
            raise ApiError(method, path, status, parsed)
        return parsed

    def submit_batch(self, batch):
        """``POST /api/v1/batches``: the batch's status (with its ``id``)."""
        return self.call("POST", "/api/v1/batches", batch)

    def get_batch(self, batch_id):
        """``GET /api/v1/batches/{id}``: state, counts and ``cancellation`` (the cause)."""
        return self.call("GET", f"/api/v1/batches/{batch_id}")

    def get_job(self, batch_id, job_id):
        """``GET /api/v1/batches/{id}/jobs/{jobId}``: the job with its attempt history."""
        return self.call("GET", f"/api/v1/batches/{batch_id}/jobs/{urllib.parse.quote(job_id, safe='')}")

    def list_jobs(self, batch_id, size=1000):
        """Every job of the batch, in submission order."""
        jobs, page = [], 0
        while True:
            answer = self.call("GET", f"/api/v1/batches/{batch_id}/jobs?page={page}&size={size}")
            jobs.extend(answer["content"])
            meta = answer.get("page") or {}
            page += 1
            if not answer["content"] or page >= meta.get("totalPages", 0):
                return jobs

    def cancel_batch(self, batch_id, reason=None):
        """``POST /api/v1/batches/{id}/cancel``."""
        return self.call("POST", f"/api/v1/batches/{batch_id}/cancel", {"reason": reason} if reason else {})

    def wait_for_batch(self, batch_id, timeout=60.0):
        """Follows the batch's event stream until it is terminal; returns its final status. Raises
        TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"batch {batch_id} not terminal after {timeout} s")
            conn, response = _Connection(self.url, self.api_key, remaining).stream(
                f"/api/v1/batches/{batch_id}/events", timeout=remaining)
            try:
                if response.status != 200:
                    raise ApiError("GET", f"/api/v1/batches/{batch_id}/events", response.status,
                                   response.read(2000).decode("utf-8", "replace"))
                for event, data in _sse_events(response):
                    if event == "batch":
                        batch = json.loads(data)
                        if batch["state"] in TERMINAL_BATCH_STATES:
                            return batch
            except socket.timeout:
                raise TimeoutError(f"batch {batch_id} not terminal after {timeout} s") from None
            finally:
                conn.close()
