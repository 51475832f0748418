#!/usr/bin/env bash
# Runs every Failfast benchmark and prints its tables; docs/benchmarks.md explains them.
#
#   bench/run-all.sh                 full run (about 15 minutes on 2 idle cores)
#   bench/run-all.sh --quick         a few runs of each, to check the harness
#   bench/run-all.sh [--quick] jmh   only some of: cancel rules jmh http scale remote httpjobs
#
# Needs: JDK 25+ (found like the build's toolchain), python3 (standard library only), wrk
# (apt-get install -y wrk). Workloads are read from ../shared/workloads beside the repository,
# or from $FAILFAST_WORKLOADS. Results (JSON, service logs, tables) go to bench/target/results/<time>.
# Each service the harness starts gets an admin key as its bootstrap key, sent on every API call:
# a fixed key, or $FAILFAST_BENCH_KEY (32+ characters) if set (docs/benchmarks.md, Running).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
if [[ "${1:-}" == "--quick" ]]; then quick=true; shift; fi
sections=" ${*:-cancel rules jmh http scale remote httpjobs} "
wanted() { [[ "$sections" == *" $1 "* ]]; }
workloads=${FAILFAST_WORKLOADS:-$(cd .. && pwd)/shared/workloads}
out=bench/target/results/$(date +%Y%m%dT%H%M%S)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[[ -f "$workloads/seed-ff.json" ]] || { echo "no workloads in $workloads; set FAILFAST_WORKLOADS" >&2; exit 1; }

echo "== build: service jar, its plain jar as a dependency, the bench module" >&2
./mvnw -B -q -DskipTests package
jar=$(ls target/failfast-*.jar | grep -v original | head -1)
./mvnw -B -q install:install-file -Dfile="$jar.original" -DpomFile=pom.xml
./mvnw -B -q -f bench/pom.xml package
classpath=bench/target/classes:$(cat bench/target/classpath.txt)
java=$(cd bench/harness && python3 -c 'import common; print(common.find_java())')
mkdir -p "$out"

if $quick; then
    runs=3 warmup=1 jmh=(-wi 1 -w 1s -i 1 -r 2s) wrk_seconds=3 rounds=1 scale_runs=1 noop_jobs=200 http_rounds=1
else
    runs=30 warmup=3 jmh=(-wi 5 -w 4s -i 5 -r 4s) wrk_seconds=10 rounds=2 scale_runs=3 noop_jobs=1000 http_rounds=3
fi

{
    echo "# Failfast benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- JDK: $("$java" -version 2>&1 | head -2 | tail -1)"
    echo "- python: $(python3 --version), wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- commit: $(git rev-parse --short HEAD)"
} | tee "$out/summary.md"

section() { printf '\n## %s\n\n' "$1" | tee -a "$out/summary.md"; }

if wanted cancel; then
section "1-2. Cancel latency: Failfast over HTTP vs the seeds' approaches (seed-ff.json)"
python3 bench/harness/cancel_latency.py --jar "$jar" --classpath "$classpath" --workload "$workloads/seed-ff.json" \
    --runs "$runs" --warmup "$warmup" --out "$out" | tee -a "$out/summary.md"
fi

if wanted rules; then
section "1b. Rules overhead: seed-ff.json with and without onError rules, interleaved"
python3 bench/harness/rules_overhead.py --jar "$jar" --workload "$workloads/seed-ff.json" \
    --runs "$runs" --warmup "$warmup" --out "$out" | tee -a "$out/summary.md"
fi

if wanted jmh; then
section "3. JMH: dispatch throughput, 10 000 no-op jobs per batch"
"$java" -cp "$classpath" org.openjdk.jmh.Main DispatchBenchmark -f 1 "${jmh[@]}" -prof gc \
    -rf json -rff "$out/jmh.json" > "$out/jmh.txt"
(cd bench/harness && python3 jmh_table.py "../../$out/jmh.json") | tee -a "$out/summary.md"
fi

if wanted http; then
section "4. HTTP load (wrk) and SSE"
python3 bench/harness/http_load.py --jar "$jar" --classpath "$classpath" --big "$workloads/noop-100k.json" \
    --seconds "$wrk_seconds" --rounds "$rounds" --out "$out" | tee -a "$out/summary.md"
fi

if wanted scale; then
section "5. Scale"
python3 bench/harness/scale.py --jar "$jar" --big "$workloads/noop-100k.json" --runs "$scale_runs" --out "$out" \
    | tee -a "$out/summary.md"
fi

if wanted remote; then
section "6. Remote workers: cancel propagation to 8 Python workers, claim throughput (seed-ff.json)"
python3 bench/harness/remote_cancel.py --jar "$jar" --workload "$workloads/seed-ff.json" --runs "$runs" \
    --warmup "$warmup" --noop-jobs "$noop_jobs" --rounds "$rounds" --out "$out" | tee -a "$out/summary.md"
fi

if wanted httpjobs; then
section "7. http jobs against a loopback server, 16 in flight, vs a plain JDK HttpClient loop"
python3 bench/harness/http_jobs.py --jar "$jar" --rounds "$http_rounds" | tee -a "$out/summary.md"
fi

printf '\nload average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/summary.md"
echo "results in $out" >&2
