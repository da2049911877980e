#!/usr/bin/env bash
# Installs the real Claude Code and Codex CLIs (pinned in package.json beside this file, about
# 650 MB) outside the workspace, for the contract tests. Reuses an earlier install of the same pins.
# Target: $HARNESS_AGENT_CLIS_DIR, default ~/.cache/harness/agent-clis.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${HARNESS_AGENT_CLIS_DIR:-$HOME/.cache/harness/agent-clis}"
mkdir -p "$target"
if cmp -s "$here/package.json" "$target/package.json" && [ -x "$target/node_modules/.bin/claude" ] && [ -x "$target/node_modules/.bin/codex" ]; then
  echo "agent CLIs already installed in $target"
else
  cp "$here/package.json" "$target/package.json"
  rm -rf "$target/node_modules" "$target/package-lock.json"
  # Claude Code's postinstall links its native binary into place; package.json allows it to run.
  (cd "$target" && npm install --no-audit --no-fund --foreground-scripts)
fi
"$target/node_modules/.bin/claude" --version
"$target/node_modules/.bin/codex" --version
