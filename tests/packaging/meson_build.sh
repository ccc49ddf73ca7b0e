#!/usr/bin/env bash
# Builds the whole project with Meson (the second build) and runs its tests.
# usage: meson_build.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
export CCACHE_BASEDIR="$src"
if [[ ! -f "$work/build.ninja" ]]; then
  rm -rf "$work"
  meson setup "$work" "$src" --buildtype=release >/dev/null
fi
meson compile -C "$work" >/dev/null
meson test -C "$work" --print-errorlogs
