#!/usr/bin/env bash
# Before/after figures for an engine change, as same-run ratios: builds the service at BASE (a git
# revision) and at the work tree's HEAD, then runs the cancel-latency harness (seed-ff) and the
# scale harness (noop-100k) on both jars, alternating base and head, ROUNDS times.
#
#   scripts/bench-compare.sh BASE [ROUNDS]      e.g. scripts/bench-compare.sh 66f78db 2
#
# Needs what bench/run-all.sh needs (JDK 25+, python3, the workloads in ../shared/workloads or
# $FAILFAST_WORKLOADS). Results go to bench/target/compare/<time>/: each run's tables and a summary.
#
# Both jars run under the work tree's harness, which starts each service with its admin key as the
# bootstrap key (FAILFAST_SECURITY_BOOTSTRAP_KEY; $FAILFAST_BENCH_KEY, 32+ characters, or a fixed
# key) and sends it as 'Authorization: Bearer' on every API call. A BASE from before authentication
# ignores both: Spring Boot binds no unknown failfast.* property (and reads no unknown variable), and
# without a bearer-token filter the header is just an unread header.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/bench-compare.sh BASE [ROUNDS]}
rounds=${2:-2}
workloads=${FAILFAST_WORKLOADS:-$(cd .. && pwd)/shared/workloads}
out=bench/target/compare/$(date +%Y%m%dT%H%M%S)
mkdir -p "$out"

echo "== build head ($(git rev-parse --short HEAD)) and the bench module" >&2
./mvnw -B -q -DskipTests -Dspotless.check.skip=true package
head_jar=$out/failfast-head.jar
cp "$(ls target/failfast-*.jar | grep -v original | head -1)" "$head_jar"
./mvnw -B -q install:install-file -Dfile="$(ls target/failfast-*.jar.original | head -1)" -DpomFile=pom.xml
./mvnw -B -q -f bench/pom.xml package
classpath=bench/target/classes:$(cat bench/target/classpath.txt)

echo "== build base ($base)" >&2
tree=$(mktemp -d)
git worktree add -q --detach "$tree" "$base"
(cd "$tree" && ./mvnw -B -q -DskipTests package)
base_jar=$out/failfast-base.jar
cp "$(ls "$tree"/target/failfast-*.jar | grep -v original | head -1)" "$base_jar"
git worktree remove --force "$tree"

{
    echo "# Before/after: base $base, head $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "- machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/summary.md"
for round in $(seq 1 "$rounds"); do
    for side in base head; do
        jar=$out/failfast-$side.jar
        printf '\n## round %s, %s: cancel latency (seed-ff)\n\n' "$round" "$side" | tee -a "$out/summary.md"
        mkdir -p "$out/$side-$round-cancel" "$out/$side-$round-scale"
        python3 bench/harness/cancel_latency.py --jar "$jar" --classpath "$classpath" \
            --workload "$workloads/seed-ff.json" --runs 15 --warmup 2 --out "$out/$side-$round-cancel" \
            | tee -a "$out/summary.md"
        printf '\n## round %s, %s: scale (noop-100k)\n\n' "$round" "$side" | tee -a "$out/summary.md"
        python3 bench/harness/scale.py --jar "$jar" --big "$workloads/noop-100k.json" --runs 2 \
            --out "$out/$side-$round-scale" | tee -a "$out/summary.md"
    done
done
printf '\nload average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/summary.md"
echo "results in $out" >&2
