#!/usr/bin/env bash
# Every test the project has, from a fresh clone on a fresh machine: `npm test` runs this.
#   1. system prerequisites: Chromium at /usr/bin/chromium (Playwright drives the system browser;
#      none is ever downloaded; its SwiftShader Vulkan driver is also the WebGPU parity test's
#      software adapter), Debian's python3-pil (reference for the Pillow equivalence tests) and
#      libvulkan1 (the Vulkan loader that Dawn, the npm `webgpu` package, opens), installed with
#      apt-get when we are root, otherwise a one-line instruction;
#   2. npm dependencies (`npm ci`) when node_modules is missing or older than package-lock.json;
#   3. type check, unit/integration tests (vitest, real Pyodide in Node), browser tests (Playwright
#      against a fresh production build served by `vite preview`).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { printf 'test-all: %s\n' "$*" >&2; exit 1; }

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing_apt=()
[ -x "$CHROMIUM" ] || missing_apt+=(chromium)
if ! /usr/bin/python3 -c 'import PIL' >/dev/null 2>&1; then missing_apt+=(python3-pil); fi
# ffmpeg: the CLI's video test encodes a clip and decodes frames with it.
command -v ffmpeg >/dev/null 2>&1 || missing_apt+=(ffmpeg)
# libvulkan1: src/model/webgpu.test.ts runs TF.js's WebGPU backend through Dawn on SwiftShader.
/sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' || missing_apt+=(libvulkan1)

if [ "${#missing_apt[@]}" -gt 0 ]; then
  step "installing system packages: ${missing_apt[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_apt[@]}"
  else
    fail "missing ${missing_apt[*]}: run 'sudo apt-get update && sudo apt-get install -y ${missing_apt[*]}' (Chromium must be at $CHROMIUM), then 'npm test' again"
  fi
fi
[ -x "$CHROMIUM" ] || fail "no Chromium at $CHROMIUM after installing; set CHROMIUM_PATH to your Chromium binary"

bash scripts/ensure-deps.sh

step "type check (tsc --noEmit)"
npx tsc --noEmit -p .

step "unit and integration tests (vitest)"
npx vitest run

step "browser tests (playwright, system Chromium, production build)"
npx playwright test

step "all tests passed"
