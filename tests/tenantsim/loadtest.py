#!/usr/bin/python3
"""A small, bounded load generator for a running tenant simulator (loopback only).

    /usr/bin/python3 tests/tenantsim/loadtest.py --url http://127.0.0.1:41234 --threads 4 --seconds 5

Each thread keeps one keep-alive connection and cycles through a read mix
(Graph users page, number inventory page, user configuration, a Teams policy
list).  Prints requests per second and the status counts.  It is a
measurement tool, not a test: it never fails on speed.
"""

import argparse
import collections
import http.client
import json
import sys
import threading
import time
import urllib.parse

APP = "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6e"
SECRET = "sim-Secret-4f9a7Qx2"

MIX = [
    ("graph", "/graph/v1.0/users?$top=10&$select=id,userPrincipalName,usageLocation"),
    ("graph", "/graph/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$top=10"),
    ("graph", "/graph/v1.0/admin/teams/userConfigurations?$top=5"),
    ("teams", "/teams/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy"),
]


def get_token(host, port, scope):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    body = urllib.parse.urlencode({"client_id": APP, "client_secret": SECRET, "grant_type": "client_credentials",
                                   "scope": scope})
    conn.request("POST", "/login/contoso.com/oauth2/v2.0/token", body,
                 {"Content-Type": "application/x-www-form-urlencoded"})
    data = json.loads(conn.getresponse().read())
    conn.close()
    return data["access_token"]


def worker(host, port, tokens, deadline, counts, lock, offset):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    local = collections.Counter()
    i = offset
    while time.monotonic() < deadline:
        service, path = MIX[i % len(MIX)]
        i += 1
        try:
            conn.request("GET", path, headers={"Authorization": "Bearer " + tokens[service]})
            resp = conn.getresponse()
            resp.read()
            local[resp.status] += 1
        except (OSError, http.client.HTTPException):
            local["error"] += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.close()
    with lock:
        counts.update(local)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="simulator base URL (http://127.0.0.1:PORT)")
    p.add_argument("--url-file", help="read the base URL from this file")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args(argv)
    url = a.url or (open(a.url_file).read().strip() if a.url_file else None)
    if not url:
        p.error("give --url or --url-file")
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost"):
        p.error("loopback plain-HTTP simulators only")
    threads = max(1, min(a.threads, 32))
    seconds = max(0.5, min(a.seconds, 60.0))
    tokens = {"graph": get_token(u.hostname, u.port, "https://graph.microsoft.com/.default"),
              "teams": get_token(u.hostname, u.port, "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default")}
    counts, lock = collections.Counter(), threading.Lock()
    start = time.monotonic()
    deadline = start + seconds
    ts = [threading.Thread(target=worker, args=(u.hostname, u.port, tokens, deadline, counts, lock, n))
          for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - start
    total = sum(counts.values())
    print("%d requests in %.1f s from %d threads: %.0f requests/s; statuses %s"
          % (total, elapsed, threads, total / elapsed, dict(sorted(counts.items(), key=str))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
