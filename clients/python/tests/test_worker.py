"""Tests of failfast_worker against a real Failfast service.

Set FAILFAST_URL (``http://127.0.0.1:8080``) and FAILFAST_API_KEY (a key with scopes
batches:read, batches:write, batches:cancel and workers:run); without them every test is
skipped. The service's PythonWorkerClientTest runs them against a fresh service in
``./mvnw verify``::

    FAILFAST_URL=... FAILFAST_API_KEY=... python3 -m unittest discover -s clients/python/tests -v

Each test registers its own worker for its own remote type (``remote:t<random>-...``), so tests
never claim each other's jobs. Nothing waits by sleeping: threading.Event with timeouts.
"""
import datetime
import logging
import os
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from failfast_worker import (ApiError, CancelToken, Cancelled, FailfastClient, JobFailed, Worker,  # noqa: E402
                             format_duration, parse_duration, parse_instant)

URL = os.environ.get("FAILFAST_URL")
KEY = os.environ.get("FAILFAST_API_KEY")
TIMEOUT = 20.0  # seconds any one wait may take before the test fails

logging.basicConfig(level=os.environ.get("FAILFAST_TEST_LOG", "WARNING"),
                    format="%(asctime)s %(threadName)s %(levelname)s %(name)s: %(message)s")


