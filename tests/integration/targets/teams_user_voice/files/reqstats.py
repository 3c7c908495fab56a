#!/usr/bin/python3
"""Figures from the tenant simulator's request log, as JSON on stdout.

    reqstats.py SIM_URL [--since SEQ] [--latency-ms L] [--expect FILE]

Counts the requests of graph and teams (tokens apart), per service too: reads, $batch
requests and their inner requests, writes (grants through the Teams admin
route, and Graph policy assignment calls with the users they carry), and single GETs that a bulk form
should have replaced. With --latency-ms (the latency a fault rule added to
every write), estimates the most writes in flight at once: a write logged at
time t was in flight during at least [t - L, t], so the overlap of those
intervals is a lower bound of the real one, and can only exceed the client's
bound if the client exceeded it. With --expect (bench_fixture.py output),
also lists writes to users that needed none.
"""

import argparse
import json
import re
import sys
import urllib.request

WRITE_USER = re.compile(r"/Skype\.Policy/users/([^/]+)/policies/")
EV_USER = re.compile(r"identity=([0-9a-fA-F-]{36})")
ASSIGN = re.compile(r"/admin/teams/policy/userAssignments/(assign|unassign)$")


def fetch(url, since):
    with urllib.request.urlopen("%s/_sim/requests?since=%d&bodies=1" % (url, since)) as r:
        return json.load(r)["requests"]


def max_overlap(times, width):
    """Most intervals [t - width, t) covering one instant."""
    events = sorted([(t - width, 1) for t in times] + [(t, -1) for t in times])
    cur = best = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    return best


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--since", type=int, default=0)
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--expect")
    a = p.parse_args(argv)
    log = fetch(a.url, a.since)
    wire = [e for e in log if not e.get("batch") and e["service"] in ("graph", "teams")]
    inner = [e for e in log if e.get("batch")]
    writes = [e for e in wire if e["method"] not in ("GET", "HEAD") and not e["path"].endswith("$batch")]
    single_user_gets = [e for e in wire if e["method"] == "GET" and (
        re.search(r"/v1\.0/users/[^/]+$", e["path"]) or "/userConfigurations/" in e["path"])]
    written = set()
    assigns = [e for e in writes if ASSIGN.search(e["path"])]
    for e in writes:
        m = WRITE_USER.search(e["path"]) or EV_USER.search(e.get("query") or "")
        if m:
            written.add(m.group(1).lower())
    for e in assigns:
        for item in (e.get("body") or {}).get("value") or []:
            written.add(str(item.get("userId")).lower())
    out = {
        "requests": len(wire),
        "by_service": {svc: sum(1 for e in wire if e["service"] == svc) for svc in ("graph", "teams")},
        "tokens": sum(1 for e in log if e["service"] == "login"),
        "reads": len(wire) - len(writes),
        "batches": sum(1 for e in wire if e["path"].endswith("$batch")),
        "batch_inner": len(inner),
        "writes": len(writes),
        "writes_by_kind": {
            "grant": sum(1 for e in writes if "/Skype.Policy/users/" in e["path"]),
            "graph_assign": len(assigns),
            "graph_assign_users": sum(len((e.get("body") or {}).get("value") or []) for e in assigns),
            "enterprise_voice": sum(1 for e in writes if "/Skype.TelephoneNumberMgmt/" in e["path"]),
        },
        "write_errors": sum(1 for e in writes if not 200 <= e["status"] < 300),
        "single_user_gets": len(single_user_gets),
        "users_written": len(written),
    }
    if a.latency_ms and writes:
        out["max_in_flight"] = max_overlap([e["time"] for e in writes], a.latency_ms / 1000.0)
        out["write_seconds"] = round(max(e["time"] for e in writes) - min(e["time"] for e in writes)
                                     + a.latency_ms / 1000.0, 3)
    if a.expect:
        with open(a.expect, encoding="utf-8") as f:
            exp = json.load(f)
        need = {i.lower() for i in exp["write_ids"]}
        out["writes_to_compliant_users"] = len(written - need)
        out["users_needing_writes_not_written"] = len(need - written) if writes else None
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
