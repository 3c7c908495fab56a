#!/usr/bin/python3
"""A large tenant for teams_user_voice: N users of whom known shares already comply.

    bench_fixture.py --users 2000 --output /tmp/fx.json --expect /tmp/expect.json

Built on the simulator's fixture generator (tests/tenantsim/genfixture.py):
its users, SKUs and address, then every user licensed for Teams Phone and put
in one of four shares. The task the figures assume is

    users: <all>, enterprise_voice: true, shared_calling_policy: SC-Bench,
    voice_routing_policy: Global

  covered   30 %  enterprise voice on, SC-Bench granted directly   -> nothing
  group     15 %  enterprise voice on, SC-Bench through a group     -> nothing
  fresh     15 %  enterprise voice off, no grant                     -> 2 writes
  pstn      40 %  SC missing, direct voice routing policy with PSTN  -> 2 writes
                  usages (Old-Pstn, to be removed so Global applies)

--expect writes the user counts, the ids of the users that need writes, the
changes (one per user and setting that differs), the requests they take on the
wire (enterprise voice one per user, grants GRANT_BATCH users per call) and
the request budget (the bulk reads plus those writes).
"""

import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "tenantsim"))

import genfixture  # noqa: E402

SC = "TeamsSharedCallingRoutingPolicy"
VRP = "OnlineVoiceRoutingPolicy"
GROUP_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
SHARES = (("covered", 0.30), ("group", 0.15), ("fresh", 0.15), ("pstn", 0.40))
BATCH = 20          # Graph $batch
GRANT_BATCH = 20    # teams_user_voice grant_batch_size (default)
CONFIG_PAGE = 999   # userConfigurations $top
BATCH_READ_MAX = 100  # teams_user_voice reads configs with $batch up to this many users


def info_floor(in_tenant):
    """The bulk reads of teams_shared_calling_info over this tenant: three
    policy types, resource accounts and their Teams view, numbers, emergency
    locations, auto attendants, two group-grant reads and the SKUs (one each),
    then the user configurations and the user list in pages of 999."""
    return 11 + 2 * math.ceil(in_tenant / CONFIG_PAGE)


def build(n_users, seed):
    fx = genfixture.generate(n_users, 1, 3, 0, seed)
    fx.pop("callHistory", None)
    fx.pop("_expected", None)
    ra_upn = "sc-bench@contoso.com"
    ra_id = genfixture.gid("bench-ra", seed)
    users = fx["users"]
    for u in users:
        u["usageLocation"] = "US"
        u["assignedLicenses"] = ["ENTERPRISEPACK", "MCOEV"]
    # The generator's main line of site 0 goes to the resource account; no personal numbers.
    fx["numbers"] = [dict(fx["numbers"][0], assignedTo=ra_upn)]
    users.append({"id": ra_id, "userPrincipalName": ra_upn, "displayName": "Shared Calling bench",
                  "accountType": "resourceAccount", "usageLocation": "US",
                  "assignedLicenses": ["PHONESYSTEM_VIRTUALUSER"]})
    fx["groups"] = [{"id": GROUP_ID, "displayName": "Bench Shared Calling group", "members": []}]
    fx["policies"]["OnlineVoiceRoutingPolicy"] += [
        {"Identity": "Tag:Old-Pstn", "Description": "Before Shared Calling", "OnlinePstnUsages": ["National"]},
        {"Identity": "Tag:RA-Pstn", "Description": "Resource accounts", "OnlinePstnUsages": ["National"]},
    ]
    fx["policies"]["TeamsSharedCallingRoutingPolicy"] = [
        {"Identity": "Tag:SC-Bench", "Description": "Bench", "ResourceAccount": ra_id, "EmergencyNumbers": []}]
    direct = [{"objectId": ra_id, "policyType": VRP, "policyName": "RA-Pstn"}]
    groups = {name: [] for name, _ in SHARES}
    bounds, acc = [], 0.0
    for name, share in SHARES:
        acc += share
        bounds.append((name, int(round(acc * n_users))))
    for i, u in enumerate(users[:n_users]):
        share = next(name for name, upto in bounds if i < upto)
        groups[share].append(u)
        if share in ("covered", "group", "pstn"):
            u["isEnterpriseVoiceEnabled"] = True
        if share == "covered":
            direct.append({"objectId": u["id"], "policyType": SC, "policyName": "SC-Bench"})
        elif share == "group":
            fx["groups"][0]["members"].append(u["id"])
        elif share == "pstn":
            direct.append({"objectId": u["id"], "policyType": VRP, "policyName": "Old-Pstn"})
    fx["grants"] = {"direct": direct,
                    "group": [{"groupId": GROUP_ID, "policyType": SC, "policyName": "SC-Bench", "rank": 1}]}
    upns = [u["userPrincipalName"] for u in users[:n_users]]
    to_write = [u["id"] for u in groups["fresh"] + groups["pstn"]]
    writes = 2 * len(to_write)
    # The read floor: the users and their voice state in as few requests as
    # the API allows ($batch for a few users, else the lists), policies (2),
    # SKUs (1) and, on a first run, the getPolicyId read of SC-Bench.
    if n_users <= BATCH_READ_MAX:
        reads = 2 * math.ceil(n_users / BATCH) + 3
    else:
        in_tenant = len(users)
        reads = 2 * min(math.ceil(in_tenant / CONFIG_PAGE), math.ceil(n_users / BATCH)) + 3
    # On the wire: enterprise voice one request per user; grants through
    # Graph's policy assignment, GRANT_BATCH users per call and per type
    # (SC-Bench to fresh and pstn, the voice routing policy removed from pstn).
    sc_users, vrp_users = len(groups["fresh"]) + len(groups["pstn"]), len(groups["pstn"])
    ev_writes = len(groups["fresh"])
    grant_requests = math.ceil(sc_users / GRANT_BATCH) + math.ceil(vrp_users / GRANT_BATCH)
    expect = {"users": n_users, "upns": upns, "shares": {k: len(v) for k, v in groups.items()},
              "changed": len(to_write), "unchanged": n_users - len(to_write), "writes": writes,
              "wire_writes": ev_writes + grant_requests, "grant_requests": grant_requests,
              "grant_requests_per_user": sc_users + vrp_users,
              "write_ids": to_write, "reads": reads, "first_reads": reads + 1,
              "budget": reads + 1 + ev_writes + grant_requests,
              "info_reads": info_floor(len(users))}
    return fx, expect


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--output", required=True, help="fixture file to write")
    p.add_argument("--expect", required=True, help="expected figures (JSON) to write")
    a = p.parse_args(argv)
    fx, expect = build(a.users, a.seed)
    with open(a.output, "w", encoding="utf-8") as f:
        json.dump(fx, f, separators=(",", ":"))
    with open(a.expect, "w", encoding="utf-8") as f:
        json.dump(expect, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
