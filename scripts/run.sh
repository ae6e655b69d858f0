#!/usr/bin/env bash
# Sets up (installs and builds what is missing), then runs the server in the foreground.
# Arguments go to `omni-emulator serve`, e.g. scripts/run.sh --port 8080; without
# --database-url the server runs an embedded PostgreSQL under --data-dir.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
exec build/omni-emulator serve "$@"
