#!/usr/bin/env python3
"""The shared-state walkthroughs with the built programs and one real redis-server.

1. The `embark` CLI twice with --redis: the second run of a user the first onboarded costs one
   vendor call (another session attribute) or none (the same request: the shared token).
2. The sample's README walkthrough: one WisdomAI emulator, one Redis, two embark-sample-server
   processes. alice signs in on the first, then on the second: the second login makes no WisdomAI
   call. A third instance without Redis pays again (the baseline).

Servers are ready when they say so on stdout (no polling). Secrets travel in the environment,
never on a command line. Prints the figures; exits non-zero on the first failed check.

usage: two_instances.py EMBARK EMBARK_EMULATOR EMBARK_SAMPLE_SERVER
"""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile

import requests

EMBARK, EMULATOR, SAMPLE = sys.argv[1:4]
procs = []
tmp = tempfile.mkdtemp(prefix="embark-redis-walk-")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def start(args, ready, env=None):
    """Starts a program and reads its stdout until a line matches `ready`; returns (proc, match,
    lines read)."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    procs.append(proc)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        m = re.search(ready, line)
        if m:
            return proc, m, lines
    fail(f"{args[0]} ended before it was ready: {lines[-5:]}")


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    shutil.rmtree(tmp, ignore_errors=True)


try:
    sock = os.path.join(tmp, "redis.sock")
    start(["redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
           "--save", "", "--appendonly", "no", "--dir", tmp],
          r"eady to accept connections")
    redis_url = "unix://" + sock

    ca = os.path.join(tmp, "ca.pem")
    creds_file = os.path.join(tmp, "emulator.json")
    _, m, _ = start([EMULATOR, "--port", "0", "--threads", "1", "--ca-out", ca,
                     "--credentials-out", creds_file],
                    r"listening on (https://127\.0\.0\.1:\d+)")
    emulator = m.group(1)
    with open(creds_file) as f:
        creds = json.load(f)
    control = {"Authorization": "Bearer " + creds["access_key"]}

    def vendor_calls():
        stats = requests.get(emulator + "/_emulator/stats", headers=control, verify=ca).json()
        return stats["total"]["calls"]

    def reset():
        requests.post(emulator + "/_emulator/reset", headers=control, verify=ca).raise_for_status()

    env = dict(os.environ)
    env.update({
        "WISDOM_URL": emulator + "/graphql",
        "WISDOM_CA_FILE": ca,
        "WISDOM_ACCESS_KEY": creds["access_key"],
        "WISDOM_API_TOKEN": creds["api_token"],
        "EMBARK_REDIS_TOKEN_KEY": secrets.token_hex(32),  # the same key on every instance
    })
    env.pop("EMBARK_CONFIG", None)

    # ---- 1. the CLI ---------------------------------------------------------------------------
    def cli(*args):
        r = subprocess.run([EMBARK, *args, "--redis", redis_url, "--json"], env=env,
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"embark {' '.join(args)}: exit {r.returncode}: {r.stderr}")
        check(creds["access_key"] not in r.stdout + r.stderr, "the CLI printed the access key")
        return json.loads(r.stdout)

    first = cli("onboard", "dana@example.com", "--attr", "tenant_id=acme", "--session-attr",
                "tag=a")
    check(first["vendor_calls"] == 3, f"first CLI run: {first['vendor_calls']} calls, expected 3")
    reset()
    second = cli("onboard", "dana@example.com", "--attr", "tenant_id=acme", "--session-attr",
                 "tag=b")
    check(second["vendor_calls"] == 1 and vendor_calls() == 1,
          f"second CLI run (new session attribute): {second['vendor_calls']} calls, expected 1")
    reset()
    third = cli("onboard", "dana@example.com", "--attr", "tenant_id=acme", "--session-attr",
                "tag=a")
    check(third["vendor_calls"] == 0 and vendor_calls() == 0,
          f"third CLI run (the first's request): {third['vendor_calls']} calls, expected 0")
    print(f"cli --redis: first run {first['vendor_calls']} vendor calls, second (new session "
          f"attribute) {second['vendor_calls']}, third (same request) {third['vendor_calls']}")

    # ---- 2. the sample, two instances behind one Redis ----------------------------------------
    def sample(with_redis):
        e = dict(env)
        if with_redis:
            e["EMBARK_REDIS_URL"] = redis_url
        _, m, lines = start([SAMPLE, "--port", "0", "--wisdom-ca-file", ca], 
                            r"listening on (http://127\.0\.0\.1:\d+)", e)
        accounts = {}
        for line in lines:
            a = re.match(r"demo account: (\S+) (\S+) (\S+)", line)
            if a:
                accounts[a.group(1)] = a.group(2)
        return m.group(1), accounts

    def sign_in(base, email, password):
        s = requests.Session()
        page = s.get(base + "/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]*)"', page)
        check(csrf is not None, "the login form has no CSRF token")
        r = s.post(base + "/login", data={"email": email, "password": password,
                                          "csrf_token": csrf.group(1)},
                   headers={"Origin": base}, allow_redirects=False)
        check(r.status_code in (302, 303), f"sign-in on {base}: HTTP {r.status_code}")
        dashboard = s.get(base + "/dashboard").text
        check('id="wisdom-frame"' in dashboard, f"no WisdomAI iframe on {base}/dashboard")
        check("alice+acme@acme.test" in dashboard, "the dashboard does not show alice's identity")
        return dashboard

    one, accounts = sample(True)
    two, _ = sample(True)
    check("alice@acme.test" in accounts, "the sample printed no demo account for alice")
    reset()
    sign_in(one, "alice@acme.test", accounts["alice@acme.test"])
    on_first = vendor_calls()
    check(on_first >= 2, f"alice's first login made {on_first} vendor calls, expected >= 2")
    reset()
    sign_in(two, "alice@acme.test", accounts["alice@acme.test"])
    on_second = vendor_calls()
    check(on_second == 0, f"alice's login on the second instance made {on_second} vendor calls")
    alone, _ = sample(False)
    reset()
    sign_in(alone, "alice@acme.test", accounts["alice@acme.test"])
    without = vendor_calls()
    check(without >= 1, "an instance without Redis made no vendor call for alice")
    print(f"sample: alice on instance 1: {on_first} vendor calls; on instance 2 (same Redis): "
          f"{on_second}; on an instance without Redis: {without}")
    print("ok")
finally:
    cleanup()
