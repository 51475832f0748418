"""The seeds' hand-rolled thread-pool approaches, reproduced with the standard library.

Each runner executes the workload once and returns a trace: times in milliseconds since
submission began; `failure` when the failing job raised, `returned` when the calling code got
control back, `jobs` as [id, start, end] for every job whose body was entered. A job works like
the service's `sleep` type: `duration` in `steps` equal steps, failing at `failAfter`.
"""
import concurrent.futures
import threading
import time
from multiprocessing.pool import ThreadPool


def parse_duration(text):
    """ISO-8601 durations of the form PT<seconds>S, as the workloads use."""
    if not (text.startswith("PT") and text.endswith("S")):
        raise ValueError(f"unsupported duration {text}")
    return float(text[2:-1])


class Work:
    def __init__(self, job):
        params = job["params"]
        self.id = job["id"]
        self.duration = parse_duration(params["duration"])
        self.steps = params.get("steps", 10)
        self.fail_after = parse_duration(params["failAfter"]) if "failAfter" in params else None
        self.fail_message = params.get("failMessage", "Simulated failure")


class Trace:
    def __init__(self, approach):
        self.approach = approach
        self.t0 = time.perf_counter()
        self.failure = None
        self.returned = None
        self.spans = {}
        self.lock = threading.Lock()

    def now(self):
        return (time.perf_counter() - self.t0) * 1000

    def started(self, job_id):
        with self.lock:
            self.spans[job_id] = [self.now(), None]

    def ended(self, job_id):
        with self.lock:
            self.spans[job_id][1] = self.now()

    def failed(self):
        with self.lock:
            if self.failure is None:
                self.failure = self.now()

    def as_dict(self):
        return {"approach": self.approach, "failure": self.failure, "returned": self.returned,
                "jobs": [[job_id, start, end] for job_id, (start, end) in self.spans.items()]}


def run_job(work, trace, stop=None):
    """One job's body; `stop` is the shared Event polled before each step, if any."""
    trace.started(work.id)
    try:
        start = time.perf_counter()
        step_length = work.duration / work.steps
        for step in range(1, work.steps + 1):
            if stop is not None and stop.is_set():
                return "cancelled"
            step_end = start + (work.duration if step == work.steps else step * step_length)
            if work.fail_after is not None and start + work.fail_after <= step_end:
                sleep_until(start + work.fail_after)
                trace.failed()
                if stop is not None:
                    stop.set()
                raise RuntimeError(work.fail_message)
            sleep_until(step_end)
        return "done"
    finally:
        trace.ended(work.id)


def sleep_until(deadline):
    while (remaining := deadline - time.perf_counter()) > 0:
        time.sleep(remaining)


def threadpool_event(works, parallelism):
    """multiprocessing.pool.ThreadPool, one apply_async per job, a shared Event polled each step."""
    trace = Trace("py-threadpool-event")
    stop = threading.Event()
    with ThreadPool(parallelism) as pool:
        results = [pool.apply_async(run_job, (work, trace, stop)) for work in works]
        pool.close()
        pool.join()
    trace.returned = trace.now()
    assert any(not r.successful() for r in results)
    return trace.as_dict()


def executor_first_exception(works, parallelism):
    """ThreadPoolExecutor + wait(FIRST_EXCEPTION) + shutdown(wait=False, cancel_futures=True)."""
    trace = Trace("py-tpe-first-exception")
    executor = concurrent.futures.ThreadPoolExecutor(parallelism)
    futures = [executor.submit(run_job, work, trace) for work in works]
    concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_EXCEPTION)
    executor.shutdown(wait=False, cancel_futures=True)
    trace.returned = trace.now()
    executor.shutdown(wait=True)  # for the trace only: the seed does not wait
    return trace.as_dict()


def executor_map(works, parallelism):
    """ThreadPoolExecutor.map in a with block; the exception surfaces when iteration reaches it."""
    trace = Trace("py-tpe-map")
    try:
        with concurrent.futures.ThreadPoolExecutor(parallelism) as executor:
            for _ in executor.map(lambda work: run_job(work, trace), works):
                pass
    except RuntimeError:
        pass
    trace.returned = trace.now()
    return trace.as_dict()


APPROACHES = {
    "py-threadpool-event": threadpool_event,
    "py-tpe-first-exception": executor_first_exception,
    "py-tpe-map": executor_map,
}
