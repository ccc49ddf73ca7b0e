#!/usr/bin/env bash
# Proves embark can be consumed three ways: find_package after install, add_subdirectory, pkg-config.
# usage: run.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
src=$1 build=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export CCACHE_BASEDIR="$src"
gen=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

echo "-- install to $work/prefix"
cmake --install "$build" --prefix "$work/prefix" >/dev/null

echo "-- find_package consumer"
cmake -S "$src/tests/packaging/find_package" -B "$work/fp" "${gen[@]}" "${launcher[@]}" \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/fp" >/dev/null
"$work/fp/consumer"

echo "-- add_subdirectory consumer"
cmake -S "$src/tests/packaging/add_subdirectory" -B "$work/as" "${gen[@]}" "${launcher[@]}" \
  -DEMBARK_SOURCE_DIR="$src" >/dev/null
cmake --build "$work/as" >/dev/null
"$work/as/consumer"

echo "-- pkg-config consumer"
pc_dir=$(dirname "$(find "$work/prefix" -name embark.pc | head -1)")
flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs embark)
# shellcheck disable=SC2086
g++ -std=c++20 "$src/tests/packaging/consumer.cpp" -o "$work/pc-consumer" $flags
"$work/pc-consumer"
echo "packaging: all consumers built and ran"
