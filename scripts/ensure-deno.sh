#!/usr/bin/env bash
# Prints the path of the pinned Deno binary, installing it first if needed.
# JSR and dl.deno.land are unreachable on our machines; the npm package `deno`
# carries the real binary, so we install that into a per-user cache folder.
set -euo pipefail
version="$(cat "$(dirname "$0")/../.deno-version")"
if command -v deno >/dev/null 2>&1 && [ "$(deno --version 2>/dev/null | head -1 | cut -d' ' -f2)" = "$version" ]; then
  command -v deno
  exit 0
fi
cache="${KAIZEN_DENO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaizen/deno-$version}"
bin="$cache/node_modules/deno/deno"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null | head -1 | cut -d' ' -f2)" != "$version" ]; then
  command -v npm >/dev/null 2>&1 || { echo "ensure-deno: npm is needed to install Deno $version" >&2; exit 2; }
  echo "ensure-deno: installing Deno $version from the npm registry into $cache" >&2
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error "deno@$version" >&2
  # The npm package normally links the platform binary in a postinstall
  # script; npm may skip that script, so fall back to the platform package.
  if [ ! -x "$bin" ]; then
    for p in "$cache"/node_modules/@deno/*/deno; do
      [ -x "$p" ] && { bin="$p"; break; }
    done
  fi
fi
[ -x "$bin" ] || { echo "ensure-deno: could not install Deno $version" >&2; exit 2; }
echo "$bin"
