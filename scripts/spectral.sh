#!/usr/bin/env bash
# Runs Spectral, the OpenAPI linter, at the versions src/test/spectral/package-lock.json pins
# (the whole tree, with integrity hashes), installing them first with `npm ci` into a cache folder
# named after that lock file, so a changed lock installs anew and an unchanged one only once:
#
#   scripts/spectral.sh lint -r .spectral.yaml docs/openapi.json
#
# Install scripts are not run (Spectral needs none). Exits 69 when Spectral cannot be installed
# (no node or npm, or the registry did not answer): OpenApiLintTest skips then, except under CI=true.
# FAILFAST_SPECTRAL_HOME overrides the install folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
package="$root/src/test/spectral"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "spectral: node and npm are needed to install Spectral" >&2
  exit 69
fi

lock_hash="$(sha256sum "$package/package-lock.json" | cut -c1-12)"
home="${FAILFAST_SPECTRAL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/failfast/spectral-$lock_hash}"
bin="$home/node_modules/.bin/spectral"

if [[ ! -x "$bin" ]]; then
  mkdir -p "$(dirname "$home")"
  # Installed beside its place and moved in whole: a run that stops half-way, or two at once,
  # leave no half-installed Spectral behind.
  staging="$(mktemp -d "$home.XXXXXX")"
  cp "$package/package.json" "$package/package-lock.json" "$staging/"
  echo "spectral: installing into $home" >&2
  if ! (cd "$staging" && timeout 600 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2; then
    rm -rf "$staging"
    echo "spectral: npm ci failed" >&2
    exit 69
  fi
  mv -T "$staging" "$home" 2>/dev/null || rm -rf "$staging"
fi

exec "$bin" "$@"
