"""The in-memory tenant of the simulator: what a fixture loads and handlers change.

The :class:`Tenant` holds directory objects (users, resource accounts, groups),
licences, the phone number inventory, emergency addresses and locations, Teams
policies and their grants, auto attendants, number operations and call records.
Handlers in ``simgraph``/``simteams`` read and change it while holding
``Tenant.lock``.  Time-dependent behaviour (replication, licence propagation,
grant delay, running operations) is computed from timestamps and the current
settings, so nothing runs in the background.

The fixture format is documented in README.md ("Fixture format").
"""

import bisect
import copy
import datetime
import gc
import random
import threading
import time

from simcommon import (AA_APPLICATION_ID, ApiError, SKU_MCOPSTNC, b64url, country_of_number, is_guid, iso_utc, normalise_number,
                       parse_iso, stable_guid)

DEFAULT_SETTINGS = {
    "token_lifetime_s": 3599,
    "replication_delay_s": 0.0,
    "grant_delay_s": 0.0,
    "license_delay_s": 0.0,
    "lro_running_s": 0.0,
    # Graph policy assignment (userAssignments/assign|unassign): the most
    # entries one call takes (Microsoft documents none; 0 = no limit), and
    # the policy types it refuses (getPolicyId and assign answer 400).
    "policy_assign_max": 100,
    "policy_assign_refused_types": [],
}

OPERATOR_DIRECT_ROUTING = "7a205197-8e59-487d-b9fa-3fc1b108f1e5"
OPERATOR_MICROSOFT = stable_guid("operator", "Microsoft Calling Plan")
OPERATOR_CONNECT = stable_guid("operator", "Fabrikam Operator Connect")

NUMBER_TYPES = ("directRouting", "callingPlan", "operatorConnect")

# Teams policy types the simulator knows, with the default properties of an
# instance.  ``None`` as the schema means "any properties" (kept as given).
POLICY_SCHEMAS = {
    "TeamsSharedCallingRoutingPolicy": {"Description": "", "ResourceAccount": None, "EmergencyNumbers": []},
    "OnlineVoiceRoutingPolicy": {"Description": "", "OnlinePstnUsages": [], "RouteType": "BYOT"},
    "OnlinePstnUsages": {"Usage": []},
    "TeamsEmergencyCallRoutingPolicy": {"Description": "", "AllowEnhancedEmergencyServices": False,
                                        "EmergencyNumbers": []},
    "TeamsEmergencyCallingPolicy": None,
    "TeamsCallingPolicy": None,
    "TenantDialPlan": None,
    "OnlineVoiceRoute": None,
}
READ_ONLY_POLICY_PROPS = {"OnlineVoiceRoutingPolicy": {"RouteType"}}
GRANTABLE_TYPES = {"TeamsSharedCallingRoutingPolicy", "OnlineVoiceRoutingPolicy",
                   "TeamsEmergencyCallRoutingPolicy", "TeamsEmergencyCallingPolicy",
                   "TeamsCallingPolicy", "TenantDialPlan"}
# docs/design/rules.md#lim-7: group assignment is not supported for Emergency Call Routing.
NO_GROUP_GRANT_TYPES = {"TeamsEmergencyCallRoutingPolicy"}
# Types shown in effectivePolicyAssignments (Graph and Teams.User).
EFFECTIVE_TYPES = ("TeamsSharedCallingRoutingPolicy", "OnlineVoiceRoutingPolicy",
                   "TeamsEmergencyCallRoutingPolicy")

USER_FIELDS = ("id", "userPrincipalName", "displayName", "givenName", "surname", "mail",
               "jobTitle", "mobilePhone", "officeLocation", "preferredLanguage",
               "businessPhones", "accountEnabled", "usageLocation", "assignedLicenses",
               "createdDateTime", "department", "city", "country", "onPremisesSyncEnabled")
ADDRESS_FIELDS = ("companyName", "companyId", "description", "houseNumber", "houseNumberSuffix",
                  "preDirectional", "streetName", "streetSuffix", "postDirectional", "cityOrTown",
                  "cityOrTownAlias", "stateOrProvince", "countyOrDistrict", "postalOrZipCode",
                  "country", "latitude", "longitude", "elin")

CALL_FIELDS_DEFAULTS = {
    "charge": 0.0, "connectionCharge": 0.0, "currency": "USD", "destinationContext": None,
    "conferenceId": None, "licenseCapability": "MCOPSTNU", "inventoryType": "Subscriber",
    "operator": "Microsoft", "callDurationSource": "microsoft",
}


def policy_key(identity):
    """Normalise a policy identity: ``X``, ``Tag:X`` -> ``tag:x``; ``Global`` -> ``global``."""
    ident = (identity or "").strip()
    if ident.lower().startswith("tag:"):
        ident = ident[4:]
    if ident.lower() == "global":
        return "global"
    return "tag:" + ident.lower()


def policy_bare_name(identity):
    """``Tag:X`` -> ``X``; ``Global`` stays ``Global``."""
    ident = identity or ""
    return ident[4:] if ident.lower().startswith("tag:") else ident


def number_id(operator_id, number):
    """The Graph numberAssignment id: base64url of ``operatorId|+E164`` (docs/design/conventions.md#graph-id-formats)."""
    return b64url("%s|%s" % (operator_id, number))


