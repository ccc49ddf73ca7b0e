#!/usr/bin/env python3
"""The WisdomAI docs' login flow as a Python team would write it (requests, a Session per worker
thread, TLS verified): listUsers, createUsers when the email is missing else setUserAttributes,
then impersonateUser. A peer of embark-bench: speaks its worker protocol (warm up, print "ready",
wait for a line on stdin, run the window, print one JSON line).

  python3 docs_flow.py --credentials FILE --workload FILE --concurrency N --duration S --warmup N
"""
import argparse
import base64
import json
import resource
import sys
import threading
import time

import requests

LIST_USERS = ("query ListUsers($workspaceId: ID) { listUsers(workspaceId: $workspaceId) "
              "{ id email userAttributes { key value source } roleAssignments { roleId scopes } } }")
CREATE_USERS = ("mutation CreateUsers($input: CreateUsersInput!) "
                "{ createUsers(input: $input) { status { code message } } }")
SET_ATTRIBUTES = ("mutation SetUserAttributes($input: SetUserAttributesInput!) "
                  "{ setUserAttributes(input: $input) { status { code message } } }")
IMPERSONATE = ("mutation ImpersonateUser($accessToken: String!, $userEmail: String!) "
               "{ impersonateUser(accessToken: $accessToken, userEmail: $userEmail) }")


class Flow:
    def __init__(self, creds):
        self.url = creds["graphql_url"]
        self.access_key = creds["access_key"]
        self.ca_file = creds["ca_file"]
        self.auth = {"Authorization": "Bearer " + creds["api_token"]}
        self.local = threading.local()

    def session(self):
        s = getattr(self.local, "session", None)
        if s is None:
            s = requests.Session()
            s.verify = self.ca_file
            self.local.session = s
        return s

    def call(self, query, variables, bearer=True):
        r = self.session().post(self.url, json={"query": query, "variables": variables},
                                headers=self.auth if bearer else None, timeout=60)
        r.raise_for_status()
        body = r.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"][0].get("message", "GraphQL error"))
        return body["data"]

    def login(self, email, attributes):
        attrs = [{"key": k, "value": v} for k, v in attributes.items()]
        users = self.call(LIST_USERS, {})["listUsers"]
        found = next((u for u in users if u["email"].lower() == email.lower()), None)
        if found is None:
            status = self.call(CREATE_USERS, {"input": {
                "emails": [email], "userAttributes": attrs, "sendWelcomeEmail": False}})
            status = status["createUsers"]["status"]
        else:
            status = self.call(SET_ATTRIBUTES, {"input": {
                "userId": found["id"], "userAttributes": attrs}})["setUserAttributes"]["status"]
        if status["code"] != "OK":
            raise RuntimeError(status.get("message") or status["code"])
        token = self.call(IMPERSONATE, {"accessToken": self.access_key, "userEmail": email},
                          bearer=False)["impersonateUser"]
        parts = token.split(".")
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        if len(parts) != 3 or payload["exp"] <= time.time():
            raise RuntimeError("the session JWT is malformed or expired")


def run(flow, workload, first, end, concurrency, duration):
    lock = threading.Lock()
    state = {"next": first, "ok": 0, "failed": 0, "error": ""}
    latencies = []
    start = time.monotonic()

    def worker():
        while True:
            with lock:
                if state["next"] >= end or time.monotonic() - start >= duration:
                    return
                login = workload[state["next"]]
                state["next"] += 1
            sent = time.monotonic()
            try:
                flow.login(login["email"], login["attributes"])
                with lock:
                    state["ok"] += 1
                    latencies.append((time.monotonic() - sent) * 1000)
            except Exception as e:  # a failed login is counted, not fatal
                with lock:
                    state["failed"] += 1
                    state["error"] = state["error"] or f"{type(e).__name__}: {e}"[:300]

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state, sorted(latencies), time.monotonic() - start


def peak_rss_mb():
    """VmHWM: ru_maxrss would include the spawning process's memory (inherited through exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def quantile(values, q):
    if not values:
        return 0
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--credentials", required=True)
    p.add_argument("--workload", required=True)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--duration", type=float, default=8)
    p.add_argument("--warmup", type=int, default=0)
    a = p.parse_args()
    with open(a.credentials) as f:
        flow = Flow(json.load(f))
    with open(a.workload) as f:
        workload = [json.loads(line) for line in f if line.strip()]
    warmup = min(a.warmup, len(workload))
    if warmup:
        run(flow, workload, 0, warmup, a.concurrency, 3600)
    print("ready", flush=True)
    sys.stdin.readline()
    before = resource.getrusage(resource.RUSAGE_SELF)
    state, lat, wall = run(flow, workload, warmup, len(workload), a.concurrency, a.duration)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({"ok": state["ok"], "failed": state["failed"], "wall_s": wall, "cpu_s": cpu,
                      "sys_s": after.ru_stime - before.ru_stime,
                      "p50_ms": quantile(lat, 0.5), "p90_ms": quantile(lat, 0.9),
                      "p99_ms": quantile(lat, 0.99), "max_rss_mb": peak_rss_mb(),
                      "first_error": state["error"]}), flush=True)


if __name__ == "__main__":
    main()
