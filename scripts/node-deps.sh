#!/usr/bin/env bash
# The front-end packages (package.json, locked by package-lock.json) in node_modules/, served as our own
# static files (settings.PACKAGE_STATIC_FILES). Installs Node.js and npm from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing nodejs npm with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "The front-end packages need Node.js and npm. Install them with:  sudo apt-get install -y nodejs npm" >&2
    exit 1
  fi
fi
npm ci --no-audit --no-fund --silent
touch node_modules/.installed
