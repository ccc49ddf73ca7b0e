#!/usr/bin/env bash
# Proves embark can be consumed four ways — find_package after install, add_subdirectory,
# pkg-config, and Meson (embark as a subproject, which also checks meson.build) — by compiling the
# README's quick-start program exactly as printed and running it against embark-emulator.
# usage: run.sh SOURCE_DIR BUILD_DIR WORK_DIR EMULATOR_PROGRAM
set -euo pipefail
src=$1 build=$2 work=$3 emulator=$4
rm -rf "$work" && mkdir -p "$work"
SECONDS=0
step() { printf -- '-- %s (%ds)\n' "$*" "$SECONDS"; }

# The first C++ block of the README's "Using the library" section, byte for byte.
awk '/^## Using the library/{s=1} s&&/^```cpp/{c=1;next} c&&/^```/{exit} c' "$src/README.md" \
  >"$work/quickstart.cpp"
grep -q 'int main' "$work/quickstart.cpp" || { echo "README quick start not found"; exit 1; }

# Consumers compile without optimisation: they check that the build files and headers work.
export CXXFLAGS="-O0 -g0"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake_consumer() {  # NAME SOURCE_DIR [ARGS...]
  local name=$1 dir=$2
  shift 2
  cmake -S "$dir" -B "$work/$name" -G Ninja -DCMAKE_BUILD_TYPE= "${launcher[@]}" \
    -DQUICKSTART="$work/quickstart.cpp" "$@" >"$work/$name.log" 2>&1 ||
    { cat "$work/$name.log"; exit 1; }
  cmake --build "$work/$name" >>"$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
}

step "install to $work/prefix"
cmake --install "$build" --prefix "$work/prefix" >/dev/null

pids=()
# The four consumers build in parallel; each writes its own log.
(step "find_package consumer"
 cmake_consumer fp "$src/tests/packaging/find_package" -DCMAKE_PREFIX_PATH="$work/prefix") &
pids+=($!)
(step "add_subdirectory consumer (the library in unity batches)"
 cmake_consumer as "$src/tests/packaging/add_subdirectory" -DEMBARK_SOURCE_DIR="$src" \
   -DCMAKE_UNITY_BUILD=ON) &
pids+=($!)
(step "pkg-config consumer"
 pc_dir=$(dirname "$(find "$work/prefix" -name embark.pc | head -1)")
 # shellcheck disable=SC2046
 ${launcher:+ccache} g++ -std=c++20 $CXXFLAGS "$work/quickstart.cpp" -o "$work/pc-consumer" \
   $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs embark)) &
pids+=($!)
(step "Meson consumer (embark as a subproject: its library targets)"
 mkdir -p "$work/meson/subprojects"
 cp "$src/tests/packaging/meson/meson.build" "$work/quickstart.cpp" "$work/meson/"
 ln -s "$src" "$work/meson/subprojects/embark"
 meson setup "$work/meson/build" "$work/meson" --buildtype=plain -Dunity=on -Dunity_size=64 \
   >"$work/meson.log" 2>&1 || { cat "$work/meson.log"; exit 1; }
 meson compile -C "$work/meson/build" >>"$work/meson.log" 2>&1 || { cat "$work/meson.log"; exit 1; }) &
pids+=($!)
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
((status == 0)) || exit 1
step "all four consumers built"

# Run each consumer against one emulator (plain HTTP on loopback, port 0, a generated key).
umask 077
openssl rand -hex 24 | sed 's/^/ak_/' >"$work/access-key"
"$emulator" --plain-http --port 0 --port-file "$work/port" --access-key-file "$work/access-key" \
  >"$work/emulator.log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
for _ in $(seq 1 500); do
  [[ -s "$work/port" ]] && break
  kill -0 $emu 2>/dev/null || { cat "$work/emulator.log"; exit 1; }
  sleep 0.02  # polling for readiness, not a fixed wait
done
[[ -s "$work/port" ]] || { echo "emulator did not start"; exit 1; }
export WISDOM_URL="http://127.0.0.1:$(cat "$work/port")/graphql"
WISDOM_ACCESS_KEY="$(cut -d' ' -f1 "$work/access-key")"
export WISDOM_ACCESS_KEY
for consumer in fp/quickstart as/quickstart pc-consumer meson/build/quickstart; do
  out=$("$work/$consumer") || { echo "$consumer failed: $out"; exit 1; }
  echo "$consumer: $out"
  [[ "$out" == *"onboarded with"* ]] || exit 1
  if [[ "$out" == *"$WISDOM_ACCESS_KEY"* ]]; then echo "$consumer printed the access key"; exit 1; fi
done
step "packaging: all four consumers built and ran the README quick start"
