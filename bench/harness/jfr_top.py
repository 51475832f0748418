#!/usr/bin/env python3
"""Where the CPU samples of a JFR recording go: by thread, by innermost Failfast frame, by top frame.

Reads `jfr print --json --events jdk.ExecutionSample` of a recording (the JDK's `jfr` tool) and
prints the shares of the samples, optionally only those whose stack holds a frame matching --within
(e.g. `JdbcWrites.insert`), to say where the time of one path goes.

Usage: bench/harness/jfr_top.py RECORDING.jfr [--within TEXT] [--top N] [--jfr PATH]

Python 3 standard library only.
"""
import argparse, collections, json, os, subprocess


def frame_name(frame):
    method = frame["method"]
    return f'{method["type"]["name"].rsplit(".", 1)[-1]}.{method["name"]}'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recording")
    ap.add_argument("--within", default=None, help="only samples with a frame whose Class.method contains this")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--jfr", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"),
                                                  "bin", "jfr"))
    args = ap.parse_args()
    out = subprocess.run([args.jfr, "print", "--json", "--stack-depth", "96", "--events", "jdk.ExecutionSample",
                          args.recording], capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    threads, ours, tops, total = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for event in events:
        frames = [frame_name(f) for f in event["values"]["stackTrace"]["frames"]]
        if args.within and not any(args.within in f for f in frames):
            continue
        total += 1
        threads[event["values"]["sampledThread"]["javaName"] or "?"] += 1
        tops[frames[0] if frames else "?"] += 1
        own = next((frame_name(f) for f in event["values"]["stackTrace"]["frames"]
                    if f["method"]["type"]["name"].replace("/", ".").startswith("dev.failfast")
                    and "$$Lambda" not in f["method"]["type"]["name"]), "(no Failfast frame)")
        ours[own] += 1
    print(f"{total} samples" + (f" within {args.within}" if args.within else ""))
    for title, counter in (("threads", threads), ("innermost Failfast frame", ours), ("top frame", tops)):
        print(f"\n{title}:")
        for name, n in counter.most_common(args.top):
            print(f"  {100 * n / max(total, 1):5.1f} %  {n:6d}  {name}")


if __name__ == "__main__":
    main()
