#!/usr/bin/env bash
# Builds the Dockerfile for real and starts the service from the built image.
#
# There is no Docker engine on our machines and base images cannot be pulled, so this script
#  1. makes the two base images itself: a minimal Debian root (debootstrap) plus the machine's
#     JDK 25 (build stage) or a jlink'ed JRE of it (runtime stage), laid out like the official
#     eclipse-temurin images (/opt/java/openjdk, on the PATH);
#  2. builds the Dockerfile against them through its build args with `buildah bud --isolation
#     chroot` (RUN steps work that way without a container runtime);
#  3. checks the image config: user, port, volume, stop signal, entrypoint, layers;
#  4. adds a class to the sources, builds again and checks only the application layers changed;
#  5. starts the service from the image the way its ENTRYPOINT says, as the image's user, inside
#     the image's root filesystem (`buildah run --isolation chroot`) with a bootstrap API key,
#     waits for /actuator/health/readiness (anonymous), runs a batch with the key, checks a call
#     without it is refused, then stops it with the image's STOPSIGNAL and checks it shut down
#     gracefully and logged JSON.
# With --bench it also measures start-to-ready with and without the AOT cache (docs/benchmarks.md).
#
# Needs root, buildah, debootstrap and python3 (to parse the JSON logs). Skips (exit 0) without them unless CI=true, where it fails.
# The Debian root is cached under ${FAILFAST_CACHE:-~/.cache/failfast}; buildah keeps its layer
# cache in its own storage, so a second run rebuilds only what changed.
set -euo pipefail

