#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json.
# Used by `npm start` and `npm test`, so each README command works on a fresh clone by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  printf '\n\033[1m== installing npm dependencies\033[0m\n'
  if ! npm ci --no-audit --no-fund; then
    # A registry mirror without some of rollup's optional platform packages makes npm write a
    # lock file that `npm ci` then rejects as out of sync; `npm install --no-save` installs the
    # same locked versions without touching package-lock.json.
    echo "ensure-deps: npm ci failed; retrying with 'npm install --no-save' (package-lock.json is left as is)" >&2
    npm install --no-save --no-audit --no-fund
  fi
fi
