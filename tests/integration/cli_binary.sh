#!/usr/bin/env bash
# The built `embark` program itself: help, a usage error, `embark demo` ending with the embed URL
# (checked against the emulator, then printed as the last line with its token redacted),
# and `embark demo --serve`: sign in to the sample app as a printed demo account, then SIGINT.
set -euo pipefail
embark="$1"
dir="$(mktemp -d)"
out="$dir/out"; err="$dir/err"
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "$1"; exit 1; }

env -u WISDOM_URL -u EMBARK_CONFIG "$embark" --help >"$out"
grep -q 'Exit codes:' "$out" || fail "--help lacks the exit codes"

set +e
"$embark" users list --no-such-flag >"$out" 2>"$err"; code=$?
set -e
[[ $code -eq 2 ]] || fail "unknown flag: exit $code, expected 2"
grep -q -- '--no-such-flag' "$err" || { cat "$err"; fail "unknown flag: message does not name it"; }

set +e
env -u WISDOM_URL -u EMBARK_CONFIG "$embark" demo --seed-users 300 --burst 20 >"$out" 2>"$err"; code=$?
set -e
[[ $code -eq 0 ]] || { cat "$err"; fail "embark demo: exit $code"; }
grep -q 'answered HTTP 200' "$out" || fail "embark demo: no embed page check"
last="$(tail -n 1 "$out")"
[[ $last == https://127.0.0.1:*"/embed/dashboards/sales-overview?token="* ]] || fail "last line is not the embed URL"
[[ $(grep -c 'token=' "$out") -eq 1 ]] || fail "a token was printed more than once"
[[ $last == *"?token=REDACTED" ]] || fail "the demo printed the session token without --show-url"

# ---- embark demo --serve ---------------------------------------------------------------------
demo_help="$("$embark" demo --help)"
if [[ $demo_help != *"--serve "* ]]; then
  echo "ok (this build has no --serve)"; exit 0
fi
env -u WISDOM_URL -u EMBARK_CONFIG "$embark" demo --seed-users 100 --burst 5 --serve \
  --port-file "$dir/port" >"$out" 2>"$err" &
pid=$!
# Wait until the port file appears (the demo writes it once the sample listens): polling, with a
# generous deadline for a loaded machine.
for _ in $(seq 1 1200); do
  [[ -s $dir/port ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    if grep -q 'no sample embed server' "$err"; then pid=""; echo "ok (no embark-sample-server in this build)"; exit 0; fi
    cat "$err"; fail "embark demo --serve ended before serving"
  fi
  sleep 0.1
done
[[ -s $dir/port ]] || fail "embark demo --serve: no port file after 120 s"
port="$(cat "$dir/port")"
base="http://127.0.0.1:$port"
grep -q "open $base/ in a browser" "$out" || fail "--serve: the address $base/ is not printed"

[[ $(curl -fsS "$base/healthz") == *ok* ]] || fail "--serve: /healthz does not answer ok"
# The printed demo account (its password is the sample app's demo password, printed on purpose).
read -r email password _ < <(grep -E '^ +alice@acme\.test ' "$out") || fail "--serve: alice's login is not printed"
jar="$dir/cookies"
login_page="$(curl -fsS -c "$jar" "$base/login")"
[[ $login_page == *'id="login-form"'* ]] || fail "--serve: /login is not the sample's login page"
csrf="$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$login_page")"
[[ -n $csrf ]] || fail "--serve: the login form has no CSRF token"
status="$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "email=$email" \
  --data-urlencode "password=$password" --data-urlencode "csrf_token=$csrf" "$base/login")"
[[ $status == 30[23] ]] || fail "--serve: signing in as $email answered HTTP $status, expected a redirect"
dashboard="$(curl -fsS -b "$jar" "$base/dashboard")"
# The dashboard embeds the demo's emulator for the same WisdomAI user the demo onboarded.
[[ $dashboard == *'id="wisdom-frame"'* ]] || fail "--serve: the dashboard has no WisdomAI iframe"
[[ $dashboard == *'alice+acme@acme.test'* ]] || fail "--serve: the dashboard does not show alice's WisdomAI identity"
grep -q 'token=' "$err" && fail "--serve: a token appeared on stderr"

kill -INT "$pid"
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "embark demo --serve: still running 60 s after SIGINT"
set +e
wait "$pid"; code=$?
set -e
pid=""
[[ $code -eq 0 ]] || { cat "$err"; fail "embark demo --serve: exit $code after SIGINT, expected 0"; }
echo "ok"
