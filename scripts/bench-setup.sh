#!/usr/bin/env bash
# What `npm run bench` needs beyond the worker's own set-up: Debian's nginx-light (the sendfile baseline) and wrk
# (the load generator), installed through scripts/setup.sh when missing. The bench runs its own nginx on a loopback
# port from a generated config; note that on a machine with systemd, installing nginx-light also enables Debian's
# nginx service on port 80 (`systemctl disable --now nginx` if you do not want it).
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_EXTRA_APT="nginx-light wrk ${SETUP_EXTRA_APT:-}" bash scripts/setup.sh
