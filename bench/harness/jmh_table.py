"""Turns JMH's JSON result (DispatchBenchmark, run with -prof gc) into a table of ratios to the raw pool."""
import json
import sys

import common


def main(path):
    results = {r["benchmark"].rsplit(".", 1)[1]: r for r in json.load(open(path))}
    raw = results["rawExecutor"]["primaryMetric"]["score"]
    bounded = results["rawExecutorBounded"]["primaryMetric"]["score"]
    rows = []
    for name in ("rawExecutor", "rawExecutorBounded", "engineNoop", "engineSleepZero"):
        r = results[name]
        score, error = r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        spread = f" ± {error:,.0f}" if isinstance(error, (int, float)) and error == error else ""
        rows.append([name, f"{score:,.0f}{spread}", f"{score / raw:.3f}", f"{score / bounded:.3f}",
                     "" if alloc is None else f"{alloc:,.0f}"])
    print(common.markdown_table(
        ["benchmark", "jobs/s", "ratio to rawExecutor", "ratio to rawExecutorBounded", "bytes allocated per job"], rows))


if __name__ == "__main__":
    main(sys.argv[1])
