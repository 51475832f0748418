"""Rules overhead: does evaluating onError rules slow the stop of a batch?

One service, the same workload (seed-ff.json) submitted two ways, interleaved run by run so load
on the machine hits both alike:
  plain   the workload as it is (FAIL_FAST, maxFailures 0)
  rules   the same jobs with an onError list of --rules rules that do not match the workload's
          failure, then one rule that matches it and fails the batch
          ({"errorType": "JOB_ERROR", "action": "FAIL_BATCH"}).
A rule's conditions are checked in the order errorType, httpStatus, exception, message, and the
first that fails ends the check. So that each non-matching rule costs what a real one can, its
errorType (JOB_ERROR) and exception (JobFailedException) match the failure of the seed's sleep
job, and its message regular expression, searched through the failure's message, does not. It has
no httpStatus: a sleep failure carries no status, so a rule with one would stop there.
Both must end FAILED with cause JOB_FAILED, the rules batch's cause recorded by its last rule
(onError[--rules]), which shows every rule before it was tried. The figure compared is the batch's own
cancellation.propagationMillis (cause recorded -> last running job stopped), plus how many jobs
started after the failure; the table gives p50/p99 of each and the rules/plain ratio of the p50s.
"""
import argparse
import copy
import json
import os
import sys

import cancel_latency
import common


def with_rules(workload, count):
    body = copy.deepcopy(workload)
    body["name"] = workload.get("name", "batch") + "-rules"
    body["onError"] = [
        {"errorType": "JOB_ERROR", "exception": "JobFailedException", "message": f"no such failure {i} (at|on) ",
         "action": "IGNORE"}
        for i in range(count)
    ] + [{"errorType": "JOB_ERROR", "action": "FAIL_BATCH"}]
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--rules", type=int, default=49, help="non-matching rules ahead of the matching one")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", required=True, help="directory for results")
    args = parser.parse_args()

    java = common.find_java()
    with open(args.workload) as f:
        workload = json.load(f)
    plain = json.dumps(workload).encode()
    ruled = json.dumps(with_rules(workload, args.rules)).encode()
    os.makedirs(args.out, exist_ok=True)

    with common.Service(args.jar, java, log_path=os.path.join(args.out, "rules-overhead-service.log")) as service:
        approaches = [cancel_latency.Failfast(service, plain), cancel_latency.Failfast(service, ruled, rule=f"onError[{args.rules}]")]
        names = ["plain", f"rules ({args.rules + 1} rules)"]
        traces = {name: [] for name in names}
        for i in range(args.warmup + args.runs):
            for name, approach in zip(names, approaches):
                trace = approach.run()
                if i >= args.warmup:
                    traces[name].append(trace)
            print(f"run {i + 1}/{args.warmup + args.runs}", file=sys.stderr, flush=True)

    rows = [cancel_latency.summarize(name, runs) for name, runs in traces.items()]
    with open(os.path.join(args.out, "rules-overhead.json"), "w") as f:
        json.dump({"rows": rows, "traces": traces}, f, indent=1)
    base = rows[0]
    print(common.markdown_table(
        ["batch", "runs", "propagation p50 / p99 / max (ms)", "× plain p50", "started after failure mean (max)",
         "submit→terminal p50 (ms)"],
        [[r["approach"], r["runs"],
          f"{r['propagation_p50']:.1f} / {r['propagation_p99']:.1f} / {r['propagation_max']:.1f}",
          f"{r['propagation_p50'] / base['propagation_p50']:.2f}",
          f"{r['started_after_mean']:.1f} ({r['started_after_max']})", f"{r['submit_to_terminal_p50']:.0f}"]
         for r in rows]))


if __name__ == "__main__":
    main()