def await_value(supplier, timeout=TIMEOUT, interval=0.05):
    """Polls ``supplier`` until it returns something other than None (Awaitility-style, for state
    only visible by asking the service); the last value after ``timeout`` seconds."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while True:
        value = supplier()
        if value is not None or time.monotonic() >= deadline:
            return value
        pause.wait(interval)


class UnitTest(unittest.TestCase):
    """What needs no service."""

    def test_durations(self):
        self.assertEqual(parse_duration("PT5S"), 5.0)
        self.assertEqual(parse_duration("PT0.25S"), 0.25)
        self.assertEqual(parse_duration("PT1M30S"), 90.0)
        self.assertEqual(parse_duration("P1DT1H"), 90000.0)
        self.assertEqual(format_duration(1.5), "PT1.5S")
        self.assertEqual(format_duration(20), "PT20S")
        for bad in ("", "P", "PT", "5S", "PTS"):
            with self.assertRaises(ValueError, msg=bad):
                parse_duration(bad)

    def test_instants(self):
        utc = datetime.timezone.utc
        self.assertEqual(parse_instant("2026-12-02T07:25:17.123456789Z"),
                         datetime.datetime(2026, 12, 2, 7, 25, 17, 123456, tzinfo=utc))
        self.assertEqual(parse_instant("2026-12-02T07:25:17Z"), datetime.datetime(2026, 12, 2, 7, 25, 17, tzinfo=utc))
        self.assertEqual(parse_instant("2026-12-02T08:25:17.5+01:00"),
                         datetime.datetime(2026, 12, 2, 7, 25, 17, 500000, tzinfo=utc))
        self.assertIsNone(parse_instant(None))
        for bad in ("", "2026-12-02", "2026-12-02T07:25:17", "yesterday"):
            with self.assertRaises(ValueError, msg=bad):
                parse_instant(bad)

    def test_token(self):
        token = CancelToken()
        ran, errors = [], []
        token.on_cancel(lambda: ran.append(1))
        token.on_cancel(lambda: 1 / 0)  # logged, does not stop the next one
        token.on_cancel(lambda: ran.append(2))
        self.assertFalse(token.wait(0))
        token.raise_if_cancelled()
        with self.assertLogs("failfast_worker", "ERROR"):
            self.assertTrue(token._cancel("BATCH_CANCELLED"))
        self.assertFalse(token._cancel("again"))
        self.assertEqual(ran, [1, 2])
        self.assertIsNone(token.cancel_requested_at, "none given")
        self.assertIsNotNone(token.cancel_received_at)
        self.assertTrue(token.wait(0))
        with self.assertRaises(Cancelled) as raised:
            token.raise_if_cancelled()
        self.assertEqual(raised.exception.reason, "BATCH_CANCELLED")
        token.on_cancel(lambda: ran.append(3))  # already cancelled: called at once
        self.assertEqual(ran, [1, 2, 3])
        self.assertEqual(errors, [])

    def test_job_failed_checks_its_arguments(self):
        self.assertEqual(JobFailed("S3_ERROR", "x", status=404, retry_after=5).retry_after, "PT5S")
        with self.assertRaises(ValueError):
            JobFailed("s3 error", "x")
        with self.assertRaises(ValueError):
            JobFailed("S3_ERROR", "x", status=99)

    def test_names(self):
        worker = Worker("http://127.0.0.1:1", "key")
        with self.assertRaises(ValueError):
            worker.job("Download")
        worker.job("remote:download")(lambda job: None)
        self.assertIn("download", worker._handlers)


@unittest.skipUnless(URL and KEY, "FAILFAST_URL and FAILFAST_API_KEY are not set")
class WorkerTest(unittest.TestCase):
    """A worker and batches of its remote type, on the real service."""

    def setUp(self):
        self.client = FailfastClient(URL, KEY)
        self.addCleanup(self.client.close)
        self.type = "t" + uuid.uuid4().hex[:8] + "-" + self._testMethodName[5:30].replace("_", "-")
        self.worker = Worker(URL, KEY, concurrency=4, name=self.id()[-100:], claim_wait=5.0, stop_timeout=10.0)
        self.run_error = []

    def start(self):
        """Runs the worker on a thread; stops it at the end of the test."""
        def run():
            try:
                self.worker.run()
            except BaseException as e:  # reported by the test, not lost on the thread
                self.run_error.append(e)

        thread = threading.Thread(target=run, name="worker-run", daemon=True)
        thread.start()
        self.addCleanup(self.stop, thread)
        self.assertTrue(self.worker.wait_ready(TIMEOUT), "the worker's event stream did not open")
        return thread

    def stop(self, thread):
        self.worker.stop(timeout=5.0)
        thread.join(TIMEOUT)
        self.assertFalse(thread.is_alive(), "worker.run() did not return after stop()")
        self.assertEqual(self.run_error, [])

    def submit(self, jobs, **batch):
        body = {"name": self._testMethodName, "failurePolicy": "FAIL_FAST", **batch, "jobs": jobs}
        return self.client.submit_batch(body)["id"]

    def remote(self, job_id, **params):
        return {"id": job_id, "type": f"remote:{self.type}", "params": params}

    def jobs(self, batch_id):
        return {job["id"]: job for job in self.client.list_jobs(batch_id)}

    def test_a_batch_of_remote_jobs_succeeds_with_their_results(self):
        @self.worker.job(self.type)
        def double(job):
            return {"double": job.params["n"] * 2, "attempt": job.attempt, "jobId": job.job_id,
                    "batchId": job.batch_id, "attemptId": job.id}

        self.start()
        batch_id = self.submit([self.remote(f"job-{n}", n=n) for n in range(6)], maxParallelism=4)
        final = self.client.wait_for_batch(batch_id, TIMEOUT)

        self.assertEqual(final["state"], "SUCCEEDED", final)
        self.assertEqual(final["counts"]["succeeded"], 6)
        for n, job in enumerate(self.jobs(batch_id).values()):
            self.assertEqual(job["state"], "SUCCEEDED")
            self.assertEqual(job["result"]["double"], n * 2)
            self.assertEqual(job["result"]["attempt"], 1)
            self.assertEqual(job["result"]["jobId"], f"job-{n}")
            self.assertEqual(job["result"]["batchId"], batch_id)

    def test_the_first_failure_cancels_running_handlers_and_skips_pending_jobs(self):
        blocking = [f"block-{n}" for n in range(3)]
        started = {job_id: threading.Event() for job_id in blocking}
        callback_ran = {job_id: threading.Event() for job_id in blocking}
        callback_thread = {}
        waited = {}
        pending_ran = threading.Event()

        @self.worker.job(self.type)
        def handler(job):
            if job.job_id in started:
                def cancelled(job_id=job.job_id):
                    callback_thread[job_id] = threading.current_thread().name
                    callback_ran[job_id].set()

                job.token.on_cancel(cancelled)
                started[job.job_id].set()
                waited[job.job_id] = job.token.wait(60)  # returns early, True, on the cancel
                return "finished"  # after a cancel: reported as stopped (CANCELLED)
            if job.job_id == "boom":
                for event in started.values():
                    if not event.wait(TIMEOUT):
                        raise RuntimeError("the blocking jobs did not all start")
                raise JobFailed("BOOM", "the first failure", status=500)
            pending_ran.set()
            return "should not run"

        self.start()
        jobs = [self.remote(job_id) for job_id in blocking] + [self.remote("boom")]
        jobs += [self.remote(f"pending-{n}") for n in range(6)]
        batch_id = self.submit(jobs, maxParallelism=4)
        final = self.client.wait_for_batch(batch_id, TIMEOUT)

        self.assertEqual(final["state"], "FAILED", final)
        cause = final["cancellation"]
        self.assertEqual(cause["cause"], "JOB_FAILED")
        self.assertEqual(cause["jobId"], "boom")
        for job_id in blocking:
            self.assertTrue(callback_ran[job_id].wait(TIMEOUT), f"on_cancel of {job_id} did not run")
            self.assertTrue(waited[job_id], f"token.wait() of {job_id} did not return early")
            self.assertEqual(callback_thread[job_id], "failfast-events",
                             "the cancel should arrive on the event stream, not with a heartbeat")
        jobs = self.jobs(batch_id)
        self.assertEqual(jobs["boom"]["state"], "FAILED")
        self.assertEqual(jobs["boom"]["error"]["type"], "BOOM")
        for job_id in blocking:
            self.assertEqual(jobs[job_id]["state"], "CANCELLED", jobs[job_id])
            self.assertFalse(jobs[job_id]["abandoned"], "the handler stopped; it was not abandoned")
        for n in range(6):
            self.assertEqual(jobs[f"pending-{n}"]["state"], "SKIPPED")
        self.assertFalse(pending_ran.is_set(), "a job started after the cause")
        self.assertEqual(cause["report"]["runningAtCause"], 3)
        self.assertEqual(cause["report"]["stoppedRunning"], 3)

    def test_job_failed_and_other_exceptions_reach_the_jobs_errors(self):
        @self.worker.job(self.type)
        def handler(job):
            if job.job_id == "missing":
                raise JobFailed("S3_ERROR", "no such key: bucket/a.bin", status=404)
            if job.job_id == "bug":
                raise ValueError("bad input")
            if job.job_id == "flaky" and job.attempt == 1:
                raise JobFailed("FLAKY", "try again", status=503)
            return job.attempt

        self.start()
        flaky = {**self.remote("flaky"), "retry": {"maxAttempts": 2, "backoff": "PT0.1S"}}  # the default min-retry-backoff
        batch_id = self.submit([self.remote("missing"), self.remote("bug"), flaky, self.remote("ok")],
                               failurePolicy="CONTINUE")
        self.client.wait_for_batch(batch_id, TIMEOUT)

        jobs = self.jobs(batch_id)
        self.assertEqual(jobs["missing"]["state"], "FAILED")
        self.assertEqual(jobs["missing"]["error"]["type"], "S3_ERROR")
        self.assertEqual(jobs["missing"]["error"]["httpStatus"], 404)
        self.assertIn("no such key: bucket/a.bin", jobs["missing"]["error"]["message"])
        self.assertEqual(jobs["bug"]["state"], "FAILED")
        self.assertEqual(jobs["bug"]["error"]["type"], "JOB_ERROR")
        self.assertIn("bad input", jobs["bug"]["error"]["message"])
        self.assertEqual(jobs["flaky"]["state"], "SUCCEEDED", jobs["flaky"])
        self.assertEqual(jobs["flaky"]["result"], 2, "the retry is attempt 2")
        self.assertEqual(jobs["ok"]["result"], 1)

    def test_a_user_cancel_reaches_the_handler(self):
        started, cancelled = threading.Event(), threading.Event()
        seen = {}

        @self.worker.job(self.type)
        def handler(job):
            job.token.on_cancel(cancelled.set)
            started.set()
            seen["waited"] = job.token.wait(60)
            seen["reason"] = job.token.reason
            seen["requested_at"] = job.token.cancel_requested_at
            seen["received_at"] = job.token.cancel_received_at
            job.token.raise_if_cancelled()

        self.start()
        batch_id = self.submit([self.remote("long")])
        self.assertTrue(started.wait(TIMEOUT), "the handler did not start")
        before = datetime.datetime.now(datetime.timezone.utc)
        self.client.cancel_batch(batch_id, "the operator changed their mind")
        self.assertTrue(cancelled.wait(TIMEOUT), "the cancel did not reach the handler")
        final = self.client.wait_for_batch(batch_id, TIMEOUT)

        self.assertTrue(seen["waited"])
        self.assertTrue(seen["reason"])
        # the service's clock is this machine's: its requestedAt lies between the cancel's call
        # and the worker hearing of it (a millisecond of slack for rounding)
        slack = datetime.timedelta(milliseconds=1)
        self.assertLessEqual(before - slack, seen["requested_at"])
        self.assertLessEqual(seen["requested_at"].timestamp(), seen["received_at"] + slack.total_seconds())
        self.assertEqual(final["state"], "CANCELLED", final)
        self.assertEqual(final["cancellation"]["cause"], "USER_REQUESTED")
        self.assertEqual(self.jobs(batch_id)["long"]["state"], "CANCELLED")

    def test_the_heartbeat_cancels_when_the_stream_missed_it(self):
        started, cancelled = threading.Event(), threading.Event()
        self.worker._stream_loop = self.worker._ready.set  # no event stream: the heartbeat must do

        @self.worker.job(self.type)
        def handler(job):
            job.token.on_cancel(cancelled.set)
            started.set()
            job.token.wait(60)

        self.start()
        batch_id = self.submit([self.remote("deaf")])
        self.assertTrue(started.wait(TIMEOUT))
        self.client.cancel_batch(batch_id)

        # the heartbeat's `cancelled` list, or, once the service gave up on the attempt after its
        # cancel grace (shorter than the heartbeat interval in tests), its `unknown` list
        self.assertTrue(cancelled.wait(TIMEOUT), "no heartbeat told the handler to stop")
        final = self.client.wait_for_batch(batch_id, TIMEOUT)
        self.assertEqual(final["state"], "CANCELLED")

    def test_a_handler_that_ignores_its_cancel_is_abandoned_and_the_worker_goes_on(self):
        started, release = threading.Event(), threading.Event()
        self.worker = Worker(URL, KEY, concurrency=1, name=self.id()[-100:], claim_wait=5.0, stop_timeout=10.0)

        @self.worker.job(self.type)
        def handler(job):
            if job.job_id == "stubborn":
                started.set()
                release.wait(TIMEOUT)  # ignores the token
                return "too late"
            return "next"

        self.start()
        self.addCleanup(release.set)
        batch_id = self.submit([self.remote("stubborn")])
        self.assertTrue(started.wait(TIMEOUT))
        self.client.cancel_batch(batch_id)
        final = self.client.wait_for_batch(batch_id, TIMEOUT + 10)  # after failfast.engine.cancel-grace
        self.assertEqual(final["state"], "CANCELLED")
        self.assertTrue(self.jobs(batch_id)["stubborn"]["abandoned"])
        # the service stops waiting for the report a little after the grace: the session no
        # longer lists the attempt
        path = f"/api/v1/workers/{self.worker.session_id}"
        self.assertEqual(await_value(lambda: [] if not self.client.call("GET", path)["attempts"] else None), [])

        with self.assertLogs("failfast_worker", "INFO") as logs:
            release.set()  # its late report is refused (409); the only slot comes back
            next_id = self.submit([self.remote("next")])
            self.assertEqual(self.client.wait_for_batch(next_id, TIMEOUT)["state"], "SUCCEEDED")
        self.assertTrue(any("refused" in line and "409" in line for line in logs.output), logs.output)

    def test_progress_is_shown_with_the_session(self):
        started, release = threading.Event(), threading.Event()

        @self.worker.job(self.type)
        def handler(job):
            job.progress({"done": 3, "of": 10})
            started.set()
            release.wait(TIMEOUT)
            return "ok"

        self.start()
        batch_id = self.submit([self.remote("slow")])
        self.addCleanup(release.set)
        self.assertTrue(started.wait(TIMEOUT))
        path = f"/api/v1/workers/{self.worker.session_id}"

        def progress():  # it rides on the next heartbeat
            attempts = self.client.call("GET", path)["attempts"]
            return attempts[0].get("progress") if attempts else None

        self.assertEqual(await_value(progress), {"done": 3, "of": 10})
        release.set()
        self.assertEqual(self.client.wait_for_batch(batch_id, TIMEOUT)["state"], "SUCCEEDED")

    def test_stop_waits_for_running_handlers_then_deletes_the_session(self):
        started, release = threading.Event(), threading.Event()

        @self.worker.job(self.type)
        def handler(job):
            started.set()
            release.wait(TIMEOUT)
            return "done"

        thread = self.start()
        session_id = self.worker.session_id
        self.assertEqual(self.client.call("GET", f"/api/v1/workers/{session_id}")["id"], session_id)
        batch_id = self.submit([self.remote("running")])
        self.assertTrue(started.wait(TIMEOUT))

        self.worker.stop(timeout=TIMEOUT)
        self.assertTrue(thread.is_alive(), "run() must wait for the running handler")
        release.set()
        thread.join(TIMEOUT)

        self.assertFalse(thread.is_alive())
        self.assertEqual(self.client.wait_for_batch(batch_id, TIMEOUT)["state"], "SUCCEEDED")
        with self.assertRaises(ApiError) as gone:
            self.client.call("GET", f"/api/v1/workers/{session_id}")
        self.assertEqual(gone.exception.status, 404)

    def test_the_attempt_of_a_lost_claim_answer_is_offered_again(self):
        lost = Worker(URL, KEY, concurrency=1, name=self.id()[-95:] + "-lost")
        lost.job(self.type)(lambda job: "never")
        lost._register()  # a session, but no claim loop of its own
        self.addCleanup(lost._close_connections)
        session_id = lost.session_id
        self.addCleanup(self.client.call, "DELETE", f"/api/v1/workers/{session_id}", ok=(204, 404))
        batch_id = self.submit([self.remote("orphan")])
        # the claim whose answer "the worker" never read
        claimed = self.client.call("POST", f"/api/v1/workers/{session_id}/claim", {"max": 1, "wait": "PT10S"})
        self.assertEqual(len(claimed["attempts"]), 1)

        @self.worker.job(self.type)
        def handler(job):
            return {"by": self.worker.name, "attempt": job.attempt}

        self.start()
        # its heartbeats name nothing held: once the claim is a heartbeat interval old, the
        # service takes the attempt back and offers it again, to the other worker
        path = f"/api/v1/workers/{session_id}"
        self.assertEqual(await_value(lambda: [] if not (lost._heartbeat(session_id) is not None
                                                        and self.client.call("GET", path)["attempts"]) else None), [])

        final = self.client.wait_for_batch(batch_id, TIMEOUT)
        self.assertEqual(final["state"], "SUCCEEDED", final)
        self.assertEqual(self.jobs(batch_id)["orphan"]["result"], {"by": self.worker.name, "attempt": 1})

    def test_stop_loses_nothing_jobs_submitted_meanwhile_run_on_another_worker(self):
        started, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)

        @self.worker.job(self.type)
        def handler(job):
            if job.job_id == "held":
                started.set()
                release.wait(TIMEOUT)
            return self.worker.name

        thread = self.start()
        held_batch = self.submit([self.remote("held")])
        self.assertTrue(started.wait(TIMEOUT))
        # its claim loop now long-polls for the 3 free slots: stop() drains it
        self.worker.stop(timeout=TIMEOUT)
        self.assertTrue(self.worker._drained.wait(TIMEOUT), "the drain was not sent")
        late_batch = self.submit([self.remote(f"late-{n}") for n in range(3)])

        other = Worker(URL, KEY, concurrency=4, name=self.id()[-94:] + "-other", claim_wait=5.0)
        other.job(self.type)(lambda job: other.name)
        other_thread = threading.Thread(target=other.run, name="other-run", daemon=True)
        other_thread.start()
        self.addCleanup(other_thread.join, TIMEOUT)
        self.addCleanup(other.stop)
        final = self.client.wait_for_batch(late_batch, TIMEOUT)
        self.assertEqual(final["state"], "SUCCEEDED", final)
        for job in self.jobs(late_batch).values():
            self.assertEqual(job["result"], other.name, job)
            self.assertEqual(job["attempts"], 1, job)
        self.assertTrue(thread.is_alive(), "the stopping worker still runs its held handler")

        release.set()
        thread.join(TIMEOUT)
        self.assertFalse(thread.is_alive())
        self.assertEqual(self.client.wait_for_batch(held_batch, TIMEOUT)["state"], "SUCCEEDED")
        self.assertEqual(self.jobs(held_batch)["held"]["result"], self.worker.name)

    def test_a_deleted_session_registers_again(self):
        @self.worker.job(self.type)
        def handler(job):
            return "served"

        self.start()
        first = self.worker.session_id
        self.client.call("DELETE", f"/api/v1/workers/{first}")
        batch_id = self.submit([self.remote("after")])
        final = self.client.wait_for_batch(batch_id, TIMEOUT)

        self.assertEqual(final["state"], "SUCCEEDED", final)
        self.assertNotEqual(self.worker.session_id, first)
        mine = [w["id"] for w in self.client.call("GET", "/api/v1/workers") if w["name"] == self.worker.name]
        self.assertEqual(mine, [self.worker.session_id], "one thread registers again, once")


if __name__ == "__main__":
    unittest.main()
