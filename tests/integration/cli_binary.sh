#!/usr/bin/env bash
# The built `embark` program itself: help, a usage error, and `embark demo` ending with a working
# embed URL (the demo checks the URL against the emulator before printing it as its last line).
set -euo pipefail
embark="$1"
out="$(mktemp)"; err="$(mktemp)"
trap 'rm -f "$out" "$err"' EXIT
env -u WISDOM_URL -u EMBARK_CONFIG "$embark" --help >"$out"
grep -q 'Exit codes:' "$out" || { echo "--help lacks the exit codes"; exit 1; }

set +e
"$embark" users list --no-such-flag >"$out" 2>"$err"; code=$?
set -e
[[ $code -eq 2 ]] || { echo "unknown flag: exit $code, expected 2"; exit 1; }
grep -q -- '--no-such-flag' "$err" || { echo "unknown flag: message does not name it"; cat "$err"; exit 1; }

set +e
env -u WISDOM_URL -u EMBARK_CONFIG "$embark" demo --seed-users 300 --burst 20 >"$out" 2>"$err"; code=$?
set -e
[[ $code -eq 0 ]] || { echo "embark demo: exit $code"; cat "$err"; exit 1; }
grep -q 'answered HTTP 200' "$out" || { echo "embark demo: no embed page check"; exit 1; }
last="$(tail -n 1 "$out")"
[[ $last == https://127.0.0.1:*"/embed/dashboards/sales-overview?token="* ]] || { echo "last line is not the embed URL"; exit 1; }
[[ $(grep -c 'token=' "$out") -eq 1 ]] || { echo "a token was printed more than once"; exit 1; }
echo "ok"
