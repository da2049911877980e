#!/usr/bin/env bash
# Installs the real agent CLIs (pinned in package.json beside this file: Claude Code, Codex, and the
# ACP agents OpenCode, Gemini CLI and claude-code-acp; about 1.4 GB) outside the workspace, for the
# contract tests. Reuses an earlier install of the same pins.
# Target: $HARNESS_AGENT_CLIS_DIR, default ~/.cache/harness/agent-clis.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${HARNESS_AGENT_CLIS_DIR:-$HOME/.cache/harness/agent-clis}"
mkdir -p "$target"
bins=(claude codex opencode gemini claude-code-acp)
installed() {
  for bin in "${bins[@]}"; do [ -x "$target/node_modules/.bin/$bin" ] || return 1; done
}
if cmp -s "$here/package.json" "$target/package.json" && installed; then
  echo "agent CLIs already installed in $target"
else
  cp "$here/package.json" "$target/package.json"
  rm -rf "$target/node_modules" "$target/package-lock.json"
  # Claude Code's postinstall links its native binary into place; package.json allows it to run.
  (cd "$target" && npm install --no-audit --no-fund --foreground-scripts)
fi
"$target/node_modules/.bin/claude" --version
"$target/node_modules/.bin/codex" --version
"$target/node_modules/.bin/opencode" --version
"$target/node_modules/.bin/gemini" --version
echo "claude-code-acp $(node -p "require('$target/node_modules/@zed-industries/claude-code-acp/package.json').version")"