readonly SUITE=bookworm
readonly DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly JDK=${FAILFAST_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
readonly CACHE=${FAILFAST_CACHE:-$HOME/.cache/failfast}
readonly IMAGE=localhost/failfast:image-test
readonly EXPECTED_UID=10001
# The admin API key the service is started with (failfast.security.bootstrap-key, >= 32 chars);
# every /api/v1 call sends it, the health probes do not.
readonly API_KEY=image-test-bootstrap-key-not-a-secret-0123456789
readonly AUTH=(-H "Authorization: Bearer $API_KEY")
# The modules of a JRE: java.se plus the runtime (not tool) jdk.* modules, like Temurin's JRE.
readonly JRE_MODULES=java.se,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.httpserver,\
jdk.jdwp.agent,jdk.jfr,jdk.localedata,jdk.management,jdk.management.agent,jdk.management.jfr,\
jdk.naming.dns,jdk.net,jdk.sctp,jdk.security.auth,jdk.security.jgss,jdk.unsupported,jdk.zipfs

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
passed=0
failed=0
containers=()

log() { printf '[image-test] %s\n' "$*" >&2; }
pass() { passed=$((passed + 1)); log "PASS $*"; }
fail() { failed=$((failed + 1)); log "FAIL $*"; }
check() { # check "description" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
cleanup() {
  local c
  [[ -z ${java_pid:-} ]] || kill -KILL "$java_pid" 2>/dev/null || true
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

skip_or_fail() {
  if [[ "${CI:-}" == "true" ]]; then
    log "cannot run: $*"
    exit 1
  fi
  log "skipped: $*"
  exit 0
}

[[ $(id -u) == 0 ]] || skip_or_fail "needs root (debootstrap, buildah)"
command -v buildah >/dev/null || skip_or_fail "buildah not installed (apt-get install buildah)"
command -v debootstrap >/dev/null || skip_or_fail "debootstrap not installed (apt-get install debootstrap)"
[[ -x "$JDK/bin/jlink" ]] || skip_or_fail "no JDK 25 at $JDK"

jdk_version=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$JDK/release" | tr '+' '_')
# Bump when make_base changes, so cached base images are made again.
readonly BASE_REVISION=2
readonly BUILD_BASE=localhost/failfast-base/jdk:${jdk_version}-${SUITE}-r${BASE_REVISION}
readonly RUNTIME_BASE=localhost/failfast-base/jre:${jdk_version}-${SUITE}-r${BASE_REVISION}

# --- 1. base images --------------------------------------------------------------------------

debian_root() {
  local root=$CACHE/rootfs-$SUITE
  if [[ ! -f $root/.complete ]]; then
    log "debootstrap $SUITE into $root"
    rm -rf "$root"
    mkdir -p "$CACHE"
    debootstrap --variant=minbase "$SUITE" "$root" "$DEBIAN_MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
      { tail -20 "$CACHE/debootstrap.log" >&2; return 1; }
    # An image carries no device nodes, package lists or caches.
    rm -rf "$root"/dev/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
      "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*
    touch "$root/.complete"
  fi
  printf '%s' "$root"
}

# make_base IMAGE JAVA_DIR: the Debian root with JAVA_DIR at /opt/java/openjdk.
make_base() {
  local image=$1 java_dir=$2 ctr mnt
  ctr=$(buildah from scratch)
  containers+=("$ctr")
  mnt=$(buildah mount "$ctr")
  cp -a "$(debian_root)/." "$mnt/"
  rm -f "$mnt/.complete"
  mkdir -p "$mnt/opt/java"
  # Dereference links: Debian points the JDK's cacerts at /etc/ssl/certs/java, which the image
  # has not got. The image trusts what the machine's JDK trusts, as Temurin images do theirs.
  cp -RL --preserve=mode,timestamps "$java_dir" "$mnt/opt/java/openjdk"
  cp --remove-destination -L "$JDK/lib/security/cacerts" "$mnt/opt/java/openjdk/lib/security/cacerts"
  buildah umount "$ctr" >/dev/null
  buildah config --env JAVA_HOME=/opt/java/openjdk \
    --env PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd /bin/bash "$ctr"
  buildah commit -q "$ctr" "$image" >/dev/null
  log "made base image $image"
}

if ! buildah inspect --type image "$BUILD_BASE" >/dev/null 2>&1; then
  make_base "$BUILD_BASE" "$JDK"
fi
if ! buildah inspect --type image "$RUNTIME_BASE" >/dev/null 2>&1; then
  "$JDK/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
    --generate-cds-archive --output "$work/jre" >/dev/null
  make_base "$RUNTIME_BASE" "$work/jre"
fi

# --- 2. build --------------------------------------------------------------------------------

# build CONTEXT: builds the Dockerfile in CONTEXT as $IMAGE with buildah's layer cache.
build() {
  buildah bud --isolation chroot --layers --force-rm --quiet \
    --build-arg BUILD_IMAGE="$BUILD_BASE" --build-arg RUNTIME_IMAGE="$RUNTIME_BASE" \
    -t "$IMAGE" -f "$1/Dockerfile" "$1" >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log" >&2; return 1; }
}

log "building the Dockerfile (first run downloads the Maven dependencies)"
start=$SECONDS
check "buildah bud builds the Dockerfile" build "$repo"
log "build took $((SECONDS - start)) s"
buildah inspect --type image "$IMAGE" >/dev/null 2>&1 || { log "no image, stopping"; exit 1; }

# --- 3. image config -------------------------------------------------------------------------

inspect() { buildah inspect --type image --format "$1" "${2:-$IMAGE}"; }

check "runs as the fixed non-root UID" test "$(inspect '{{.OCIv1.Config.User}}')" == "$EXPECTED_UID:$EXPECTED_UID"
check "exposes 8080/tcp only" test "$(inspect '{{range $p, $_ := .OCIv1.Config.ExposedPorts}}{{$p}} {{end}}')" == "8080/tcp "
check "declares /data as a volume" test "$(inspect '{{range $v, $_ := .OCIv1.Config.Volumes}}{{$v}} {{end}}')" == "/data "
check "stops with SIGTERM" test "$(inspect '{{.OCIv1.Config.StopSignal}}')" == "SIGTERM"
entrypoint=$(inspect '{{range .OCIv1.Config.Entrypoint}}<{{.}}>{{end}}')
check "exec-form entrypoint runs java with the AOT cache (no shell)" \
  test "$entrypoint" == '<java><-XX:AOTCache=/app/failfast.aot><-XX:+ExitOnOutOfMemoryError><-jar></app/application.jar>'
check "no CMD" test -z "$(inspect '{{range .OCIv1.Config.Cmd}}{{.}}{{end}}')"
env=$(inspect '{{range .OCIv1.Config.Env}}{{.}}{{"\n"}}{{end}}')
check "heap sized from the container limit" grep -qx 'JDK_JAVA_OPTIONS=-XX:MaxRAMPercentage=75.0' <<<"$env"
check "H2 data on the volume" grep -qx 'SPRING_DATASOURCE_URL=jdbc:h2:file:/data/failfast;WRITE_DELAY=0' <<<"$env"
check "logs JSON (ECS) by default" grep -qx 'LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs' <<<"$env"
# The defaults of the base image arguments (which this test overrides with its own bases).
check "both base images pinned by digest" \
  test "$(grep -cE '^ARG (BUILD|RUNTIME)_IMAGE=[^ ]+@sha256:[0-9a-f]{64}$' "$repo/Dockerfile")" -eq 2

# After the runtime base and the user layer: one layer per Spring Boot layer (dependencies,
# snapshot-dependencies, application), then the AOT cache, last.
history=$(inspect '{{range .OCIv1.History}}{{if not .EmptyLayer}}{{.CreatedBy}}{{"\n"}}{{end}}{{end}}')
user_layer=$(grep -n 'useradd' <<<"$history" | cut -d: -f1)
app_layer=$((user_layer + 3))
log "image layers: $(cut -c1-90 <<<"$history" | tr '\n' ';')"
check "layers: base, user, dependencies, snapshot-dependencies, application, AOT cache" \
  test "$(sed -n "$((user_layer + 1)),\$p" <<<"$history" | sed -E 's/^.*#\(nop\) (COPY) .*/\1/; s/^.*AOTCacheOutput.*/AOT/')" \
  == "$(printf 'COPY\nCOPY\nCOPY\nAOT')"

# Files: the application is root-owned and read-only for the service user; only /data is its.
ctr=$(buildah from --pull-never "$IMAGE")
containers+=("$ctr")
rootfs=$(buildah mount "$ctr")
check "AOT cache and application jar in /app, owned by root" \
  test "$(stat -c %U "$rootfs/app/failfast.aot" "$rootfs/app/application.jar" | sort -u)" == root
check "/data belongs to the service user" test "$(stat -c %u:%g "$rootfs/data")" == "$EXPECTED_UID:$EXPECTED_UID"
check "the service user owns nothing outside /data" \
  test -z "$(find "$rootfs" -xdev \( -path "$rootfs/data" -o -path "$rootfs/tmp" -o -path "$rootfs/proc" \) -prune \
    -o -uid "$EXPECTED_UID" -print -quit)"
buildah umount "$ctr" >/dev/null

# --- 4. a code change rebuilds only the application layers ----------------------------------

layer_ids() { inspect '{{range .OCIv1.RootFS.DiffIDs}}{{.}}{{"\n"}}{{end}}' "$1"; }
layer_ids "$IMAGE" >"$work/layers-before"
mkdir "$work/changed"
# The build context as git would check it out, plus the working tree's changes.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/changed")
# A new class, so the bytecode changes (the build is reproducible: a comment would not).
printf 'package dev.failfast;\n\nfinal class ImageTestChange {}\n' \
  >"$work/changed/src/main/java/dev/failfast/ImageTestChange.java"
log "building again after a source change"
start=$SECONDS
if build "$work/changed"; then
  log "rebuild took $((SECONDS - start)) s"
  layer_ids "$IMAGE" >"$work/layers-after"
  n=$(wc -l <"$work/layers-before")
  same=$(paste -d' ' "$work/layers-before" "$work/layers-after" | awk '$1 == $2 { n++ } $1 != $2 { exit } END { print n + 0 }')
  # Unchanged: the base layer, the user layer, dependencies, snapshot-dependencies.
  check "rebuild kept the first $((app_layer - 1)) of $n layers (base, user, dependencies) and replaced the rest" \
    test "$same" -eq "$((app_layer - 1))" -a "$(wc -l <"$work/layers-after")" -eq "$n"
else
  fail "rebuild after a source change"
fi
# Leave the image as built from the real sources.
build "$repo"

# --- 5. start the service from the image -----------------------------------------------------

free_port() {
  local port
  for port in $(shuf -i 20000-29999 -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { printf '%s' "$port"; return; }
  done
  return 1
}

# The java process that `buildah run` (pid $1) started in the image.
java_pid_under() {
  local pid=$1 child
  for _ in 1 2 3 4 5 6; do
    child=$(ps -o pid= --ppid "$pid" | head -1 | tr -d ' ')
    [[ -n $child ]] || return 1
    [[ $(ps -o comm= -p "$child") == java ]] && { printf '%s' "$child"; return; }
    pid=$child
  done
  return 1
}

readonly ENTRYPOINT=($(inspect '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}'))

# start_service LOG [COMMAND...]: starts COMMAND (default: the image's ENTRYPOINT) in a fresh
# container of the image with its user, working directory and environment, on a free port.
# Sets $service_port, $buildah_pid and $java_pid.
start_service() {
  local log_file=$1; shift
  local command=("$@")
  [[ ${#command[@]} -gt 0 ]] || command=("${ENTRYPOINT[@]}")
  local ctr
  ctr=$(buildah from --pull-never "$IMAGE")
  containers+=("$ctr")
  service_port=$(free_port)
  buildah run --isolation chroot --env SERVER_PORT="$service_port" --env FAILFAST_SECURITY_BOOTSTRAP_KEY="$API_KEY" \
    ${JAVA_OPTS_OVERRIDE:+--env JDK_JAVA_OPTIONS="$JAVA_OPTS_OVERRIDE"} \
    "$ctr" -- "${command[@]}" >"$log_file" 2>&1 &
  buildah_pid=$!
  java_pid=
  for _ in $(seq 100); do
    java_pid=$(java_pid_under "$buildah_pid") && break
    sleep 0.1
  done
  [[ -n $java_pid ]]
}

# await_ready SECONDS: polls readiness every 20 ms; prints the milliseconds it took.
await_ready() {
  local started=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$service_port/actuator/health/readiness" 2>/dev/null; then
      printf '%s' $((($(date +%s%N) - started) / 1000000))
      return 0
    fi
    kill -0 "$buildah_pid" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

# stop_service SECONDS: SIGTERM to the java process (as a container runtime sends the STOPSIGNAL
# to PID 1), then waits for it to exit.
stop_service() {
  kill -TERM "$java_pid" 2>/dev/null || true
  local deadline=$((SECONDS + $1))
  while kill -0 "$java_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$java_pid" 2>/dev/null; then
    kill -KILL "$java_pid" 2>/dev/null || true
    wait "$buildah_pid" 2>/dev/null || true
    return 1
  fi
  wait "$buildah_pid" 2>/dev/null || true
}

# is_json_log FILE TEXT...: for each TEXT, the line of FILE that holds it is one JSON object whose
# message holds it, with an ECS timestamp, level and service name (other lines, such as the JVM's
# "Picked up JDK_JAVA_OPTIONS", are not the logger's).
is_json_log() {
  local file=$1 text line; shift
  for text in "$@"; do
    line=$(grep -F -m1 -- "$text" "$file") || return 1
    python3 -c '
import json, sys
entry = json.loads(sys.argv[1])
assert sys.argv[2] in entry["message"], entry
assert entry["@timestamp"] and entry["log"]["level"] and entry["service"]["name"] == "failfast", entry
' "$line" "$text" || return 1
  done
}

# AOTMode=on makes the JVM refuse to start unless the image's AOT cache can be used.
log "starting the service from the image"
JAVA_OPTS_OVERRIDE="-XX:MaxRAMPercentage=75.0 -XX:AOTMode=on"
t0=$(date +%s%N)
if start_service "$work/service.log" && ready_ms=$(await_ready "$t0" 180); then
  pass "service from the image is ready (/actuator/health/readiness UP) after $ready_ms ms"
  check "runs as UID $EXPECTED_UID" test "$(stat -c %u "/proc/$java_pid")" == "$EXPECTED_UID"
  check "uses the image's AOT cache (-XX:AOTMode=on)" grep -q 'AOTCache=/app/failfast.aot' "/proc/$java_pid/cmdline"
  # The first batch from the chart's NOTES.txt: b fails, so a is cancelled and c skipped.
  batch=$(curl -fsS -X POST "http://127.0.0.1:$service_port/api/v1/batches" "${AUTH[@]}" -H 'Content-Type: application/json' -d '{
    "name": "first-batch", "maxParallelism": 2, "jobs": [
      {"id": "a", "type": "sleep", "params": {"duration": "PT2S"}},
      {"id": "b", "type": "sleep", "params": {"duration": "PT2S", "failAfter": "PT0.2S"}},
      {"id": "c", "type": "sleep", "params": {"duration": "PT2S"}}]}' || true)
  id=$(sed -nE 's/.*"id" *: *"([^"]+)".*/\1/p' <<<"$batch" | head -1)
  state=
  for _ in $(seq 100); do
    state=$(curl -fsS "${AUTH[@]}" "http://127.0.0.1:$service_port/api/v1/batches/$id" | grep -oE '"state" *: *"(FAILED|SUCCEEDED|CANCELLED)"' | head -1 || true)
    [[ -n $state ]] && break
    sleep 0.1
  done
  check "the NOTES.txt batch runs and fails fast (batch $id: ${state:-not terminal})" grep -q FAILED <<<"$state"
  anonymous=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$service_port/api/v1/batches" || true)
  check "an /api/v1 call without the API key is refused (HTTP $anonymous, expected 401)" test "$anonymous" == 401
  check "SIGTERM shuts down gracefully within 60 s" stop_service 60
  check "graceful shutdown logged" grep -q 'Graceful shutdown complete' "$work/service.log"
  check "log lines are ECS JSON objects (the start and the batch's submission)" is_json_log "$work/service.log" \
    'Started FailfastApplication' "Batch $id submitted"
  check "no plain-text log line" bash -c "! grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z? +(INFO|WARN|ERROR) ' '$work/service.log'"
else
  fail "service from the image did not become ready"
  tail -40 "$work/service.log" >&2
  stop_service 5 || true
fi
unset JAVA_OPTS_OVERRIDE

# --- 6. optional: start-to-ready with and without the AOT cache ------------------------------

if [[ "${1:-}" == "--bench" ]]; then
  runs=${BENCH_RUNS:-10}
  plain=(java -XX:+ExitOnOutOfMemoryError -jar /app/application.jar)
  log "bench: $runs starts each, alternating, plain \`${plain[*]}\` vs the ENTRYPOINT"
  printf 'run mode ready_ms started_s rss_mib\n' >"$work/bench.txt"
  for i in $(seq "$runs"); do
    for mode in plain aot; do
      if [[ $mode == plain ]]; then cmd=("${plain[@]}"); else cmd=("${ENTRYPOINT[@]}"); fi
      t0=$(date +%s%N)
      start_service "$work/bench.log" "${cmd[@]}"
      ms=$(await_ready "$t0" 180) || ms=NA
      started=$(sed -nE 's/.*Started FailfastApplication in ([0-9.]+) seconds.*/\1/p' "$work/bench.log")
      rss=$(awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$java_pid/status" 2>/dev/null || true)
      stop_service 60 || true
      printf '%s %s %s %s %s\n' "$i" "$mode" "$ms" "${started:-NA}" "${rss:-NA}" | tee -a "$work/bench.txt" >&2
    done
  done
  declare -A median
  for mode in plain aot; do
    mapfile -t ms < <(awk -v m="$mode" '$2 == m && $3 != "NA" { print $3 }' "$work/bench.txt" | sort -n)
    n=${#ms[@]}
    ((n > 0)) || { fail "bench: no $mode start became ready"; continue; }
    median[$mode]=$(((ms[(n - 1) / 2] + ms[n / 2]) / 2))
    mean_started=$(awk -v m="$mode" '$2 == m && $4 != "NA" { s += $4; k++ } END { if (k) printf "%.2f", s / k }' "$work/bench.txt")
    mean_rss=$(awk -v m="$mode" '$2 == m && $5 != "NA" { s += $5; k++ } END { if (k) printf "%d", s / k }' "$work/bench.txt")
    printf 'bench %-5s: median start-to-ready %d ms over %d runs (min %d, max %d); mean "Started in" %s s; mean RSS when ready %s MiB\n' \
      "$mode" "${median[$mode]}" "$n" "${ms[0]}" "${ms[n - 1]}" "$mean_started" "$mean_rss"
  done
  if [[ -n ${median[plain]:-} && -n ${median[aot]:-} ]]; then
    printf 'bench ratio aot/plain (median start-to-ready): %s\n' \
      "$(awk -v a="${median[aot]}" -v p="${median[plain]}" 'BEGIN { printf "%.2f", a / p }')"
  fi
fi

printf 'image-test: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
