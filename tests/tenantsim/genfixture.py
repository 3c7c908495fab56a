#!/usr/bin/python3
"""Generate tenant simulator fixtures: the default tenant, or a large one.

    /usr/bin/python3 tests/tenantsim/genfixture.py --default > tests/tenantsim/fixtures/default.json
    /usr/bin/python3 tests/tenantsim/genfixture.py --users 50000 --sites 40 --numbers 60000 \\
        --weeks 4 --seed 1 > /tmp/big.json

The call history is not stored row by row: the fixture holds one
``callHistory`` profile per user (outbound and inbound calls per week) and the
simulator expands it at load time, deterministically from ``seed``.  Each
user's outbound figure is drawn (seeded) from :data:`OUT_PER_WEEK_TABLE`, its
inbound figure from :data:`IN_PER_WEEK_TABLE`; every user then has exactly
that many calls in each of the ``weeks`` weeks before today 00:00 UTC.  The
figures are repeated under ``"_expected"`` so tests can check a call-pattern
classification exactly (README.md, "Generated tenants").
"""

import argparse
import json
import random
import sys
import uuid

TENANT_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
APP_ID = "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6e"
APP_SECRET = "sim-Secret-4f9a7Qx2"
READONLY_APP_ID = "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6f"
READONLY_APP_SECRET = "sim-Secret-readonly-8k2"

SKU_MCOEV = "e43b5b99-8dfb-405f-9987-dc307f34bcbd"
SKU_VIRTUALUSER = "440eaaa8-b3e0-484b-a8be-62870b9ba70a"
SKU_MCOPSTNC = "47794cd0-f0e5-45c5-9033-2eb6b5fc84e0"
SKU_PAYG = "d1f2e3c4-5a6b-4c7d-8e9f-0a1b2c3d4e5f"          # simulator's own id for MCOPSTN_PAYG
SKU_ENTERPRISEPACK = "6fd2c87f-b296-42f0-b197-1e91e994b900"

ADDRESS_ID = "3c1e5a7b-9d2f-4b6a-8c0e-2f4a6b8c0d1e"
DEFAULT_LOCATION_ID = "9a7b5c3d-1e2f-4a6b-8c0d-e2f4a6b8c0d1"
GROUP_ID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"

FULL_PERMISSIONS = ["User.ReadWrite.All", "Organization.Read.All", "LicenseAssignment.ReadWrite.All",
                    "TeamsTelephoneNumber.ReadWrite.All", "TeamsUserConfiguration.Read.All",
                    "TeamsPolicyUserAssign.ReadWrite.All", "CallRecords.Read.All", "Group.Read.All"]
READ_PERMISSIONS = ["User.Read.All", "Organization.Read.All", "TeamsTelephoneNumber.Read.All",
                    "TeamsUserConfiguration.Read.All"]

# Outbound PSTN calls per week: each user gets one entry, drawn uniformly.
OUT_PER_WEEK_TABLE = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 15, 25]
IN_PER_WEEK_TABLE = [0, 0, 1, 1, 2, 3, 5]

CITIES = [("Redmond", "WA", "98052", "47.63", "-122.13"), ("Seattle", "WA", "98101", "47.61", "-122.33"),
          ("Chicago", "IL", "60601", "41.88", "-87.62"), ("Austin", "TX", "78701", "30.27", "-97.74"),
          ("Boston", "MA", "02108", "42.36", "-71.06"), ("Denver", "CO", "80202", "39.74", "-104.99")]


