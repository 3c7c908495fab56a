#!/usr/bin/python3
"""The configuration a rollout leaves in the tenant simulator, as a signature.

    soak_state.py SIM_URL > signature.json
    soak_state.py --compare BASELINE.json SIGNATURE.json

The signature lists, per kind, every object a rollout creates or changes
(resource accounts, policies, grants, auto attendants and their
associations, emergency addresses and locations, number assignments), each
as canonical JSON with generated ids replaced by the names they stand for,
so two runs of the same rollout compare equal. --compare prints one JSON
object: duplicates (an object more times than in the baseline), orphans (an
object the baseline does not have) and missing (the reverse).
"""

import collections
import json
import re
import sys
import urllib.request

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
VOLATILE = {"createdDateTime", "lastModifiedDateTime", "licenseTimes", "history", "id", "objectId",
            "civicAddressId", "locationId", "Id", "Identity_id", "tenantId", "TenantId", "created",
            "modified", "time", "at", "correlationId", "etag", "@odata.etag"}


def fetch(url):
    with urllib.request.urlopen(url + "/_sim/state") as r:
        return json.load(r)


def names_of(state):
    """Generated id -> a stable name."""
    names = {}
    for u in state["users"]:
        names[u["id"].lower()] = "user:" + u["userPrincipalName"].lower()
    for a in state["autoAttendants"]:
        if a.get("id"):
            names[str(a["id"]).lower()] = "aa:" + str(a.get("name"))
    for a in state["civicAddresses"]:
        key = "addr:%s|%s|%s" % (a.get("description"), a.get("houseNumber"), a.get("streetName"))
        for k in ("civicAddressId", "id"):
            if a.get(k):
                names[str(a[k]).lower()] = key
    for loc in state["locations"]:
        key = "loc:%s|%s" % (names.get(str(loc.get("civicAddressId", "")).lower(), "?"),
                             loc.get("location") or loc.get("description"))
        for k in ("locationId", "id"):
            if loc.get(k):
                names[str(loc[k]).lower()] = key
    for g in state["groups"]:
        if g.get("id"):
            names[g["id"].lower()] = "group:" + str(g.get("displayName"))
    return names


def canon(obj, names):
    if isinstance(obj, dict):
        return {k: canon(v, names) for k, v in sorted(obj.items()) if k not in VOLATILE and not k.startswith("_")}
    if isinstance(obj, list):
        return [canon(v, names) for v in obj]
    if isinstance(obj, str) and GUID.match(obj):
        return names.get(obj.lower(), "<id>")
    return obj


def signature(state):
    names = names_of(state)
    sig = collections.defaultdict(list)

    def add(kind, obj):
        sig[kind].append(json.dumps(canon(obj, names), sort_keys=True))

    for u in state["users"]:
        if u.get("accountType") == "resourceAccount":
            add("resource_account", {k: u.get(k) for k in ("userPrincipalName", "displayName", "applicationId",
                                                            "usageLocation", "assignedLicenses")})
    for ptype, pols in state["policies"].items():
        for p in pols:
            add("policy:" + ptype, p)
    for g in state["grants"]["direct"]:
        if g["history"]:
            add("grant:" + g["policyType"], {"user": g["objectId"], "value": g["history"][-1][1]})
    for g in state["grants"]["group"]:
        if g["history"]:
            add("group_grant:" + g["policyType"], {"group": g["groupId"], "value": g["history"][-1][1]})
    for a in state["autoAttendants"]:
        add("auto_attendant", a)
    for a in state["associations"]:
        add("association", a)
    for a in state["civicAddresses"]:
        add("address", a)
    for loc in state["locations"]:
        add("location", loc)
    for n in state["numbers"]:
        if n.get("assignmentTargetId") or n.get("locationId"):
            add("number", {k: n.get(k) for k in ("telephoneNumber", "assignmentTargetId", "assignmentCategory",
                                                 "locationId", "numberType")})
    for u in state["users"]:
        if u.get("accountType") != "resourceAccount" and u.get("isEnterpriseVoiceEnabled"):
            add("enterprise_voice", {"user": u["id"]})
    return {k: sorted(v) for k, v in sorted(sig.items())}


def compare(base, got):
    out = {"duplicates": 0, "orphans": 0, "missing": 0, "details": []}
    for kind in sorted(set(base) | set(got)):
        b = collections.Counter(base.get(kind, []))
        g = collections.Counter(got.get(kind, []))
        for item, n in g.items():
            if item in b and n > b[item]:
                out["duplicates"] += n - b[item]
                out["details"].append("duplicate %s: %s" % (kind, item[:200]))
            elif item not in b:
                out["orphans"] += n
                out["details"].append("orphan %s: %s" % (kind, item[:200]))
        for item, n in b.items():
            if g.get(item, 0) < n and item not in g:
                out["missing"] += n
                out["details"].append("missing %s: %s" % (kind, item[:200]))
    return out


def main(argv):
    if len(argv) == 3 and argv[0] == "--compare":
        with open(argv[1]) as f:
            base = json.load(f)
        with open(argv[2]) as f:
            got = json.load(f)
        print(json.dumps(compare(base, got), indent=1))
        return 0
    if len(argv) == 1:
        print(json.dumps(signature(fetch(argv[0])), indent=1))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