def today_midnight_utc(now=None):
    """POSIX time of the start of the current UTC day."""
    now = time.time() if now is None else now
    d = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()
    return datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp()


class Tenant:
    """One tenant's state.  Build it with :meth:`from_fixture`."""

    def __init__(self):
        self.lock = threading.RLock()
        self.settings = dict(DEFAULT_SETTINGS)
        self.tenant_id = None
        self.display_name = "Contoso"
        self.country = "US"
        self.domains = []
        self.apps = {}
        self.skus = []
        self.users = {}
        self.upn_index = {}
        self.groups = {}
        self.numbers = {}
        self.number_ids = {}
        self.addresses = {}
        self.locations = {}
        self.policies = {}
        self.policy_ids = {}
        self.direct_grants = {}
        self.group_grants = {}
        self.auto_attendants = {}
        self.associations = {}
        self.operations = {}
        self.pstn_calls = []
        self.pstn_starts = []
        self.dr_calls = []
        self.dr_starts = []
        self.expected = None
        self.deleted_users = {}
        self._member_index = None
        self._by_target = {}
        self._calls_lock = threading.Lock()
        self._calls_built = False

    # ------------------------------------------------------------ loading --

    @classmethod
    def from_fixture(cls, fixture, settings=None):
        """Build a tenant from a fixture dict (raises ValueError on a bad fixture)."""
        t = cls()
        # Loading a large tenant makes millions of small objects; the cyclic
        # collector would rescan them over and over, so pause it meanwhile.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            t.load(fixture, settings)
        finally:
            if was_enabled:
                gc.enable()
        return t

    def load(self, fx, settings=None):
        """Load ``fx`` into this (empty) tenant; ``fx`` itself is never changed or kept
        (except ``_expected``, read only), so one fixture can seed many resets."""
        if not isinstance(fx, dict):
            raise ValueError("fixture must be a JSON object")
        if settings:
            self.settings.update(settings)
        ten = fx.get("tenant") or {}
        self.tenant_id = str(ten.get("id") or "").lower()
        if not is_guid(self.tenant_id):
            raise ValueError("fixture tenant.id must be a GUID")
        self.display_name = ten.get("displayName", "Contoso")
        self.country = ten.get("countryCode", "US")
        for d in ten.get("domains") or []:
            if isinstance(d, str):
                d = {"name": d}
            self.domains.append({"name": d["name"].lower(), "initial": bool(d.get("initial")),
                                 "verified": d.get("verified", True)})
        if not self.domains:
            raise ValueError("fixture tenant.domains must list at least one domain")
        for app in fx.get("apps") or []:
            a = {"clientId": app["clientId"].lower(), "displayName": app.get("displayName", "app"),
                 "secret": app.get("secret"), "secretExpired": bool(app.get("secretExpired")),
                 "certificates": list(app.get("certificates") or []),
                 "directoryRoles": list(app.get("directoryRoles") or []),
                 "graphPermissions": list(app.get("graphPermissions") or [])}
            self.apps[a["clientId"]] = a
        for s in fx.get("skus") or []:
            self.skus.append({
                "skuId": s["skuId"].lower(), "skuPartNumber": s["skuPartNumber"],
                "displayName": s.get("displayName", s["skuPartNumber"]),
                "appliesTo": s.get("appliesTo", "User"),
                "capabilityStatus": s.get("capabilityStatus", "Enabled"),
                "enabled": int(s.get("enabled", 0)), "suspended": int(s.get("suspended", 0)),
                "warning": int(s.get("warning", 0)), "lockedOut": int(s.get("lockedOut", 0)),
                "servicePlans": [{"servicePlanId": p["servicePlanId"].lower(),
                                  "servicePlanName": p["servicePlanName"],
                                  "appliesTo": p.get("appliesTo", "User")}
                                 for p in s.get("servicePlans") or []]})
        for u in fx.get("users") or []:
            self._load_user(u)
        for g in fx.get("groups") or []:
            gid = g["id"].lower()
            members = [self._resolve_ref(m) for m in g.get("members") or []]
            self.groups[gid] = {"id": gid, "displayName": g.get("displayName", gid),
                                "mailNickname": g.get("mailNickname", g.get("displayName", gid).replace(" ", "")),
                                "securityEnabled": g.get("securityEnabled", True),
                                "mailEnabled": g.get("mailEnabled", False),
                                "groupTypes": g.get("groupTypes", []),
                                "members": [m for m in members if m]}
        for a in fx.get("civicAddresses") or []:
            self._load_address(a)
        for loc in fx.get("locations") or []:
            self._load_location(loc)
        for n in fx.get("numbers") or []:
            self._load_number(n)
        self._load_policies(fx.get("policies") or {})
        grants = fx.get("grants") or {}
        for g in grants.get("direct") or []:
            oid = self._resolve_ref(g["objectId"]) if "objectId" in g else self._resolve_ref(g["user"])
            self.direct_grants[(oid, g["policyType"])] = [[0.0, policy_bare_name(g["policyName"])]]
        for g in grants.get("group") or []:
            self.group_grants[(g["groupId"].lower(), g["policyType"])] = [
                [0.0, {"name": policy_bare_name(g["policyName"]), "rank": int(g.get("rank", 1))}]]
        for aa in fx.get("autoAttendants") or []:
            self.auto_attendants[aa["id"].lower()] = copy.deepcopy(aa)
        for asc in fx.get("associations") or []:
            self.associations[asc["id"].lower()] = copy.deepcopy(asc)
        self._load_calls(fx)
        self.expected = fx.get("_expected")
        for k, v in (fx.get("settings") or {}).items():
            if k in DEFAULT_SETTINGS and not (settings and k in settings):
                self.settings[k] = v

    def _resolve_ref(self, ref):
        """A user reference in a fixture: object id or UPN -> object id (lower)."""
        if not ref:
            return None
        ref = ref.lower()
        if ref in self.users:
            return ref
        return self.upn_index.get(ref)

    def sku_by_ref(self, ref):
        """Find a SKU by id or part number."""
        low = str(ref).lower()
        for s in self.skus:
            if s["skuId"] == low or s["skuPartNumber"].lower() == low:
                return s
        return None

    def _load_user(self, u):
        uid = u["id"].lower()
        rec = {k: (copy.deepcopy(u[k]) if isinstance(u[k], (list, dict)) else u[k]) for k in USER_FIELDS if k in u}
        rec["id"] = uid
        rec.setdefault("displayName", u["userPrincipalName"].split("@")[0])
        rec.setdefault("accountEnabled", u.get("accountType") != "resourceAccount")
        rec.setdefault("usageLocation", None)
        rec.setdefault("businessPhones", [])
        rec.setdefault("createdDateTime", "2024-01-15T09:00:00Z")
        lic = []
        for entry in u.get("assignedLicenses") or []:
            if isinstance(entry, str):
                entry = {"skuId": entry, "disabledPlans": []}
            sku = self.sku_by_ref(entry["skuId"])
            if not sku:
                raise ValueError("user %s: unknown licence %s" % (u["userPrincipalName"], entry["skuId"]))
            lic.append({"skuId": sku["skuId"], "disabledPlans": [p.lower() for p in entry.get("disabledPlans", [])]})
        rec["assignedLicenses"] = lic
        rec["_licenseTimes"] = {l["skuId"]: 0.0 for l in lic}
        rec["accountType"] = u.get("accountType", "user")
        rec["applicationId"] = u.get("applicationId", AA_APPLICATION_ID if rec["accountType"] == "resourceAccount" else None)
        rec["isEnterpriseVoiceEnabled"] = bool(u.get("isEnterpriseVoiceEnabled", False))
        rec["onPremisesLineUri"] = u.get("onPremisesLineUri")
        rec["_created"] = 0.0
        rec["_modified"] = rec["createdDateTime"]
        self.users[uid] = rec
        self.upn_index[rec["userPrincipalName"].lower()] = uid

    def _load_address(self, a):
        aid = a["id"].lower()
        rec = {k: a.get(k, "") for k in ADDRESS_FIELDS}
        rec["elin"] = a.get("elin")
        rec["companyId"] = a.get("companyId")
        rec["id"] = aid
        rec["validationStatus"] = a.get("validationStatus", "Validated")
        rec["defaultLocationId"] = (a.get("defaultLocationId") or stable_guid("location", aid)).lower()
        self.addresses[aid] = rec
        self.locations[rec["defaultLocationId"]] = {
            "id": rec["defaultLocationId"], "civicAddressId": aid, "location": "",
            "elin": None, "isDefault": True}

    def _load_location(self, loc):
        lid = loc["id"].lower()
        cid = loc["civicAddressId"].lower()
        if cid not in self.addresses:
            raise ValueError("location %s: unknown civic address %s" % (lid, cid))
        self.locations[lid] = {"id": lid, "civicAddressId": cid, "location": loc.get("location", ""),
                               "elin": loc.get("elin"), "isDefault": False}

    def _load_number(self, n):
        num = normalise_number(n["telephoneNumber"])
        ntype = n.get("numberType", "directRouting")
        if ntype not in NUMBER_TYPES:
            raise ValueError("number %s: bad numberType %s" % (num, ntype))
        target = n.get("assignmentTargetId") or n.get("assignedTo")
        target = self._resolve_ref(target) if target else None
        rec = self.new_number(num, ntype, n.get("capabilities"), n.get("isoCountryCode"),
                              n.get("city"), n.get("operatorId"))
        rec["numberSource"] = n.get("numberSource", "online")
        rec["portInStatus"] = n.get("portInStatus")
        if n.get("locationId"):
            self.set_number_location(rec, n["locationId"].lower())
        if target:
            user = self.users[target]
            self.set_number_target(rec, target, "voiceApplicationAssigned" if user["accountType"] ==
                                   "resourceAccount" else "userAssigned", n.get("assignmentCategory", "primary"))
            user["isEnterpriseVoiceEnabled"] = True

    def new_number(self, num, ntype, capabilities=None, country=None, city=None, operator=None):
        """Add an unassigned number to the inventory and return its record."""
        if operator is None:
            operator = {"directRouting": OPERATOR_DIRECT_ROUTING, "callingPlan": OPERATOR_MICROSOFT,
                        "operatorConnect": OPERATOR_CONNECT}[ntype]
        if capabilities is None:
            capabilities = (["userAssignment"] if ntype != "directRouting"
                            else ["conferenceAssignment", "voiceApplicationAssignment", "userAssignment"])
        if country is None and ntype != "directRouting":
            country = country_of_number(num)
        rec = {
            "id": number_id(operator.lower(), num), "telephoneNumber": num, "operatorId": operator.lower(),
            "numberType": ntype, "activationState": "activated", "capabilities": list(capabilities),
            "locationId": None, "civicAddressId": None, "networkSiteId": None,
            "assignmentTargetId": None, "assignmentCategory": None, "portInStatus": None,
            "assignmentStatus": "unassigned", "isoCountryCode": country, "city": city,
            "numberSource": "online",
            "supportedCustomerActions": (["locationUpdate", "release"] if ntype != "directRouting"
                                         else ["locationUpdate"]),
            "reverseNumberLookupOptions": [], "_pendingUntil": 0.0,
        }
        self.numbers[num] = rec
        self.number_ids[rec["id"]] = num
        return rec

    def _load_policies(self, pol):
        for ptype, schema in POLICY_SCHEMAS.items():
            self.policies[ptype] = {}
            self.put_policy(ptype, "Global", {})
        for ptype, instances in pol.items():
            if ptype not in POLICY_SCHEMAS:
                raise ValueError("unknown policy type %s" % ptype)
            for inst in instances:
                ident = inst.get("Identity", "Global")
                props = {k: copy.deepcopy(v) for k, v in inst.items() if k != "Identity"}
                self.put_policy(ptype, ident, props)
        for inst in self.policies["TeamsSharedCallingRoutingPolicy"].values():
            self.mark_emergency_numbers(inst, [], inst.get("EmergencyNumbers") or [])

    def put_policy(self, ptype, identity, props):
        """Create or replace an instance (props merged over the defaults)."""
        key = policy_key(identity)
        ident = "Global" if key == "global" else "Tag:" + policy_bare_name(identity)
        schema = POLICY_SCHEMAS[ptype]
        obj = {"Identity": ident}
        obj.update(copy.deepcopy(schema or {"Description": ""}))
        obj.update(props)
        self.policies[ptype][key] = obj
        self.policy_ids[(ptype, key)] = stable_guid("policy", ptype, key)
        return obj

    def _load_calls(self, fx):
        """Resolve the call sources now; rows are built on first use (:meth:`_build_calls`).

        A ``callHistory`` anchor is fixed here (today 00:00 UTC with
        ``relativeToNow``), and each profile's user is captured, so deleting
        a user later does not change the history.
        """
        hist = fx.get("callHistory")
        plan = None
        if hist:
            weeks = int(hist.get("weeks", 4))
            if hist.get("relativeToNow", True) or not hist.get("anchor"):
                anchor = today_midnight_utc()
            else:
                anchor = parse_iso(hist["anchor"])
            self.call_window = (anchor - weeks * 7 * 86400, anchor)
            profiles = []
            for prof in hist.get("profiles") or []:
                uid = self._resolve_ref(prof["user"])
                if not uid:
                    raise ValueError("callHistory: unknown user %s" % prof["user"])
                user = self.users[uid]
                route = prof.get("route", "callingPlan")
                info = (uid, user["userPrincipalName"], user.get("displayName"),
                        user.get("usageLocation") or "US", route)
                profiles.append((info, int(prof.get("outPerWeek", 0)), int(prof.get("inPerWeek", 0))))
            plan = (anchor, weeks, hist.get("seed", 1), profiles)
        self._call_sources = (fx.get("pstnCalls") or [], fx.get("directRoutingCalls") or [], plan)
        self._calls_built = False

    def prepare_in_background(self):
        """Start expanding the call history in a daemon thread (see :meth:`_build_calls`)."""
        threading.Thread(target=self._build_calls, name="tenantsim-calls", daemon=True).start()

    def _build_calls(self):
        """Expand the call history once (a large tenant has millions of rows)."""
        with self._calls_lock:
            if not self._calls_built:
                self._build_calls_locked()

    def _build_calls_locked(self):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            pstn_src, dr_src, hist = self._call_sources
            # Rows are (start, unique seq, payload); explicit rows get negative
            # seqs so tuples never compare their payloads.
            rows = [(parse_iso(r["startDateTime"]), -1 - i, dict(r)) for i, r in enumerate(pstn_src)]
            dr_rows = [(parse_iso(r["startDateTime"]), -1 - i, dict(r)) for i, r in enumerate(dr_src)]
            if hist:
                synth_pstn, synth_dr = self._synthesise_calls(hist)
                rows.extend(synth_pstn)
                dr_rows.extend(synth_dr)
            rows.sort()
            dr_rows.sort()
            self.pstn_calls = rows
            self.pstn_starts = [r[0] for r in rows]
            self.dr_calls = dr_rows
            self.dr_starts = [r[0] for r in dr_rows]
            self._calls_built = True
        finally:
            if was_enabled:
                gc.enable()

    @staticmethod
    def _synthesise_calls(plan):
        """Expand a ``callHistory`` plan into compact call rows.

        Each profile ``{"user": id|upn, "outPerWeek": n, "inPerWeek": m, "route":
        "callingPlan"|"directRouting"}`` gives the user exactly n outbound and m
        inbound calls in each of ``weeks`` weeks ending at ``anchor`` (or today's
        00:00 UTC with ``relativeToNow``), placed by a RNG seeded with ``seed``.
        Rows are kept as tuples and turned into JSON only when served.
        """
        anchor, weeks, seed, profiles = plan
        rand = random.Random(seed).random
        span = 7 * 86400 - 3600
        pstn, dr = [], []
        seq = 0
        for info, n_out, n_in in profiles:
            out = dr if info[4] == "directRouting" else pstn
            for w in range(weeks):
                wstart = anchor - (weeks - w) * 7 * 86400
                for kind, n in (("out", n_out), ("in", n_in)):
                    for _ in range(n):
                        seq += 1
                        start = float(int(wstart + rand() * span))
                        duration = 20 + int(rand() * 1780)
                        other = "+1425555%04d" % int(rand() * 10000)
                        out.append((start, seq, ("synth", info, kind, duration, other, seq)))
        return pstn, dr

    # --------------------------------------------------------------- dump --

    def dump(self):
        """The whole state as JSON-able data (``GET /_sim/state``)."""
        def clean(d):
            return {k: v for k, v in d.items() if not k.startswith("_")}
        now = time.time()
        return {
            "tenant": {"id": self.tenant_id, "displayName": self.display_name, "domains": self.domains},
            "settings": dict(self.settings),
            "apps": [{k: v for k, v in a.items() if k not in ("secret",)} for a in self.apps.values()],
            "skus": [self.sku_view(s) for s in self.skus],
            "users": [dict(clean(u), licenseTimes=u["_licenseTimes"],
                           visibleToTeams=self.visible_to_teams(u)) for u in self.users.values()],
            "deletedUsers": [clean(u) for u in self.deleted_users.values()],
            "groups": list(self.groups.values()),
            "numbers": [self.number_view(n) for n in self.numbers.values()],
            "civicAddresses": list(self.addresses.values()),
            "locations": list(self.locations.values()),
            "policies": {t: list(p.values()) for t, p in self.policies.items()},
            "grants": {
                "direct": [{"objectId": k[0], "policyType": k[1], "history": v} for k, v in self.direct_grants.items()],
                "group": [{"groupId": k[0], "policyType": k[1], "history": v} for k, v in self.group_grants.items()],
            },
            "autoAttendants": list(self.auto_attendants.values()),
            "associations": list(self.associations.values()),
            "operations": [self.operation_view(o, now, peek=True) for o in self.operations.values()],
            "callRecords": ({"pstn": len(self.pstn_calls), "directRouting": len(self.dr_calls)}
                            if self._calls_built else "built on first call-records request"),
            "_expected": self.expected,
        }

    # -------------------------------------------------------------- users --

    def find_user(self, ref):
        """A live user or resource account by object id or UPN (or None)."""
        if not isinstance(ref, str):
            return None
        low = ref.lower()
        uid = low if low in self.users else self.upn_index.get(low)
        return self.users.get(uid) if uid else None

    def groups_of(self, uid):
        """Ids of the groups ``uid`` is a direct member of (index rebuilt when stale)."""
        if self._member_index is None:
            index = {}
            for g in self.groups.values():
                for m in g["members"]:
                    index.setdefault(m, set()).add(g["id"])
            self._member_index = index
        return self._member_index.get(uid, ())

    def visible_to_teams(self, user):
        """False while a new resource account is still replicating to Teams."""
        return time.time() - user["_created"] >= float(self.settings["replication_delay_s"])

    def has_license(self, user, sku_ids, effective=True):
        """True when the user holds one of ``sku_ids`` (provisioned when ``effective``)."""
        now = time.time()
        for lic in user["assignedLicenses"]:
            if lic["skuId"] in sku_ids:
                if not effective:
                    return True
                if now - user["_licenseTimes"].get(lic["skuId"], 0.0) >= float(self.settings["license_delay_s"]):
                    return True
        return False

    def calling_plan_skus(self):
        """Ids of SKUs that are calling plans (``MCOPSTN*`` except credits)."""
        return {s["skuId"] for s in self.skus
                if s["skuPartNumber"].upper().startswith("MCOPSTN") and s["skuId"] != SKU_MCOPSTNC
                and s["skuPartNumber"].upper() != "MCOPSTNC"}

    def payg_skus(self):
        """Ids of Pay-As-You-Go Calling Plan SKUs (part number contains PAYG)."""
        return {s["skuId"] for s in self.skus if "PAYG" in s["skuPartNumber"].upper()}

    def consumed(self, sku_id):
        """Licences of ``sku_id`` held by live users."""
        return sum(1 for u in self.users.values()
                   for l in u["assignedLicenses"] if l["skuId"] == sku_id)

    def sku_view(self, s):
        """A subscribedSku object."""
        return {
            "id": "%s_%s" % (self.tenant_id, s["skuId"]), "skuId": s["skuId"],
            "skuPartNumber": s["skuPartNumber"], "appliesTo": s["appliesTo"],
            "capabilityStatus": s["capabilityStatus"], "consumedUnits": self.consumed(s["skuId"]),
            "prepaidUnits": {"enabled": s["enabled"], "suspended": s["suspended"],
                             "warning": s["warning"], "lockedOut": s["lockedOut"]},
            "servicePlans": [{"servicePlanId": p["servicePlanId"], "servicePlanName": p["servicePlanName"],
                              "provisioningStatus": "Success", "appliesTo": p["appliesTo"]}
                             for p in s["servicePlans"]],
        }

    def user_numbers(self, uid):
        """Numbers assigned to a user or resource account (or listed by a policy)."""
        return [self.numbers[k] for k in sorted(self._by_target.get(uid, ()))]

    def set_number_target(self, n, target, status="unassigned", category="primary"):
        """Assign number ``n`` to ``target`` (None unassigns), keeping the target index."""
        old = n["assignmentTargetId"]
        if old:
            self._by_target.get(old, set()).discard(n["telephoneNumber"])
        n["assignmentTargetId"] = target
        n["assignmentStatus"] = status if target else "unassigned"
        n["assignmentCategory"] = category if target else None
        if target:
            self._by_target.setdefault(target, set()).add(n["telephoneNumber"])

    def create_user(self, upn, display_name, account_type, application_id=None):
        """Create a user/resource account now (replication starts now)."""
        uid = stable_guid("user", upn.lower(), str(time.time()))
        now = time.time()
        rec = {"id": uid, "userPrincipalName": upn, "displayName": display_name,
               "accountEnabled": account_type != "resourceAccount", "usageLocation": None,
               "assignedLicenses": [], "businessPhones": [], "mail": None, "givenName": None,
               "surname": None, "jobTitle": None, "mobilePhone": None, "officeLocation": None,
               "preferredLanguage": None, "createdDateTime": iso_utc(now),
               "_licenseTimes": {}, "accountType": account_type, "applicationId": application_id,
               "isEnterpriseVoiceEnabled": False, "onPremisesLineUri": None,
               "_created": now, "_modified": iso_utc(now)}
        self.users[uid] = rec
        self.upn_index[upn.lower()] = uid
        return rec

    def delete_user(self, uid):
        """Delete a user: licences freed, grants and memberships dropped.

        Its numbers stay assigned to the deleted id with activationState
        ``assignmentPending`` (the real service can leave them pending).
        """
        user = self.users.pop(uid)
        self.upn_index.pop(user["userPrincipalName"].lower(), None)
        self.deleted_users[uid] = user
        for key in [k for k in self.direct_grants if k[0] == uid]:
            del self.direct_grants[key]
        for gid in list(self.groups_of(uid)):
            self.groups[gid]["members"].remove(uid)
        self._member_index = None
        self.associations.pop(uid, None)
        for aa in self.auto_attendants.values():
            if uid in aa.get("applicationInstances", []):
                aa["applicationInstances"].remove(uid)
        for n in self.user_numbers(uid):
            n["_pendingUntil"] = float("inf")

    # ------------------------------------------------------------ numbers --

    def find_number(self, text):
        """A number record by E.164 text (``+`` optional) or None."""
        num = normalise_number(text)
        return self.numbers.get(num) if num else None

    def number_view(self, n):
        """The numberAssignment object of a number."""
        out = {k: (list(v) if isinstance(v, list) else v) for k, v in n.items() if not k.startswith("_")}
        if time.time() < n["_pendingUntil"]:
            out["activationState"] = "assignmentPending"
        return out

    def set_number_location(self, n, location_id):
        """Set (or clear with None) the emergency location of a number."""
        if location_id:
            loc = self.locations[location_id]
            n["locationId"] = location_id
            n["civicAddressId"] = loc["civicAddressId"]
        else:
            n["locationId"] = None
            n["civicAddressId"] = None

    def number_country(self, n):
        """The country of a number: ``isoCountryCode`` or from its calling code."""
        return (n.get("isoCountryCode") or country_of_number(n["telephoneNumber"]) or "").upper()

    def emergency_owner(self, number):
        """The Shared Calling policy (object) listing ``number``, or None."""
        for inst in self.policies["TeamsSharedCallingRoutingPolicy"].values():
            if number in (inst.get("EmergencyNumbers") or []):
                return inst
        return None

    def mark_emergency_numbers(self, inst, old, new):
        """Reflect a policy's emergency numbers in the inventory (docs/design/conventions.md#emergency-number-target).

        Numbers added show ``policyAssigned`` with target
        ``TeamsSharedCallingRoutingPolicy|Tag:{name}``; numbers removed become
        unassigned.  A Direct Routing number not yet in the inventory is added.
        """
        target = "TeamsSharedCallingRoutingPolicy|%s" % inst["Identity"]
        for num in old:
            if num not in new:
                n = self.numbers.get(num)
                if n and n["assignmentTargetId"] == target:
                    self.set_number_target(n, None)
        for num in new:
            n = self.numbers.get(num) or self.new_number(num, "directRouting")
            self.set_number_target(n, target, "policyAssigned")

    # -------------------------------------------------------------- edits --

    def edit(self, req):
        """``POST /_sim/edit``: change an object behind the client's back, as an
        administrator in the Teams admin center would, without the service's
        rules (that is the point: drift).  ``req`` names the object and the
        fields to set, which must already exist on it::

            {"kind": "policy", "type": "TeamsSharedCallingRoutingPolicy",
             "identity": "SC-Seattle", "set": {"Description": "changed"}}
            {"kind": "number", "telephoneNumber": "+12065550100", "set": {"locationId": null}}
            {"kind": "user", "id": "adele@contoso.com", "set": {"usageLocation": "GB"}}
            {"kind": "address", "id": "<civicAddressId>", "set": {"description": "x"}}
            {"kind": "auto_attendant", "id": "<id>", "set": {"name": "x"}}

        Returns the object as edited; raises ApiError 400/404 otherwise.
        """
        kind, fields = req.get("kind"), req.get("set")
        if not isinstance(fields, dict) or not fields:
            raise ApiError(400, "edit needs \"set\": {field: value, ...}")
        with self.lock:
            if kind == "policy":
                obj = self.get_policy(req.get("type"), req.get("identity"))
            elif kind == "number":
                obj = self.numbers.get(req.get("telephoneNumber"))
            elif kind == "user":
                obj = self.find_user(req.get("id"))
            elif kind == "address":
                obj = self.addresses.get(str(req.get("id") or "").lower())
            elif kind == "auto_attendant":
                obj = self.auto_attendants.get(str(req.get("id") or "").lower())
            else:
                raise ApiError(400, "kind must be one of policy, number, user, address, auto_attendant")
            if obj is None:
                raise ApiError(404, "no such %s" % kind)
            unknown = sorted(k for k in fields if k.startswith("_") or k not in obj)
            if unknown:
                raise ApiError(400, "%s has no field(s) %s" % (kind, ", ".join(unknown)))
            obj.update(fields)
            return {k: v for k, v in obj.items() if not k.startswith("_")}

    # ----------------------------------------------------------- policies --

    def get_policy(self, ptype, identity):
        """A policy instance by identity (``X``, ``Tag:X``, ``Global``) or None."""
        return self.policies.get(ptype, {}).get(policy_key(identity))

    def policy_id(self, ptype, identity):
        """The opaque policy id (Graph ``policyId``) of an instance."""
        return self.policy_ids.get((ptype, policy_key(identity)))

    @staticmethod
    def _history_value(hist, now):
        value = None
        for at, val in hist:
            if at <= now:
                value = val
        return value

    @staticmethod
    def _history_push(hist, value, at, now):
        # Keep the last entry already in effect and everything after it.
        keep = 0
        for i, (t, _) in enumerate(hist):
            if t <= now:
                keep = i
        del hist[:keep]
        hist.append([at, value])

    def grant_direct(self, uid, ptype, name):
        """Record a direct grant (``name`` None removes it), effective after grant_delay_s."""
        now = time.time()
        hist = self.direct_grants.setdefault((uid, ptype), [])
        self._history_push(hist, name, now + float(self.settings["grant_delay_s"]), now)

    def grant_group(self, gid, ptype, value):
        """Record a group grant ``{"name","rank"}`` (None removes it)."""
        now = time.time()
        hist = self.group_grants.setdefault((gid, ptype), [])
        self._history_push(hist, value, now + float(self.settings["grant_delay_s"]), now)

    def latest_direct(self, uid, ptype):
        """The last direct grant written (pending included) or None."""
        hist = self.direct_grants.get((uid, ptype))
        return hist[-1][1] if hist else None

    def latest_group(self, gid, ptype):
        """The last group grant written (pending included) or None."""
        hist = self.group_grants.get((gid, ptype))
        return hist[-1][1] if hist else None

    def group_grants_of_type(self, ptype):
        """Current (latest written) group grants of a type: [(gid, {"name","rank"})]."""
        out = []
        for (gid, t), hist in self.group_grants.items():
            if t == ptype and hist and hist[-1][1]:
                out.append((gid, hist[-1][1]))
        out.sort(key=lambda x: x[1]["rank"])
        return out

    def policy_in_use(self, ptype, identity):
        """Describe who still holds a grant of the instance (or None)."""
        name = policy_bare_name(self.get_policy(ptype, identity)["Identity"]).lower()
        users = [k[0] for k, h in self.direct_grants.items()
                 if k[1] == ptype and h and (h[-1][1] or "").lower() == name]
        groups = [k[0] for k, h in self.group_grants.items()
                  if k[1] == ptype and h and h[-1][1] and h[-1][1]["name"].lower() == name]
        if users or groups:
            return users, groups
        return None

    def effective_policy(self, uid, ptype):
        """(assignmentType, bare name, groupId) in effect now: direct > group (lowest rank) > Global."""
        now = time.time()
        hist = self.direct_grants.get((uid, ptype))
        if hist:
            name = self._history_value(hist, now)
            if name and self.get_policy(ptype, name):
                return "direct", policy_bare_name(self.get_policy(ptype, name)["Identity"]), None
        best = None
        for gid in self.groups_of(uid):
            g = self.groups[gid]
            hist = self.group_grants.get((g["id"], ptype))
            val = self._history_value(hist, now) if hist else None
            if val and self.get_policy(ptype, val["name"]):
                if best is None or val["rank"] < best[0]:
                    best = (val["rank"], val["name"], g["id"])
        if best:
            return "group", policy_bare_name(self.get_policy(ptype, best[1])["Identity"]), best[2]
        return None, "Global", None

    # --------------------------------------------------------- locations --

    def location_view(self, loc, counts=False):
        """A ``/Skype.Ncs/locations`` row: location merged with its address."""
        a = self.addresses[loc["civicAddressId"]]
        out = {"id": loc["id"], "civicAddressId": a["id"], "tenantId": self.tenant_id,
               "description": a.get("description", ""), "location": loc.get("location", ""),
               "isDefault": loc["isDefault"], "partnerId": None}
        for k in ADDRESS_FIELDS:
            if k not in ("description", "elin"):
                out[k] = a.get(k)
        out["confidence"] = None
        out["elin"] = loc.get("elin") if loc.get("elin") is not None else a.get("elin")
        out["validationStatus"] = a.get("validationStatus")
        if counts:
            nums = [n for n in self.numbers.values() if n["locationId"] == loc["id"]]
            out["numberOfTelephoneNumbers"] = len(nums)
            out["numberOfVoiceUsers"] = len([n for n in nums if n["assignmentStatus"] == "userAssigned"])
        else:
            out["numberOfVoiceUsers"] = -1
            out["numberOfTelephoneNumbers"] = -1
        return out

    def address_view(self, a):
        """A civic address object (simulator convention: id, defaultLocationId, fields)."""
        out = {"id": a["id"], "defaultLocationId": a["defaultLocationId"], "tenantId": self.tenant_id}
        for k in ADDRESS_FIELDS:
            out[k] = a.get(k)
        out["confidence"] = None
        out["validationStatus"] = a["validationStatus"]
        return out

    # ---------------------------------------------------------- operations --

    def add_operation(self, kind, number, ok, detail):
        """Record a number operation; returns its id (base64url ``Kind|guid``)."""
        op_id = b64url("%s|%s" % (kind, stable_guid("op", number or "", str(time.time()), str(len(self.operations)))))
        now = time.time()
        self.operations[op_id] = {
            "id": op_id, "created": now, "running_s": float(self.settings["lro_running_s"]),
            "number": number, "ok": ok, "detail": detail, "seen_running": False,
            "numberId": self.numbers[number]["id"] if number in self.numbers else None,
        }
        return op_id

    def operation_view(self, op, now, base="", peek=False):
        """The telephoneNumberLongRunningOperation as of ``now``.

        With ``lro_running_s`` R > 0 it reads ``notStarted`` for the first R/4
        seconds, ``running`` until R, then its outcome; the first read after R
        still says ``running`` if no earlier read did, so a poller always sees
        ``running`` at least once.
        """
        elapsed = now - op["created"]
        r = op["running_s"]
        if r <= 0:
            status = None
        elif elapsed < r / 4.0:
            status = "notStarted"
        elif elapsed < r or not op["seen_running"]:
            status = "running"
            if not peek:
                op["seen_running"] = True
        else:
            status = None
        final = status is None
        if final:
            status = "succeeded" if op["ok"] else "failed"
        num = {"resourceLocation": "%s/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/%s"
                                   % (base, op["numberId"] or b64url(op["number"] or "")),
               "status": status}
        if final and not op["ok"]:
            num["statusDetail"] = op["detail"]
        return {"id": op["id"], "createdDateTime": iso_utc(op["created"]), "status": status, "numbers": [num]}

    # -------------------------------------------------------- call records --

    def call_rows(self, kind, start, end, end_inclusive=True):
        """Call rows (compact) with start time in [start, end] (or [start, end))."""
        self._build_calls()
        rows, starts = (self.pstn_calls, self.pstn_starts) if kind == "pstn" else (self.dr_calls, self.dr_starts)
        lo = bisect.bisect_left(starts, start)
        hi = bisect.bisect_right(starts, end) if end_inclusive else bisect.bisect_left(starts, end)
        return rows, lo, hi

    def call_row_view(self, row, kind):
        """Turn a compact call row into a pstnCallLogRow / directRoutingLogRow."""
        start, _, payload = row
        if isinstance(payload, dict):
            return payload
        _, info, direction, duration, other, seq = payload
        uid, upn, name, country, route = info
        out = direction == "out"
        main = {
            "id": stable_guid("call", self.tenant_id, str(seq)),
            "userId": uid, "userPrincipalName": upn, "userDisplayName": name,
            "startDateTime": iso_utc(start), "endDateTime": iso_utc(start + duration), "duration": duration,
            "calleeNumber": other if out else "+14255550000",
            "callerNumber": other,
        }
        if kind == "dr":
            main.update({"id": stable_guid("drcall", self.tenant_id, str(seq)),
                         "correlationId": stable_guid("corr", str(seq)), "inviteDateTime": iso_utc(start - 2),
                         "failureDateTime": None, "callType": "ByotOut" if out else "ByotIn",
                         "successfulCall": True, "mediaPathLocation": "USWE", "signalingLocation": "USWE",
                         "mediaBypassEnabled": False, "finalSipCode": 0, "finalSipCodePhrase": "BYE",
                         "callEndSubReason": 0, "trunkFullyQualifiedDomainName": "sbc.contoso.com"})
            return main
        main.update(CALL_FIELDS_DEFAULTS)
        main.update({"callId": "%d_%d@sim" % (seq, int(start)), "callType": "user_out" if out else "user_in",
                     "usageCountryCode": country, "tenantCountryCode": self.country,
                     "destinationContext": "Domestic" if out else None,
                     "destinationName": "United States", "charge": round(duration / 60 * 0.02, 2) if out else 0.0})
        return main
