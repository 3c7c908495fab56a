#!/usr/bin/python3
"""A tenant of N users and the inventory of its 20-site Shared Calling rollout.

    bench_rollout_fixture.py --users 10000 --fixture FX.json --inventory DIR --expect EXPECT.json

Built on the simulator's fixture generator (tests/tenantsim/genfixture.py):
its users, SKUs and one emergency address per site ("Site 0" ... "Site 19"),
every user licensed for Teams Phone. Each site gets an unassigned service
number and emergency callback number (Operator Connect on even sites, Calling
Plan on odd ones), and a contiguous slice of the users. Nothing else of a
site exists yet: the first rollout creates its resource account (and
licences), assigns the number with its emergency location, creates the auto
attendant and the Shared Calling policy, and grants it to the slice.

The tenant-wide voice routing policy (no PSTN usages) and emergency call
routing policy exist already, from an earlier project, and most users have
what the sites ask of them except the new Shared Calling policy:

  covered  60 %  enterprise voice on, both tenant-wide policies granted -> the SC grant
  fresh    15 %  enterprise voice off, nothing granted         -> enterprise voice and 3 grants
  pstn     25 %  enterprise voice on, a voice routing policy with PSTN usages (Old-Pstn)
                 and no emergency policy                        -> 3 grants

Grants go through Graph's policy assignment, 20 users a request per policy
type, so the first rollout writes for every user in N / 20 requests and
more, and enterprise voice one request per fresh user.

DIR receives inventory.yml (one tenant, host "contoso") and
host_vars/contoso.yml (the sites, docs/site-schema.md). EXPECT.json holds
the counts the bench prints.
"""

import argparse
import json
import os
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "tenantsim"))

import genfixture  # noqa: E402

SITES = 20
HOST = "contoso"
SC = "TeamsSharedCallingRoutingPolicy"
VRP = "OnlineVoiceRoutingPolicy"
ECRP = "TeamsEmergencyCallRoutingPolicy"
USERS_VRP = "SC-Users-NoPstn"
USERS_ECRP = "SC-ECRP"
# Per 20 users: (share, how many of the 20).
SHARES = (("covered", 12), ("fresh", 3), ("pstn", 5))


def share_of(i):
    """The share of user i (the same mix in every site's slice)."""
    k = i % 20
    for name, n in SHARES:
        if k < n:
            return name
        k -= n
    raise AssertionError(i)


def build(n_users, seed):
    fx = genfixture.generate(n_users, SITES, 0, 0, seed)
    fx.pop("callHistory", None)
    fx.pop("_expected", None)
    fx["groups"] = []
    users = fx["users"]
    direct, shares = [], {name: 0 for name, _ in SHARES}
    for i, u in enumerate(users):
        u["usageLocation"] = "US"
        u["assignedLicenses"] = ["ENTERPRISEPACK", "MCOEV"]
        share = share_of(i)
        shares[share] += 1
        if share in ("covered", "pstn"):
            u["isEnterpriseVoiceEnabled"] = True
        if share == "covered":
            direct += [{"objectId": u["id"], "policyType": VRP, "policyName": USERS_VRP},
                       {"objectId": u["id"], "policyType": ECRP, "policyName": USERS_ECRP}]
        elif share == "pstn":
            direct.append({"objectId": u["id"], "policyType": VRP, "policyName": "Old-Pstn"})
    fx["grants"] = {"direct": direct, "group": []}
    fx["policies"][VRP] += [
        {"Identity": "Tag:" + USERS_VRP, "Description": "Shared Calling users", "OnlinePstnUsages": []},
        {"Identity": "Tag:Old-Pstn", "Description": "Before Shared Calling", "OnlinePstnUsages": ["National"]},
    ]
    fx["policies"][ECRP] = [
        {"Identity": "Tag:" + USERS_ECRP, "Description": "Shared Calling users", "AllowEnhancedEmergencyServices": True,
         "EmergencyNumbers": [{"EmergencyDialString": "911", "EmergencyDialMask": "", "OnlinePSTNUsage": ""}]}]

    numbers, sites = [], []
    per_site = -(-n_users // SITES)
    for s in range(SITES):
        city = genfixture.CITIES[s % len(genfixture.CITIES)][0]
        calling_plan = s % 2 == 1
        main, callback = "+1312555%02d00" % s, "+1312555%02d01" % s
        extra = {"isoCountryCode": "US", "city": city}
        ntype = "callingPlan" if calling_plan else "operatorConnect"
        numbers.append(dict({"telephoneNumber": main, "numberType": ntype,
                             "capabilities": ["voiceApplicationAssignment"]}, **extra))
        numbers.append(dict({"telephoneNumber": callback, "numberType": ntype,
                             "capabilities": ["userAssignment"]}, **extra))
        licences = ["PHONESYSTEM_VIRTUALUSER"] + (["MCOPSTN_PAYG", "MCOPSTNC"] if calling_plan else [])
        sites.append({
            "name": "site%02d" % s,
            "emergency_address": {"description": "Site %d" % s},
            "resource_account": {"upn": "sc-site%02d@contoso.com" % s, "display_name": "Site %02d main line" % s,
                                 "usage_location": "US", "licenses": licences},
            "number": {"number": main, "type": "calling_plan" if calling_plan else "operator_connect"},
            "auto_attendant": {"name": "Site %02d main line" % s, "language": "en-US",
                               "time_zone": "Pacific Standard Time",
                               "greeting": "Welcome to Contoso %s. Say the name of the person you are calling." % city,
                               "dial_by_name": True},
            "policy": {"name": "SC-Site%02d" % s, "description": "Site %02d, shared main line" % s,
                       "emergency_numbers": [callback]},
            "users": {"members": [u["userPrincipalName"] for u in users[s * per_site:(s + 1) * per_site]],
                      "enterprise_voice": True, "voice_routing_policy": USERS_VRP,
                      "emergency_call_routing_policy": USERS_ECRP, "personal_number": "keep"},
        })
    fx["numbers"] = numbers
    host_vars = {
        "shared_calling_voice_routing_policies": [
            {"name": USERS_VRP, "description": "Shared Calling users", "pstn_usages": []}],
        "shared_calling_emergency_call_routing_policies": [
            {"name": USERS_ECRP, "description": "Shared Calling users", "enhanced_emergency_services": True,
             "emergency_numbers": [{"dial_string": "911"}]}],
        "shared_calling_sites": sites,
    }
    expect = {"users": n_users, "sites": SITES, "shares": shares, "host": HOST,
              "policies": [s["policy"]["name"] for s in sites]}
    return fx, host_vars, expect


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--fixture", required=True, help="simulator fixture to write")
    p.add_argument("--inventory", required=True, help="folder for inventory.yml and host_vars/")
    p.add_argument("--expect", required=True, help="counts (JSON) to write")
    a = p.parse_args(argv)
    fx, host_vars, expect = build(a.users, a.seed)
    with open(a.fixture, "w", encoding="utf-8") as f:
        json.dump(fx, f, separators=(",", ":"))
    os.makedirs(os.path.join(a.inventory, "host_vars"), exist_ok=True)
    with open(os.path.join(a.inventory, "inventory.yml"), "w", encoding="utf-8") as f:
        yaml.safe_dump({"all": {"hosts": {HOST: {"ansible_connection": "local"}}}}, f)
    with open(os.path.join(a.inventory, "host_vars", HOST + ".yml"), "w", encoding="utf-8") as f:
        yaml.dump(host_vars, f, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, width=120)
    with open(a.expect, "w", encoding="utf-8") as f:
        json.dump(expect, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
