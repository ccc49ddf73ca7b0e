#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time: tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
#   BUILD_DIR  a build configured with the `fuzz` preset (targets in BUILD_DIR/fuzz/)
#   SECONDS    time per target (default 20)
#   TARGET     names without the _fuzz suffix (default: all)
# First every committed seed (tests/fuzz/corpus/NAME/, including earlier crashes kept as
# regression inputs) is replayed; then the fuzzer runs from a scratch copy of the corpus, so the
# committed corpus only grows when someone adds to it on purpose. A crash, leak or timeout input is
# copied into tests/fuzz/corpus/NAME/ as crash-<sha1> (commit it once fixed) and fails the run.
set -euo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then usage; [[ $# -ge 1 ]]; exit $?; fi
build_dir=$1
seconds=${2:-20}
shift $(( $# >= 2 ? 2 : 1 ))
here=$(cd "$(dirname "$0")" && pwd)
bin_dir=$build_dir/fuzz
[[ -d $bin_dir ]] || { echo "run.sh: no $bin_dir (build with: cmake --preset fuzz && cmake --build build-fuzz)" >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "run.sh: SECONDS must be a positive integer, got '$seconds'" >&2; exit 2; }

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for exe in "$bin_dir"/*_fuzz; do targets+=("$(basename "${exe%_fuzz}")"); done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d "${TMPDIR:-/tmp}/embark-fuzz.XXXXXXXX")
trap 'rm -rf "$work"' EXIT

failed=0
printf '%-20s %8s %12s %10s %s\n' target seconds executions exec/s result
for name in "${targets[@]}"; do
  exe=$bin_dir/${name}_fuzz
  corpus=$here/corpus/$name
  [[ -x $exe ]] || { echo "run.sh: no fuzzer $exe" >&2; failed=1; continue; }
  [[ -d $corpus ]] || { echo "run.sh: no seed corpus $corpus" >&2; failed=1; continue; }
  scratch=$work/$name
  mkdir -p "$scratch/corpus" "$scratch/artifacts"
  cp "$corpus"/* "$scratch/corpus/" 2>/dev/null || true
  log=$work/$name.log
  start=$(date +%s)
  status=0
  # -timeout: one input running longer than 10 s is a hang; -rss_limit_mb keeps two cores usable.
  # -seed: a fixed start (EMBARK_FUZZ_SEED, default 1), so a run in CI explores as the last run
  # here did; set EMBARK_FUZZ_SEED=0 for a random one.
  "$exe" "$scratch/corpus" -seed="${EMBARK_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$scratch/artifacts/" >"$log" 2>&1 ||
    status=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  result=ok
  if [[ $status -ne 0 ]]; then
    result="FAILED (exit $status)"
    failed=1
    for artifact in "$scratch"/artifacts/*; do
      [[ -f $artifact ]] || continue
      kept=$corpus/crash-$(sha1sum "$artifact" | cut -c1-16)
      cp "$artifact" "$kept"
      result+="; kept $kept"
    done
    echo "---- $name: last lines of the fuzzer's log" >&2
    tail -40 "$log" >&2
  fi
  printf '%-20s %8s %12s %10s %s\n' "$name" "$elapsed" "${execs:-?}" "${rate:-?}" "$result"
done
exit $failed
