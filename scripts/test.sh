#!/usr/bin/env bash
# Sets up (installs and builds what is missing), then runs every test registered with CTest;
# the tests start the servers they need. Extra arguments go to ctest (e.g. -R soap).
# Exits with ctest's status; --no-tests=error makes an empty test list a failure, not a pass.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
status=0
ctest --test-dir build --output-on-failure --no-tests=error "$@" || status=$?
exit "$status"