def gid(*parts):
    """A stable GUID for generated objects."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "tenantsim-fixture:" + "|".join(str(p) for p in parts)))


def skus(mcoev=50, virtual=10, credits=10, payg=10, e3=50):
    """The SKU list (ids of docs/design/services.md#licence-ids, plus the simulator's PAYG id)."""
    return [
        {"skuId": SKU_MCOEV, "skuPartNumber": "MCOEV", "displayName": "Microsoft Teams Phone Standard",
         "enabled": mcoev, "servicePlans": [{"servicePlanId": "4828c8ec-dc2e-4779-b502-87ac9ce28ab7",
                                             "servicePlanName": "MCOEV"}]},
        {"skuId": SKU_VIRTUALUSER, "skuPartNumber": "PHONESYSTEM_VIRTUALUSER",
         "displayName": "Microsoft Teams Phone Resource Account", "enabled": virtual,
         "servicePlans": [{"servicePlanId": "f47330e9-c134-43b3-9993-e7f004506889",
                           "servicePlanName": "MCOEV_VIRTUALUSER"}]},
        {"skuId": SKU_MCOPSTNC, "skuPartNumber": "MCOPSTNC", "displayName": "Communications Credits",
         "enabled": credits, "servicePlans": [{"servicePlanId": "505e180f-f7e0-4b65-91d4-00d670bbd18c",
                                               "servicePlanName": "MCOPSTNC"}]},
        {"skuId": SKU_PAYG, "skuPartNumber": "MCOPSTN_PAYG",
         "displayName": "Microsoft Teams Calling Plan pay-as-you-go", "enabled": payg,
         "servicePlans": [{"servicePlanId": "e2a3b4c5-6d7e-4f80-9a1b-2c3d4e5f6a7b",
                           "servicePlanName": "MCOPSTN_PAYG"}]},
        {"skuId": SKU_ENTERPRISEPACK, "skuPartNumber": "ENTERPRISEPACK", "displayName": "Office 365 E3",
         "enabled": e3, "servicePlans": [
             {"servicePlanId": "57ff2da0-773e-42df-b2af-ffb7a2317929", "servicePlanName": "TEAMS1"},
             {"servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0", "servicePlanName": "EXCHANGE_S_ENTERPRISE"}]},
    ]


def base_fixture():
    """Tenant, apps and policies shared by every generated fixture."""
    return {
        "tenant": {"id": TENANT_ID, "displayName": "Contoso", "countryCode": "US",
                   "domains": [{"name": "contoso.onmicrosoft.com", "initial": True}, {"name": "contoso.com"}]},
        "apps": [
            {"clientId": APP_ID, "displayName": "dialtone-sim-admin", "secret": APP_SECRET,
             "certificates": [], "directoryRoles": ["Teams Administrator"], "graphPermissions": FULL_PERMISSIONS},
            {"clientId": READONLY_APP_ID, "displayName": "dialtone-sim-readonly", "secret": READONLY_APP_SECRET,
             "certificates": [], "directoryRoles": [], "graphPermissions": READ_PERMISSIONS},
        ],
        "policies": {
            "OnlinePstnUsages": [{"Identity": "Global", "Usage": ["National", "International"]}],
            "OnlineVoiceRoutingPolicy": [{"Identity": "Global", "Description": "", "OnlinePstnUsages": []}],
        },
    }


def address(aid, loc_id, description, city):
    name, state, zipc, lat, lon = city
    return {"id": aid, "defaultLocationId": loc_id, "companyName": "Contoso", "description": description,
            "houseNumber": "1", "streetName": "Microsoft" if name == "Redmond" else "Main",
            "streetSuffix": "Way" if name == "Redmond" else "St", "cityOrTown": name, "stateOrProvince": state,
            "postalOrZipCode": zipc, "country": "US", "latitude": lat, "longitude": lon,
            "validationStatus": "Validated"}


DEFAULT_USERS = [
    # (first, last, usageLocation, MCOEV?, outPerWeek, inPerWeek)
    ("Adele", "Vance", "US", True, 12, 8), ("Alex", "Wilber", "US", True, 20, 10),
    ("Bianca", "Pisani", "US", True, 1, 0), ("Diego", "Siciliani", "US", True, 0, 0),
    ("Grady", "Archie", "US", True, 3, 1), ("Henrietta", "Mueller", "US", True, 2, 1),
    ("Isaiah", "Langer", "US", True, 6, 2), ("Johanna", "Lorenz", "US", True, 4, 0),
    ("Joni", "Sherman", "US", True, 0, 1), ("Lee", "Gu", "US", True, 8, 3),
    ("Lidia", "Holloway", "GB", True, 2, 2), ("Lynne", "Robbins", "US", True, 1, 1),
    ("Megan", "Bowen", "US", True, 5, 5), ("Miriam", "Graham", "US", True, 0, 0),
    ("Nestor", "Wilke", "US", True, 15, 4), ("Patti", "Fernandez", "US", True, 2, 0),
    ("Pradeep", "Gupta", "US", False, 1, 0), ("Christie", "Cline", "US", True, 3, 3),
    ("Irvin", "Sayers", "GB", True, 0, 2), ("Laurence", "Gilbertson", None, False, 0, 0),
]


def default_fixture():
    """The small default tenant (README.md, "The default tenant")."""
    fx = base_fixture()
    fx["skus"] = skus()
    users, profiles, expected_out, expected_in = [], [], {}, {}
    for first, last, loc, mcoev, out, inn in DEFAULT_USERS:
        upn = "%s@contoso.com" % first.lower()
        uid = gid("default-user", upn)
        lic = []
        if loc:
            lic = ["ENTERPRISEPACK"] + (["MCOEV"] if mcoev else [])
        users.append({"id": uid, "userPrincipalName": upn, "displayName": "%s %s" % (first, last),
                      "givenName": first, "surname": last, "mail": upn, "usageLocation": loc,
                      "assignedLicenses": lic, "accountEnabled": True})
        profiles.append({"user": upn, "outPerWeek": out, "inPerWeek": inn,
                         "route": "directRouting" if first == "Adele" else "callingPlan"})
        expected_out[uid] = out
        expected_in[uid] = inn
    fx["users"] = users
    members = ["diego@contoso.com", "grady@contoso.com", "henrietta@contoso.com", "isaiah@contoso.com",
               "bianca@contoso.com"]
    fx["groups"] = [{"id": GROUP_ID, "displayName": "Redmond Shared Calling Users", "members": members}]
    fx["civicAddresses"] = [address(ADDRESS_ID, DEFAULT_LOCATION_ID, "Contoso HQ", CITIES[0])]
    fx["locations"] = []
    fx["numbers"] = [
        {"telephoneNumber": "+14255550100", "numberType": "directRouting"},
        {"telephoneNumber": "+14255550101", "numberType": "directRouting", "assignedTo": "adele@contoso.com",
         "locationId": DEFAULT_LOCATION_ID},
        {"telephoneNumber": "+14255550102", "numberType": "directRouting"},
        {"telephoneNumber": "+14255550103", "numberType": "directRouting"},
        {"telephoneNumber": "+12065550100", "numberType": "callingPlan", "isoCountryCode": "US", "city": "Seattle",
         "capabilities": ["voiceApplicationAssignment"]},
        {"telephoneNumber": "+12065550101", "numberType": "callingPlan", "isoCountryCode": "US", "city": "Seattle",
         "capabilities": ["userAssignment"]},
        {"telephoneNumber": "+12065550102", "numberType": "callingPlan", "isoCountryCode": "US", "city": "Seattle",
         "capabilities": ["userAssignment"]},
        {"telephoneNumber": "+18005550100", "numberType": "callingPlan", "isoCountryCode": "US", "city": None,
         "capabilities": ["voiceApplicationAssignment"]},
        {"telephoneNumber": "+442079460100", "numberType": "callingPlan", "isoCountryCode": "GB", "city": "London",
         "capabilities": ["voiceApplicationAssignment"]},
        {"telephoneNumber": "+442079460101", "numberType": "callingPlan", "isoCountryCode": "GB", "city": "London",
         "capabilities": ["userAssignment"]},
        {"telephoneNumber": "+13125550100", "numberType": "operatorConnect", "isoCountryCode": "US",
         "city": "Chicago", "capabilities": ["userAssignment", "voiceApplicationAssignment"]},
        {"telephoneNumber": "+13125550101", "numberType": "operatorConnect", "isoCountryCode": "US",
         "city": "Chicago", "capabilities": ["userAssignment"], "assignedTo": "alex@contoso.com"},
        {"telephoneNumber": "+13125550102", "numberType": "operatorConnect", "isoCountryCode": "US",
         "city": "Chicago", "capabilities": ["userAssignment"]},
    ]
    fx["callHistory"] = {"relativeToNow": True, "weeks": 3, "seed": 7, "profiles": profiles}
    fx["_expected"] = {"weeks": 3, "outboundPerWeek": expected_out, "inboundPerWeek": expected_in,
                       "note": "each user has exactly outboundPerWeek user_out/ByotOut calls in each of the "
                               "'weeks' weeks before today 00:00 UTC"}
    return fx


def generate(n_users, n_sites, n_numbers, weeks, seed):
    """A large tenant: users spread over sites, numbers, and a seeded call history."""
    rng = random.Random(seed)
    fx = base_fixture()
    fx["skus"] = skus(mcoev=int(n_users * 1.1) + 10, virtual=n_sites * 2 + 10, credits=n_sites + 10,
                      payg=n_sites + 10, e3=int(n_users * 1.1) + 10)
    n_sites = max(1, n_sites)
    fx["civicAddresses"] = []
    fx["groups"] = []
    site_locs = []
    for s in range(n_sites):
        aid, lid = gid("site-address", seed, s), gid("site-location", seed, s)
        fx["civicAddresses"].append(address(aid, lid, "Site %d" % s, CITIES[s % len(CITIES)]))
        fx["groups"].append({"id": gid("site-group", seed, s), "displayName": "Site %d users" % s, "members": []})
        site_locs.append(lid)
    users, profiles, out_map, in_map = [], [], {}, {}
    for i in range(n_users):
        upn = "user%05d@contoso.com" % i
        uid = gid("user", seed, i)
        loc = None if rng.random() < 0.01 else "US"
        lic = ["ENTERPRISEPACK", "MCOEV"] if loc and rng.random() < 0.95 else (["ENTERPRISEPACK"] if loc else [])
        users.append({"id": uid, "userPrincipalName": upn, "displayName": "User %05d" % i, "usageLocation": loc,
                      "assignedLicenses": lic})
        fx["groups"][i % n_sites]["members"].append(uid)
        out = rng.choice(OUT_PER_WEEK_TABLE)
        inn = rng.choice(IN_PER_WEEK_TABLE)
        out_map[uid] = out
        in_map[uid] = inn
        profiles.append({"user": uid, "outPerWeek": out, "inPerWeek": inn, "route": "callingPlan"})
    fx["users"] = users
    numbers = []
    # Per site: a main line and two emergency candidates (Direct Routing, located).
    j = 0
    for s in range(n_sites):
        for k in range(3):
            if j >= n_numbers:
                break
            numbers.append({"telephoneNumber": "+1425%07d" % j, "numberType": "directRouting",
                            "locationId": site_locs[s] if k == 0 else None})
            j += 1
    # The rest: personal Direct Routing numbers for the first users with Teams Phone.
    # Their owners' calls are Direct Routing calls (getDirectRoutingCalls).
    eligible = [i for i, u in enumerate(users) if "MCOEV" in u["assignedLicenses"]]
    ui = 0
    while j < n_numbers:
        num = {"telephoneNumber": "+1425%07d" % j, "numberType": "directRouting"}
        if ui < len(eligible) and j % 2 == 0:
            num["assignedTo"] = users[eligible[ui]]["id"]
            profiles[eligible[ui]]["route"] = "directRouting"
            ui += 1
        numbers.append(num)
        j += 1
    fx["numbers"] = numbers
    fx["callHistory"] = {"relativeToNow": True, "weeks": weeks, "seed": seed, "profiles": profiles}
    fx["_expected"] = {"weeks": weeks, "seed": seed, "outPerWeekTable": OUT_PER_WEEK_TABLE,
                       "inPerWeekTable": IN_PER_WEEK_TABLE, "outboundPerWeek": out_map, "inboundPerWeek": in_map,
                       "usersBelow5OutboundPerWeek": sum(1 for v in out_map.values() if v < 5),
                       "audit": audit_expectation(users, out_map, in_map, numbers)}
    return fx

AUDIT_THRESHOLD = 5


def audit_expectation(users, out_map, in_map, numbers, threshold=AUDIT_THRESHOLD):
    """The answers of a call-pattern audit (teams_pstn_usage_info) of a generated tenant.

    The audited users are those holding Teams Phone and those with calls. A user
    with no call at all is ``noCalls``; one with fewer than ``threshold``
    outbound calls a week a ``candidate``; the others ``personal``. Lists hold
    UPNs, sorted case-insensitively; ``personalNumbers`` maps the UPNs of the
    audited users that hold a number to it.
    """
    by_id = {u["id"]: u for u in users}
    by_upn = {u["userPrincipalName"]: u for u in users}
    teams_phone = {u["id"] for u in users if "MCOEV" in u["assignedLicenses"]}
    audited = [u["id"] for u in users
               if u["id"] in teams_phone or out_map.get(u["id"], 0) + in_map.get(u["id"], 0) > 0]
    audited_set = set(audited)
    classes = {"candidates": [], "personal": [], "noCalls": []}
    for uid in audited:
        out, inn = out_map.get(uid, 0), in_map.get(uid, 0)
        key = "noCalls" if out + inn == 0 else ("candidates" if out < threshold else "personal")
        classes[key].append(by_id[uid]["userPrincipalName"])
    held = {}
    for n in numbers:
        u = by_id.get(n.get("assignedTo")) or by_upn.get(n.get("assignedTo"))
        if u and u["id"] in audited_set:
            held[u["userPrincipalName"]] = n["telephoneNumber"]
    out = {"threshold": threshold, "users": len(audited)}
    for key, upns in classes.items():
        out[key] = sorted(upns, key=str.lower)
    out["withoutTeamsPhone"] = sorted((by_id[uid]["userPrincipalName"] for uid in audited if uid not in teams_phone),
                                      key=str.lower)
    out["personalNumbers"] = held
    return out


def fix_anchor(fx, anchor):
    """Anchor the call history at a fixed UTC time instead of today 00:00 UTC."""
    fx["callHistory"]["relativeToNow"] = False
    fx["callHistory"]["anchor"] = anchor
    fx["_expected"]["anchor"] = anchor
    return fx


# The demo tenant of `make demo` (playbooks/demo/): three offices with one
# number type each, a few hundred users, some of them with personal numbers.
DEMO_SITES = [
    # (key, city, number type, service number, emergency callback numbers, capabilities)
    ("seattle", CITIES[1], "callingPlan", "+12065550100", ["+12065550101", "+12065550102"]),
    ("chicago", CITIES[2], "operatorConnect", "+13125550100", ["+13125550101"]),
    ("redmond", CITIES[0], "directRouting", "+14255550100", ["+14255550101"]),
]
DEMO_USERS_PER_SITE = 100


def demo_fixture(seed=7, weeks=4):
    """The demo tenant: three sites ready to be rolled out (no resource accounts, no
    custom policies yet), 300 users with Teams Phone in three groups, 25 of them
    with a personal Direct Routing number, and a seeded call history."""
    rng = random.Random(seed)
    fx = base_fixture()
    n_users = DEMO_USERS_PER_SITE * len(DEMO_SITES)
    fx["skus"] = skus(mcoev=n_users + 20, virtual=10, credits=10, payg=10, e3=n_users + 20)
    fx["policies"]["OnlinePstnUsages"] = [{"Identity": "Global", "Usage": ["National", "International", "US-DR"]}]
    fx["civicAddresses"], fx["groups"], fx["numbers"] = [], [], []
    for key, city, ntype, main, emergency in DEMO_SITES:
        fx["civicAddresses"].append(address(gid("demo-address", key), gid("demo-location", key),
                                            "%s office" % city[0], city))
        fx["groups"].append({"id": gid("demo-group", key), "displayName": "%s Shared Calling users" % city[0],
                             "members": []})
        extra = {} if ntype == "directRouting" else {"isoCountryCode": "US", "city": city[0]}
        fx["numbers"].append(dict({"telephoneNumber": main, "numberType": ntype,
                                   "capabilities": ["voiceApplicationAssignment"]}, **extra))
        for n in emergency:
            fx["numbers"].append(dict({"telephoneNumber": n, "numberType": ntype,
                                       "capabilities": ["userAssignment"]}, **extra))
    users, profiles, out_map, in_map = [], [], {}, {}
    for i in range(n_users):
        upn = "user%03d@contoso.com" % (i + 1)
        uid = gid("demo-user", i)
        site = i // DEMO_USERS_PER_SITE
        lic = ["ENTERPRISEPACK", "MCOEV"]
        users.append({"id": uid, "userPrincipalName": upn, "displayName": "User %03d" % (i + 1),
                      "usageLocation": "US", "assignedLicenses": lic, "accountEnabled": True})
        fx["groups"][site]["members"].append(uid)
        out, inn = rng.choice(OUT_PER_WEEK_TABLE), rng.choice(IN_PER_WEEK_TABLE)
        out_map[uid], in_map[uid] = out, inn
        profiles.append({"user": uid, "outPerWeek": out, "inPerWeek": inn, "route": "callingPlan"})
        # Every twelfth user keeps a personal number: Shared Calling will not apply to them.
        if i % 12 == 5:
            fx["numbers"].append({"telephoneNumber": "+1425556%04d" % i, "numberType": "directRouting",
                                  "assignedTo": uid, "locationId": gid("demo-location", "redmond")})
            profiles[-1]["route"] = "directRouting"
    fx["users"] = users
    fx["callHistory"] = {"relativeToNow": True, "weeks": weeks, "seed": seed, "profiles": profiles}
    fx["_expected"] = {"weeks": weeks, "seed": seed, "outPerWeekTable": OUT_PER_WEEK_TABLE,
                       "inPerWeekTable": IN_PER_WEEK_TABLE, "outboundPerWeek": out_map, "inboundPerWeek": in_map,
                       "usersBelow5OutboundPerWeek": sum(1 for v in out_map.values() if v < 5),
                       "audit": audit_expectation(users, out_map, in_map, fx["numbers"])}
    return fx


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--default", action="store_true", help="print the default tenant")
    p.add_argument("--demo", action="store_true", help="print the demo tenant of make demo")
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--sites", type=int, default=10)
    p.add_argument("--numbers", type=int, default=1200)
    p.add_argument("--weeks", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--anchor", metavar="ISO",
                   help="end the call history at this UTC time (e.g. 2025-01-06T00:00:00Z) instead of "
                        "today 00:00 UTC")
    p.add_argument("--output", "-o", help="write to FILE instead of stdout")
    a = p.parse_args(argv)
    if a.default:
        fx = default_fixture()
    elif a.demo:
        fx = demo_fixture()
    else:
        fx = generate(a.users, a.sites, a.numbers, a.weeks, a.seed)
    if a.anchor:
        fix_anchor(fx, a.anchor)
    text = json.dumps(fx, indent=1 if a.default else None, separators=(",", ": ") if a.default else (",", ":"))
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
