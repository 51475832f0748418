"""Scale: startup, RSS, the 100 000-job no-op batch end to end, and heap per pending job.

  startup            process spawn -> /actuator/health/readiness answers 200, wall time and the CPU
                     time the process used until then (less sensitive to other load); baseline:
                     `java -version`, wall and CPU
  RSS                idle after start, and the maximum while noop-100k runs
  noop-100k          POST -> terminal seen by a client polling every 20 ms, and server createdAt ->
                     finishedAt; 3 runs on one instance
  heap per pending   a fresh instance; live heap (jcmd GC.class_histogram, which collects first)
                     before and after admitting 100 000 one-hour jobs with parallelism 1, so
                     99 999 stay PENDING; (after - before) / 99 999, with the classes that grew most

Each service is started with the harness's admin key as its bootstrap key (common.BENCH_KEY:
$FAILFAST_BENCH_KEY if set, else a fixed key; builds from before authentication ignore it), and
every API call sends it; the readiness probe that times startup is anonymous.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import threading
import time

import common


def java_floor(java):
    """Wall milliseconds and CPU seconds of `java -version`, best of 3."""
    walls, cpus = [], []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run([java, "-version"], capture_output=True, check=True)
        walls.append((time.monotonic() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return min(walls), min(cpus)


def histogram(jcmd, pid):
    """{class: bytes} of live objects, and the total; GC.class_histogram runs a full GC first."""
    out = subprocess.run([jcmd, str(pid), "GC.class_histogram"], capture_output=True, text=True, check=True).stdout
    classes, total = {}, None
    for line in out.splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            classes[m.group(3)] = classes.get(m.group(3), 0) + int(m.group(2))
        elif line.startswith("Total"):
            total = int(line.split()[2])
    return classes, total


def pending_body(jobs):
    return json.dumps({"name": "pending", "maxParallelism": 1, "jobs": [
        {"id": f"n{i}", "type": "sleep", "params": {"duration": "PT1H", "steps": 1}} for i in range(jobs)]}).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--big", required=True, help="noop-100k.json")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    java = common.find_java()
    jcmd = os.path.join(os.path.dirname(java), "jcmd")
    os.makedirs(args.out, exist_ok=True)
    java_wall, java_cpu = java_floor(java)
    result = {"java_version_ms": java_wall, "java_version_cpu_s": java_cpu}

    with open(args.big, "rb") as f:
        big = f.read()
    with common.Service(args.jar, java, log_path=os.path.join(args.out, "scale-service.log")) as service:
        result["startup_ms"] = service.startup_ms
        result["startup_cpu_s"] = service.startup_cpu_s
        time.sleep(5)
        result["rss_idle_mib"] = common.rss_kib(service.pid) / 1024
        peak = [0]
        runs = []
        for _ in range(args.runs):
            done = threading.Event()

            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], common.rss_kib(service.pid))
                    time.sleep(0.1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0 = time.monotonic()
            batch = service.post("/api/v1/batches", big)
            accepted = time.monotonic()
            final = service.wait_terminal_poll(batch["id"], interval=0.02)
            end = time.monotonic()
            done.set()
            sampler.join()
            runs.append({"post_ms": (accepted - t0) * 1000, "post_to_terminal_ms": (end - t0) * 1000,
                         "server_ms": common.instant_ms(final["finishedAt"]) - common.instant_ms(final["createdAt"]),
                         "state": final["state"]})
        result["noop100k"] = runs
        result["rss_load_mib"] = peak[0] / 1024

    with common.Service(args.jar, java, log_path=os.path.join(args.out, "scale-heap-service.log")) as service:
        body = pending_body(100_000)
        service.post("/api/v1/batches", pending_body(10))  # load every class a batch needs first
        before, before_total = histogram(jcmd, service.pid)
        batch = service.post("/api/v1/batches", body)
        del body
        after, after_total = histogram(jcmd, service.pid)
        status = service.get(f"/api/v1/batches/{batch['id']}")
        pending = status["counts"]["pending"]
        growth = sorted(((after.get(c, 0) - before.get(c, 0), c) for c in after), reverse=True)[:12]
        result["heap"] = {"pending": pending, "before": before_total, "after": after_total,
                          "per_pending_job_bytes": (after_total - before_total) / pending,
                          "top_growth": [[c, b, b / pending] for b, c in growth]}

    with open(os.path.join(args.out, "scale.json"), "w") as f:
        json.dump(result, f, indent=1)
    n = result["noop100k"]
    median = lambda key: common.percentile([r[key] for r in n], 50)
    print(common.markdown_table(["figure", "value", "baseline", "ratio"], [
        ["startup, spawn → ready (ms)", f"{result['startup_ms']:.0f}", f"`java -version` {result['java_version_ms']:.0f} ms",
         f"{result['startup_ms'] / result['java_version_ms']:.1f}"],
        ["startup, CPU time used until ready (s)", f"{result['startup_cpu_s']:.1f}",
         f"`java -version` {result['java_version_cpu_s']:.2f} s", f"{result['startup_cpu_s'] / result['java_version_cpu_s']:.1f}"],
        ["RSS idle (MiB)", f"{result['rss_idle_mib']:.0f}", "", ""],
        ["RSS max while noop-100k runs (MiB)", f"{result['rss_load_mib']:.0f}", "idle",
         f"{result['rss_load_mib'] / result['rss_idle_mib']:.1f}"],
        [f"noop-100k POST → 202, median of {len(n)} (ms)", f"{median('post_ms'):.0f}", "", ""],
        [f"noop-100k POST → terminal seen by client, median of {len(n)} (ms)", f"{median('post_to_terminal_ms'):.0f}",
         "", ""],
        ["noop-100k server createdAt → finishedAt, median (ms)", f"{median('server_ms'):.0f}", "", ""],
        ["noop-100k jobs/s (server)", f"{100_000 / median('server_ms') * 1000:.0f}", "JMH rawExecutorBounded",
         "see section 3"],
        ["heap per pending job (B)", f"{result['heap']['per_pending_job_bytes']:.0f}", "goal 500",
         f"{result['heap']['per_pending_job_bytes'] / 500:.2f}"],
    ]))
    print("\nLive-heap growth by class for 99 999 pending jobs (bytes per pending job):\n")
    print(common.markdown_table(["class", "bytes per pending job"],
                                [[c, f"{per:.0f}"] for c, _, per in result["heap"]["top_growth"]]))


if __name__ == "__main__":
    main()
