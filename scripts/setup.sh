#!/usr/bin/env bash
# Idempotent setup for run.sh, test.sh and CI: installs the Debian packages that are missing,
# the npm test clients, then configures and builds. Safe to run again and again: each step does
# nothing when its result is already there.
#
#   scripts/setup.sh              everything
#   scripts/setup.sh --deps-only  packages and test clients, no build
#
# Environment: OMNI_TEST_PORT moves the test servers' ports (default 18044, each suite above it).
# OMNI_SETUP_NO_JS=1 skips Node.js, npm and the JS test clients (the Docker image
# serves only and needs none of them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

deps_only=0
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=1 ;;
    *) echo "setup: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "setup: $*"; }

packages=(build-essential cmake pkg-config gsoap libgsoap-dev libpugixml-dev libpqxx-dev
          libboost-program-options-dev libboost-dev zlib1g-dev doctest-dev nlohmann-json3-dev postgresql python3-zeep python3-lxml
          python3-requests python3-pytest curl clang-format)
if [[ "${OMNI_SETUP_NO_JS:-0}" != 1 ]]; then
  packages+=(nodejs npm)
fi

# node and npm are checked as commands, not as packages: a Node.js from another Debian
# repository (NodeSource's nodejs bundles npm) satisfies them, and installing Debian's npm
# beside it would conflict.
is_present() {
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 ;;
    *) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$' ;;
  esac
}

missing=()
for pkg in "${packages[@]}"; do
  is_present "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
  sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "setup: missing packages (${missing[*]}) and not root, and sudo is not available" >&2
      exit 1
    fi
  fi
  log "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages present"
fi

# JS test clients: reinstalled only when package.json or package-lock.json changed since the
# last install (npm ci wipes node_modules each time, which is slow and needs the registry).
js_stamp() {
  local f
  for f in tests/js/package.json tests/js/package-lock.json; do
    if [[ -f "$f" ]]; then cat "$f"; fi
  done | sha256sum
}
if [[ "${OMNI_SETUP_NO_JS:-0}" != 1 && -f tests/js/package.json ]]; then
  stamp_file=tests/js/node_modules/.omni-setup-stamp
  stamp="$(js_stamp)"
  if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    log "JS test clients present"
  else
    if [[ -f tests/js/package-lock.json ]]; then
      log "npm ci in tests/js"
      (cd tests/js && npm ci --no-audit --no-fund)
    else
      log "npm install in tests/js (no lockfile yet)"
      (cd tests/js && npm install --no-audit --no-fund)
      stamp="$(js_stamp)"
    fi
    echo "$stamp" >"$stamp_file"
  fi
fi

if ((deps_only)); then
  log "done (--deps-only: not building)"
  exit 0
fi

log "configuring and building (build/)"
# OMNI_TEST_PORT (default 18044) moves every test server's port, so that two checkouts can run
# their tests on one machine at once.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo ${OMNI_TEST_PORT:+-DOMNI_TEST_PORT=$OMNI_TEST_PORT}
cmake --build build -j2
log "done"
