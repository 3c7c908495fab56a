"""Microsoft Graph as served by the tenant simulator (paths below ``/graph``).

Endpoints (docs/design/services.md#graph): users and licences, subscribedSkus, groups, the Teams
telephone number management API with its long-running operations, Teams user
configurations, Graph policy assignment, PSTN and Direct Routing call records,
and ``$batch``.  Each handler checks the application permission of docs/design/auth.md#permissions
first, then the rules of docs/design/rules.md#numbers-licences-accounts, and answers with Graph's error shape.
"""

import json
import re
import time
import urllib.parse

from simcommon import (ApiError, Response, is_guid, iso_utc, normalise_number, parse_iso,
                       valid_e164)
from simodata import apply_select, compile_filter, filter_uses, parse_select
from simstate import EFFECTIVE_TYPES, GRANTABLE_TYPES, NUMBER_TYPES, policy_bare_name

TNM = "/v1.0/admin/teams/telephonenumbermanagement"

# Accepted application permissions per endpoint (docs/design/auth.md#permissions).  The message
# of a 403 lists them in this order.
PERM_USER_READ = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
PERM_USER_WRITE = ("User.ReadWrite.All", "Directory.ReadWrite.All")
PERM_SKUS = ("Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All",
             "Directory.ReadWrite.All")
PERM_LICENSE = ("LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All")
PERM_NUMBERS_READ = ("TeamsTelephoneNumber.ReadWrite.All", "TeamsTelephoneNumber.Read.All")
PERM_NUMBERS_WRITE = ("TeamsTelephoneNumber.ReadWrite.All",)
PERM_USERCONFIG = ("TeamsUserConfiguration.Read.All",)
PERM_POLICY = ("TeamsPolicyUserAssign.ReadWrite.All",)
PERM_PSTN_CALLS = ("CallRecords.Read.All",)
PERM_DR_CALLS = ("CallRecord-PstnCalls.Read.All", "CallRecords.Read.All")
PERM_GROUPS = ("GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All")

USER_DEFAULT_SELECT = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                       "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id")
USER_PROPERTIES = {p.lower() for p in USER_DEFAULT_SELECT + (
    "accountEnabled", "usageLocation", "assignedLicenses", "createdDateTime", "department", "city",
    "country", "onPremisesSyncEnabled", "userType", "assignedPlans", "proxyAddresses")}
_UPN_EQ = re.compile(r"^userPrincipalName eq '([^']*)'$")
# Properties a users $filter can test (response casing).
USER_PROPERTIES_CASED = ("accountEnabled", "usageLocation", "assignedLicenses", "createdDateTime", "department",
                         "city", "country", "userType") + USER_DEFAULT_SELECT
USER_PATCHABLE = {"usageLocation", "displayName", "accountEnabled", "givenName", "surname", "jobTitle",
                  "department", "officeLocation", "mobilePhone", "preferredLanguage", "businessPhones",
                  "city", "country"}

PLAN_TEAMS_PHONE = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7"
PLAN_VIRTUAL_USER = "f47330e9-c134-43b3-9993-e7f004506889"
TYPE_WORD = {"callingPlan": "CallingPlan", "directRouting": "DirectRouting", "operatorConnect": "OperatorConnect"}

N1 = "Telephone Number '%s' has already been assigned to another user"
N2 = "Telephone Number '%s' is not found from tenant '%s'"
N3 = "User '%s' lacks appropriate licenses to assign a '%s' number"
NOT_FOUND_USER = "The user '%s' is not found"


# ------------------------------------------------------------------ helpers --

def need(req, perms):
    """403 ``forbidden`` unless the token's ``roles`` hold one of ``perms``."""
    roles = set(req.claims.get("roles") or [])
    if roles.intersection(perms):
        return
    raise ApiError(403, "Insufficient permission(s) for the request. API requires any of the following "
                        "permission(s): %s." % ",".join(perms), "forbidden",
                   extra={"code": "Forbidden", "message": None, "target": None,
                          "additionalData": {"action": "Add the required roles/permissions and try again."}})


def check_keys(data, allowed, what):
    """400 for a body key outside ``allowed`` (exact casing)."""
    for k in data:
        if k not in allowed:
            raise bad("Unknown property '%s' for %s. Known properties: %s." % (k, what, ", ".join(sorted(allowed))))


def bad(message, code="BadRequest"):
    """A 400 with Graph's shape."""
    return ApiError(400, message, code)


def resource_not_found(ref):
    """Graph's 404 for a directory object."""
    return ApiError(404, "Resource '%s' does not exist or one of its queried reference-property objects are "
                         "not present." % ref, "Request_ResourceNotFound")


def body_object(req):
    """The JSON body, which must be an object."""
    data = req.json()
    if not isinstance(data, dict):
        raise bad("The request body must be a JSON object.")
    return data


def int_param(req, name, default, lo, hi, message=None, code="BadRequest"):
    """An integer query option within [lo, hi] (400 otherwise)."""
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        val = int(raw)
    except ValueError:
        raise bad(message or "Invalid value '%s' for query option '%s'." % (raw, name), code)
    if val < lo or (hi is not None and val > hi):
        raise bad(message or "Invalid value '%s' for query option '%s'." % (raw, name), code)
    return val


def next_link(req, path, extra):
    """An absolute ``@odata.nextLink``: the request's options plus ``extra``."""
    params = [(k, v) for k, v in urllib.parse.parse_qsl(req.raw_query, keep_blank_values=True)
              if k not in extra]
    params.extend(extra.items())
    qs = urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe="$,'():/")
    return "%s%s?%s" % (req.base, path, qs)


def compile_or_400(text):
    """Compile a ``$filter`` or answer 400."""
    try:
        return compile_filter(text)
    except ValueError as e:
        raise bad(str(e))


def page_by_id(req, items, default_top, max_top, path, top_message=None, code="BadRequest"):
    """Page ``items`` (sorted by ``id``) with ``$top`` and an opaque ``$skiptoken``.

    Returns (page, next_link or None).  The token is the last id served, so a
    page boundary survives objects being added or removed meanwhile.
    """
    top = int_param(req, "$top", default_top, 1, max_top, top_message, code)
    token = req.query.get("$skiptoken")
    if token:
        try:
            after = urllib.parse.unquote(token).split("~", 1)[1]
        except IndexError:
            raise bad("Invalid $skiptoken.")
        items = [i for i in items if i["id"] > after]
    page = items[:top]
    link = None
    if len(items) > top:
        link = next_link(req, path, {"$skiptoken": "RFNwdAIAAQ~" + page[-1]["id"]})
    return page, link


# --------------------------------------------------------------------- users --

def user_view(t, u, select):
    """A Graph user object projected on ``$select`` (default property set otherwise)."""
    full = {k: v for k, v in u.items() if not k.startswith("_") and k not in (
        "accountType", "applicationId", "isEnterpriseVoiceEnabled", "onPremisesLineUri")}
    full.setdefault("mail", None)
    full["userType"] = "Member"
    full["assignedLicenses"] = [{"skuId": l["skuId"], "disabledPlans": list(l["disabledPlans"])}
                                for l in u["assignedLicenses"]]
    for k in USER_DEFAULT_SELECT:
        full.setdefault(k, [] if k == "businessPhones" else None)
    if not select:
        return {k: full.get(k) for k in USER_DEFAULT_SELECT}
    return apply_select(full, select)


def check_select(select, allowed, type_name):
    """400 for a ``$select`` property the type does not have."""
    for s in select:
        if s.lower() not in allowed:
            raise bad("Parsing OData Select and Expand failed: Could not find a property named '%s' on type "
                      "'microsoft.graph.%s'." % (s, type_name), "Request_BadRequest")


def get_user_or_404(t, ref):
    """A live user by id or UPN, or Graph's 404."""
    u = t.find_user(ref)
    if u is None:
        raise resource_not_found(ref)
    return u


def list_users(sim, t, req):
    need(req, PERM_USER_READ)
    advanced = (req.header("ConsistencyLevel") or "").lower() == "eventual"
    count = (req.query.get("$count") or "").lower() == "true"
    if count and not advanced:
        raise bad("$count is not currently supported.", "Request_BadRequest")
    select = parse_select(req.query.get("$select"))
    check_select(select, USER_PROPERTIES, "user")
    users = sorted(t.users.values(), key=lambda u: u["id"])
    flt = req.query.get("$filter")
    if flt:
        if filter_uses(flt, "assignedLicenses/any") and not (advanced and count):
            raise bad("Unsupported or invalid query filter clause specified for property 'assignedLicenses' of "
                      "resource 'User'.", "Request_UnsupportedQuery")
        pred = compile_or_400(flt)
        fast = _UPN_EQ.match(flt.strip())
        if fast:        # one-user lookup without scanning the directory
            u = t.find_user(fast.group(1))
            users = [u] if u and fast.group(1).lower() == u["userPrincipalName"].lower() else []
        else:
            users = [u for u in users if pred(user_view(t, u, USER_PROPERTIES_CASED))]
    page, link = page_by_id(req, users, 100, 999, "/v1.0/users",
                            "Invalid page size specified: '%s'. Must be between 1 and 999 inclusive."
                            % req.query.get("$top"), "Request_UnsupportedQuery")
    body = {"@odata.context": "%s/v1.0/$metadata#users" % req.base}
    if count and not req.query.get("$skiptoken"):
        body["@odata.count"] = len(users)
    body["value"] = [user_view(t, u, select) for u in page]
    if link:
        body["@odata.nextLink"] = link
    return Response(200, body)


def get_user(sim, t, req, ref):
    need(req, PERM_USER_READ)
    select = parse_select(req.query.get("$select"))
    check_select(select, USER_PROPERTIES, "user")
    u = get_user_or_404(t, ref)
    body = {"@odata.context": "%s/v1.0/$metadata#users/$entity" % req.base}
    body.update(user_view(t, u, select))
    return Response(200, body)


def patch_user(sim, t, req, ref):
    need(req, PERM_USER_WRITE)
    u = get_user_or_404(t, ref)
    data = body_object(req)
    for k, v in data.items():
        if k not in USER_PATCHABLE:
            raise bad("Property '%s' does not exist as a declared property or extension property." % k,
                      "Request_BadRequest")
    if "usageLocation" in data:
        v = data["usageLocation"]
        if v is not None and (not isinstance(v, str) or not re.match(r"^[A-Za-z]{2}$", v)):
            raise bad("Invalid value specified for property 'usageLocation' of resource 'User'.",
                      "Request_BadRequest")
        data["usageLocation"] = v.upper() if v else None
    if "accountEnabled" in data and not isinstance(data["accountEnabled"], bool):
        raise bad("Invalid value specified for property 'accountEnabled' of resource 'User'.", "Request_BadRequest")
    u.update(data)
    u["_modified"] = iso_utc(time.time())
    return Response(204)


def delete_user(sim, t, req, ref):
    need(req, PERM_USER_WRITE)
    u = get_user_or_404(t, ref)
    t.delete_user(u["id"])
    return Response(204)


def assign_license(sim, t, req, ref):
    need(req, PERM_LICENSE)
    u = get_user_or_404(t, ref)
    data = body_object(req)
    missing = [k for k in ("addLicenses", "removeLicenses") if k not in data]
    if missing:
        raise bad("One or more parameters of the function import 'assignLicense' are missing from the request "
                  "payload. The missing parameters are: %s." % ", ".join(missing))
    adds, removes = data["addLicenses"], data["removeLicenses"]
    if not isinstance(adds, list) or not isinstance(removes, list):
        raise bad("addLicenses and removeLicenses must be arrays.")
    held = {l["skuId"]: l for l in u["assignedLicenses"]}
    parsed_adds = []
    for a in adds:
        sku_id = str((a or {}).get("skuId") or "").lower()
        sku = next((s for s in t.skus if s["skuId"] == sku_id), None)
        if sku is None:
            raise bad("License %s does not correspond to a valid company License." % sku_id, "Request_BadRequest")
        plans = [str(p).lower() for p in (a.get("disabledPlans") or [])]
        known = {p["servicePlanId"] for p in sku["servicePlans"]}
        for p in plans:
            if p not in known:
                raise bad("Service plan %s does not belong to SKU %s." % (p, sku_id), "Request_BadRequest")
        parsed_adds.append((sku, plans))
    remove_ids = []
    for r in removes:
        rid = str(r).lower()
        if rid not in held:
            raise bad("User does not have a corresponding license.", "Request_BadRequest")
        remove_ids.append(rid)
    if parsed_adds and not u.get("usageLocation"):
        raise bad("License assignment cannot be done for user with invalid usage location.", "Request_BadRequest")
    for sku, _ in parsed_adds:
        if sku["skuId"] not in held or sku["skuId"] in remove_ids:
            if t.consumed(sku["skuId"]) - (1 if sku["skuId"] in remove_ids else 0) >= sku["enabled"]:
                raise bad("Subscription with SKU %s does not have any available licenses." % sku["skuId"],
                          "Request_BadRequest")
    now = time.time()
    u["assignedLicenses"] = [l for l in u["assignedLicenses"] if l["skuId"] not in remove_ids]
    for rid in remove_ids:
        u["_licenseTimes"].pop(rid, None)
    for sku, plans in parsed_adds:
        cur = next((l for l in u["assignedLicenses"] if l["skuId"] == sku["skuId"]), None)
        if cur:
            cur["disabledPlans"] = plans
        else:
            u["assignedLicenses"].append({"skuId": sku["skuId"], "disabledPlans": plans})
            u["_licenseTimes"][sku["skuId"]] = now
    body = {"@odata.context": "%s/v1.0/$metadata#users/$entity" % req.base}
    body.update(user_view(t, u, None))
    return Response(200, body)


def license_details(sim, t, req, ref):
    need(req, PERM_USER_READ)
    u = get_user_or_404(t, ref)
    delay = float(t.settings["license_delay_s"])
    out = []
    for l in u["assignedLicenses"]:
        sku = next(s for s in t.skus if s["skuId"] == l["skuId"])
        ready = time.time() - u["_licenseTimes"].get(l["skuId"], 0.0) >= delay
        plans = []
        for p in sku["servicePlans"]:
            status = ("Disabled" if p["servicePlanId"] in l["disabledPlans"]
                      else "Success" if ready else "PendingProvisioning")
            plans.append({"servicePlanId": p["servicePlanId"], "servicePlanName": p["servicePlanName"],
                          "provisioningStatus": status, "appliesTo": p["appliesTo"]})
        out.append({"id": "%s_%s" % (u["id"], l["skuId"]), "skuId": l["skuId"],
                    "skuPartNumber": sku["skuPartNumber"], "servicePlans": plans})
    return Response(200, {"@odata.context": "%s/v1.0/$metadata#users('%s')/licenseDetails" % (req.base, u["id"]),
                          "value": out})


def subscribed_skus(sim, t, req):
    need(req, PERM_SKUS)
    if req.query.get("$filter"):
        raise bad("The $filter query option is not supported on subscribedSkus.", "Request_UnsupportedQuery")
    return Response(200, {"@odata.context": "%s/v1.0/$metadata#subscribedSkus" % req.base,
                          "value": [t.sku_view(s) for s in t.skus]})


def organization(sim, t, req):
    """GET /v1.0/organization: the tenant's one organization with its verified domains.

    The default domain is the first verified domain that is not the initial
    ``onmicrosoft.com`` one (the initial one when there is no other).
    """
    need(req, PERM_SKUS)
    verified = [d for d in t.domains if d.get("verified", True)]
    default = next((d for d in verified if not d["initial"]), verified[0] if verified else None)
    domains = [{"name": d["name"], "isDefault": d is default, "isInitial": d["initial"],
                "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"}
               for d in verified]
    org = {"id": t.tenant_id, "displayName": t.display_name, "verifiedDomains": domains}
    select = parse_select(req.query.get("$select"))
    return Response(200, {"@odata.context": "%s/v1.0/$metadata#organization" % req.base,
                          "value": [apply_select(org, select)]})


def user_has_plan(t, u, plan_id, effective=True):
    """True when the user holds an enabled (and, if ``effective``, provisioned) service plan."""
    delay = float(t.settings["license_delay_s"])
    now = time.time()
    for l in u["assignedLicenses"]:
        sku = next((s for s in t.skus if s["skuId"] == l["skuId"]), None)
        if not sku or plan_id in l["disabledPlans"]:
            continue
        if any(p["servicePlanId"] == plan_id for p in sku["servicePlans"]):
            if not effective or now - u["_licenseTimes"].get(l["skuId"], 0.0) >= delay:
                return True
    return False


# -------------------------------------------------------------------- groups --

def get_group(sim, t, req, gid):
    need(req, PERM_GROUPS)
    g = t.groups.get(gid.lower())
    if g is None:
        raise resource_not_found(gid)
    view = {"id": g["id"], "displayName": g["displayName"], "mailNickname": g["mailNickname"],
            "securityEnabled": g["securityEnabled"], "mailEnabled": g["mailEnabled"],
            "groupTypes": g["groupTypes"], "description": None}
    select = parse_select(req.query.get("$select"))
    check_select(select, {k.lower() for k in view}, "group")
    body = {"@odata.context": "%s/v1.0/$metadata#groups/$entity" % req.base}
    body.update(apply_select(view, select))
    return Response(200, body)


def group_members(sim, t, req, gid):
    need(req, PERM_GROUPS)
    g = t.groups.get(gid.lower())
    if g is None:
        raise resource_not_found(gid)
    members = sorted((t.users[m] for m in g["members"] if m in t.users), key=lambda u: u["id"])
    page, link = page_by_id(req, members, 100, 999, "/v1.0/groups/%s/members" % g["id"])
    value = [{"@odata.type": "#microsoft.graph.user", "id": u["id"], "userPrincipalName": u["userPrincipalName"],
              "displayName": u.get("displayName")} for u in page]
    body = {"@odata.context": "%s/v1.0/$metadata#directoryObjects" % req.base, "value": value}
    if link:
        body["@odata.nextLink"] = link
    return Response(200, body)


# ------------------------------------------------------------------- numbers --

_NUMBER_EQ = re.compile(r"^telephoneNumber eq '([^']*)'$")
_ID_CITY_FILTER = re.compile(r"(?<![\w/])(id|city)\s+(eq|ne|gt|ge|lt|le|in)\b", re.I)


def list_numbers(sim, t, req):
    need(req, PERM_NUMBERS_READ)
    top = int_param(req, "$top", 500, 1, 1000,
                    "The value of $top must be between 1 and 1000.")
    skip = int_param(req, "$skip", 0, 0, None, "The value of $skip must be a non-negative integer.")
    flt = req.query.get("$filter")
    if flt:
        m = _ID_CITY_FILTER.search(flt)
        if m:
            raise bad("Filtering on property '%s' is not supported." % m.group(1))
        pred = compile_or_400(flt)
        fast = _NUMBER_EQ.match(flt.strip())
        if fast:        # the common one-number lookup, without scanning the inventory
            n = t.find_number(fast.group(1))
            views = [t.number_view(n)] if n else []
        else:
            views = [v for v in (t.number_view(n) for n in sorted(t.numbers.values(),
                                                                   key=lambda n: n["telephoneNumber"])) if pred(v)]
        page = views[skip:skip + top]
    else:
        nums = sorted(t.numbers.values(), key=lambda n: n["telephoneNumber"])
        page = [t.number_view(n) for n in nums[skip:skip + top]]
    return Response(200, {"@odata.context": "%s/v1.0/$metadata#admin/teams/telephoneNumberManagement/"
                                            "numberAssignments" % req.base, "value": page})


def get_number(sim, t, req, nid):
    need(req, PERM_NUMBERS_READ)
    num = t.number_ids.get(nid)
    if num is None or num not in t.numbers:
        raise ApiError(404, "Number assignment '%s' was not found." % nid, "NotFound")
    body = {"@odata.context": "%s/v1.0/$metadata#admin/teams/telephoneNumberManagement/numberAssignments/"
                              "$entity" % req.base}
    body.update(t.number_view(t.numbers[num]))
    return Response(200, body)


def operation_location(req, op_id):
    """The absolute ``Location`` of a number operation (key syntax)."""
    return "%s/v1.0/admin/teams/telephoneNumberManagement/operations('%s')" % (req.base, op_id)


def required_fields(data, names):
    """400 naming the first missing required body property."""
    for n in names:
        if data.get(n) in (None, ""):
            raise bad("The request body is missing the required property '%s'." % n)


def assign_number(sim, t, req):
    """``assignNumber``: validate, then record an async operation (202 + Location)."""
    need(req, PERM_NUMBERS_WRITE)
    data = body_object(req)
    required_fields(data, ("telephoneNumber", "assignmentTargetId", "numberType"))
    ntype = data["numberType"]
    if ntype not in NUMBER_TYPES:
        raise bad("Invalid value '%s' for property 'numberType'." % ntype)
    category = data.get("assignmentCategory") or "primary"
    if category not in ("primary", "private", "alternate"):
        raise bad("Invalid value '%s' for property 'assignmentCategory'." % category)
    num = normalise_number(data["telephoneNumber"])
    if not valid_e164(num):
        raise bad("Telephone number '%s' is not a valid E.164 number." % data["telephoneNumber"])
    if ";ext=" in num and ntype != "directRouting":
        raise bad("Only Direct Routing numbers can carry an extension: '%s'." % num)
    target_ref = str(data["assignmentTargetId"])
    location_id = data.get("locationId")
    if location_id and location_id.lower() not in t.locations:
        raise bad("Location '%s' is not found." % location_id)
    user = t.find_user(target_ref)
    if user is not None and user.get("onPremisesLineUri"):
        raise bad("The user already has a telephone number set in the on-premises Active Directory. Remove it "
                  "from on-premises Active Directory, then assign the number online.")
    if user is not None and t.visible_to_teams(user):
        others = [n for n in t.user_numbers(user["id"]) if n["telephoneNumber"] != num]
        if others:
            kind = "Resource account" if user["accountType"] == "resourceAccount" else "User"
            raise bad("%s '%s' already has a phone number assigned." % (kind, user["id"]))
    ok, detail = _assign_outcome(t, user, target_ref, num, ntype)
    if ok and req.operation_failure:        # a scripted transient failure (fault rule)
        ok, detail = False, req.operation_failure
    if ok:
        n = t.numbers[num]
        if n["assignmentTargetId"] != user["id"]:
            t.set_number_target(n, user["id"], "voiceApplicationAssigned" if user["accountType"] ==
                                "resourceAccount" else "userAssigned", category)
            n["_pendingUntil"] = time.time() + float(t.settings["lro_running_s"])
        if location_id:
            t.set_number_location(n, location_id.lower())
        user["isEnterpriseVoiceEnabled"] = True
    op_id = t.add_operation("Assignment", num, ok, detail)
    return Response(202, None, {"Location": operation_location(req, op_id)})


def _assign_outcome(t, user, target_ref, num, ntype):
    """Decide an assignment: (True, None) or (False, statusDetail)."""
    if user is None or not t.visible_to_teams(user):
        return False, NOT_FOUND_USER % target_ref
    n = t.numbers.get(num)
    if n is None:
        if ntype != "directRouting":
            return False, N2 % (num, t.tenant_id)
        n = t.new_number(num, "directRouting")
    if n["numberType"] != ntype:
        return False, N2 % (num, t.tenant_id)
    if n["assignmentTargetId"] and n["assignmentTargetId"] != user["id"]:
        return False, N1 % num
    is_ra = user["accountType"] == "resourceAccount"
    cap = "voiceApplicationAssignment" if is_ra else "userAssignment"
    if cap not in n["capabilities"]:
        return False, ("Telephone Number '%s' does not have the capability '%s' required to assign it to this %s"
                       % (num, cap, "resource account" if is_ra else "user"))
    if is_ra:
        licensed = user_has_plan(t, user, PLAN_VIRTUAL_USER) or user_has_plan(t, user, PLAN_TEAMS_PHONE)
    else:
        licensed = user_has_plan(t, user, PLAN_TEAMS_PHONE)
    if licensed and ntype == "callingPlan":
        licensed = t.has_license(user, t.calling_plan_skus())
    if not licensed:
        return False, N3 % (user["id"], TYPE_WORD[ntype])
    return True, None


def unassign_number(sim, t, req):
    need(req, PERM_NUMBERS_WRITE)
    data = body_object(req)
    required_fields(data, ("telephoneNumber", "numberType"))
    if data["numberType"] not in NUMBER_TYPES:
        raise bad("Invalid value '%s' for property 'numberType'." % data["numberType"])
    num = normalise_number(data["telephoneNumber"])
    owner = t.emergency_owner(num)
    if owner is not None:
        raise bad("Telephone Number '%s' is an emergency number of Shared Calling policy '%s'; remove it from "
                  "the policy first." % (num, policy_bare_name(owner["Identity"])))
    n = t.numbers.get(num)
    if n is None or n["numberType"] != data["numberType"]:
        ok, detail = False, N2 % (num, t.tenant_id)
    elif req.operation_failure:             # a scripted transient failure (fault rule)
        ok, detail = False, req.operation_failure
    else:
        ok, detail = True, None
        target = n["assignmentTargetId"]
        if target:
            t.set_number_target(n, None)
            n["_pendingUntil"] = 0.0
            u = t.users.get(target)
            if u is not None and not t.user_numbers(target):
                u["isEnterpriseVoiceEnabled"] = False
    op_id = t.add_operation("Unassignment", num, ok, detail)
    return Response(202, None, {"Location": operation_location(req, op_id)})


def update_number(sim, t, req):
    need(req, PERM_NUMBERS_WRITE)
    data = body_object(req)
    required_fields(data, ("telephoneNumber",))
    num = normalise_number(data["telephoneNumber"])
    n = t.numbers.get(num)
    if n is None:
        raise ApiError(404, N2 % (num, t.tenant_id), "NotFound")
    for k in data:
        if k not in ("telephoneNumber", "locationId", "networkSiteId", "reverseNumberLookupOptions"):
            raise bad("Property '%s' cannot be updated with updateNumber." % k)
    loc = data.get("locationId")
    if loc is not None:
        if loc == "":
            if n["locationId"] and n["numberType"] == "callingPlan":
                raise bad("Removing the emergency location is not supported for Calling Plan number '%s'." % num)
        elif loc.lower() not in t.locations:
            raise bad("Location '%s' is not found." % loc)
    site = data.get("networkSiteId")
    rnl = data.get("reverseNumberLookupOptions")
    if rnl is not None and (not isinstance(rnl, list) or any(x != "skipInternalVoip" for x in rnl)):
        raise bad("Invalid value for property 'reverseNumberLookupOptions'.")
    if loc is not None:
        t.set_number_location(n, loc.lower() or None)
    if site is not None:
        n["networkSiteId"] = site or None
    if rnl is not None:
        n["reverseNumberLookupOptions"] = list(rnl)
    return Response(200, t.number_view(n))


def get_operation(sim, t, req, op_id):
    need(req, PERM_NUMBERS_READ)
    op = t.operations.get(op_id)
    if op is None:
        raise ApiError(404, "Operation '%s' was not found." % op_id, "NotFound")
    # The documented example wraps the operation in "value" (docs/wire.md).
    return Response(200, {"@odata.context": "%s/v1.0/$metadata#admin/teams/telephoneNumberManagement/operations"
                                            "/$entity" % req.base,
                          "value": t.operation_view(op, time.time(), req.base)})


# -------------------------------------------------------- userConfigurations --

def feature_types(t, u):
    """``featureTypes`` of a user from its licences."""
    out = ["Teams", "AudioConferencing"]
    if user_has_plan(t, u, PLAN_TEAMS_PHONE, effective=False):
        out.append("PhoneSystem")
    if user_has_plan(t, u, PLAN_VIRTUAL_USER, effective=False):
        out.append("PhoneSystemVirtualUser")
    if t.has_license(u, t.calling_plan_skus(), effective=False):
        out.append("CallingPlan")
    return out


def effective_assignments(t, u, assignment_case="lower"):
    """``effectivePolicyAssignments`` of a user (Global shown with assignmentType null)."""
    out = []
    for ptype in EFFECTIVE_TYPES:
        kind, name, gid = t.effective_policy(u["id"], ptype)
        if kind and assignment_case == "title":
            kind = kind.title()
        out.append({"policyType": ptype, "policyAssignment": {
            "displayName": name, "assignmentType": kind,
            "policyId": t.policy_id(ptype, name), "groupId": gid}})
    return out


def user_configuration(t, u):
    """A teamsUserConfiguration object."""
    return {
        "id": u["id"], "userPrincipalName": u["userPrincipalName"], "tenantId": t.tenant_id,
        "accountType": "resourceAccount" if u["accountType"] == "resourceAccount" else "user",
        "createdDateTime": u.get("createdDateTime"), "modifiedDateTime": u.get("_modified"),
        "featureTypes": feature_types(t, u), "isEnterpriseVoiceEnabled": bool(u["isEnterpriseVoiceEnabled"]),
        "telephoneNumbers": [{"telephoneNumber": n["telephoneNumber"], "assignmentCategory": n["assignmentCategory"]}
                             for n in t.user_numbers(u["id"])],
        "effectivePolicyAssignments": effective_assignments(t, u),
    }


def expand_user(t, req, view):
    """Add the ``user`` relationship when ``$expand=user`` is asked for."""
    expand = [e.strip().lower() for e in (req.query.get("$expand") or "").split(",") if e.strip()]
    if not expand:
        return view
    if expand != ["user"]:
        raise bad("Only $expand=user is supported on userConfigurations.")
    view["user"] = user_view(t, t.users[view["id"]], None)
    return view


def list_user_configurations(sim, t, req):
    need(req, PERM_USERCONFIG)
    users = sorted((u for u in t.users.values() if u["accountType"] != "resourceAccount"), key=lambda u: u["id"])
    if req.query.get("$filter"):
        pred = compile_or_400(req.query["$filter"])
        items = [v for v in (user_configuration(t, u) for u in users) if pred(v)]
        page, link = page_by_id(req, items, 100, 999, "/v1.0/admin/teams/userConfigurations")
    else:               # page first, then build only the page's objects
        page, link = page_by_id(req, users, 100, 999, "/v1.0/admin/teams/userConfigurations")
        page = [user_configuration(t, u) for u in page]
    select = parse_select(req.query.get("$select"))
    page = [expand_user(t, req, v) for v in page]
    body = {"@odata.context": "%s/v1.0/$metadata#admin/teams/userConfigurations" % req.base,
            "value": [apply_select(v, select + (["user"] if select and "user" in v else [])) for v in page]}
    if link:
        body["@odata.nextLink"] = link
    return Response(200, body)


def get_user_configuration(sim, t, req, uid):
    need(req, PERM_USERCONFIG)
    u = t.find_user(uid)
    if u is None or u["accountType"] == "resourceAccount" or not is_guid(uid):
        raise ApiError(404, "User configuration '%s' was not found." % uid, "NotFound")
    body = {"@odata.context": "%s/v1.0/$metadata#admin/teams/userConfigurations/$entity" % req.base}
    select = parse_select(req.query.get("$select"))
    view = expand_user(t, req, user_configuration(t, u))
    body.update(apply_select(view, select + (["user"] if select and "user" in view else [])))
    return Response(200, body)


# ------------------------------------------------------ Graph policy assign --

def _policy_by_id(t, ptype, policy_id):
    for key, inst in t.policies.get(ptype, {}).items():
        if t.policy_ids.get((ptype, key)) == policy_id:
            return inst
    return None


ASSIGNMENT_ODATA_TYPE = "#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment"


def _refused_types(t):
    """Policy types this tenant's Graph refuses (setting ``policy_assign_refused_types``)."""
    return {x.lower() for x in (t.settings.get("policy_assign_refused_types") or [])}


def policy_assign(sim, t, req, unassign=False):
    """``POST /admin/teams/policy/userAssignments/assign|unassign`` (docs/wire.md).

    Body ``{"value": [teamsPolicyUserAssignment, ...]}``: ``userId``,
    ``policyType`` and, to assign, ``policyId`` (from getPolicyId). All or
    nothing: one bad entry refuses the call. At most ``policy_assign_max``
    entries per call (a setting: Microsoft documents no limit). The
    assignment is a direct grant, effective after ``grant_delay_s`` as one
    written through the Teams admin route.
    """
    need(req, PERM_POLICY)
    data = body_object(req)
    check_keys(data, {"value"}, "the request body")
    items = data.get("value")
    if not isinstance(items, list) or not items:
        raise bad("The request body must have a non-empty 'value' array.")
    limit = int(t.settings.get("policy_assign_max") or 0)
    if limit and len(items) > limit:
        raise bad("The request has %d assignments; at most %d are accepted per request." % (len(items), limit))
    allowed = {"@odata.type", "id", "userId", "policyType", "policyId"}
    planned = []
    for it in items:
        if not isinstance(it, dict):
            raise bad("Each entry of 'value' must be an object.")
        check_keys(it, allowed, "a teamsPolicyUserAssignment")
        if it.get("@odata.type", ASSIGNMENT_ODATA_TYPE) != ASSIGNMENT_ODATA_TYPE:
            raise bad("@odata.type must be '%s'." % ASSIGNMENT_ODATA_TYPE)
        uid, ptype = str(it.get("userId") or ""), it.get("policyType")
        if not isinstance(ptype, str) or ptype not in GRANTABLE_TYPES or ptype.lower() in _refused_types(t):
            raise bad("Policy type '%s' is not supported." % ptype)
        u = t.find_user(uid)
        if u is None or not t.visible_to_teams(u):
            raise ApiError(404, "User '%s' does not exist." % uid, "NotFound")
        if u["accountType"] != "resourceAccount" and u["_licenseTimes"]:
            newest = max(u["_licenseTimes"].values())
            if time.time() - newest < float(t.settings["replication_delay_s"]):
                raise bad("User policy update failed for user '%s'. The user was not provisioned successfully."
                          % u["id"])
        name = None
        if not unassign:
            inst = _policy_by_id(t, ptype, it.get("policyId"))
            if inst is None:
                raise bad("Policy with id '%s' of type '%s' is not found." % (it.get("policyId"), ptype))
            name = policy_bare_name(inst["Identity"])
            if name == "Global":
                name = None
        planned.append((u["id"], ptype, name))
    for uid, ptype, name in planned:
        t.grant_direct(uid, ptype, name)
    return Response(204)


_POLICY_ID_RE = re.compile(r"^getpolicyid\(type='([^']*)',name='([^']*)'\)$", re.I)


def get_policy_id(sim, t, req, segment):
    need(req, PERM_POLICY)
    m = _POLICY_ID_RE.match(segment)
    if not m:
        raise bad("getPolicyId needs type='...' and name='...'.")
    ptype, name = m.group(1), m.group(2)
    if ptype.lower() in _refused_types(t):
        raise bad("Policy type '%s' is not supported." % ptype)
    if ptype not in t.policies:
        raise ApiError(404, "Policy type '%s' is not found." % ptype, "NotFound")
    inst = t.get_policy(ptype, name)
    if inst is None:
        raise ApiError(404, "Policy '%s' of type '%s' is not found." % (name, ptype), "NotFound")
    return Response(200, {"@odata.context": "%s/v1.0/$metadata#Collection(microsoft.graph.teamsAdministration."
                                            "policyIdentifierDetail)" % req.base,
                          "value": [{"name": inst["Identity"], "policyId": t.policy_id(ptype, name)}]})


# -------------------------------------------------------------- call records --

_CALLS_RE = re.compile(r"^(getpstncalls|getdirectroutingcalls)\((.*)\)$", re.I)


def call_records(sim, t, req, segment):
    m = _CALLS_RE.match(segment)
    if not m:
        raise bad("Resource not found for the segment '%s'." % segment)
    kind = "pstn" if m.group(1).lower() == "getpstncalls" else "dr"
    need(req, PERM_PSTN_CALLS if kind == "pstn" else PERM_DR_CALLS)
    params = {}
    for part in m.group(2).split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            params[k.strip().lower()] = v.strip().strip("'")
    frm = params.get("fromdatetime", params.get("from"))
    to = params.get("todatetime", params.get("to"))
    if not frm or not to:
        raise bad("The parameters fromDateTime and toDateTime are required.")
    try:
        start, end = parse_iso(frm), parse_iso(to)
    except ValueError:
        raise bad("fromDateTime and toDateTime must be DateTimeOffset values.")
    if end < start:
        raise bad("fromDateTime must be earlier than toDateTime.")
    if end - start > 90 * 86400:
        raise bad("The requested date range exceeds the maximum of 90 days.")
    skip = int_param(req, "$skip", 0, 0, None)
    rows, lo, hi = t.call_rows(kind, start, end, end_inclusive=(kind == "pstn"))
    first = lo + skip
    last = min(hi, first + 1000)
    value = [t.call_row_view(rows[i], kind) for i in range(first, last)] if first < hi else []
    name = "getPstnCalls" if kind == "pstn" else "getDirectRoutingCalls"
    body = {"@odata.context": "%s/v1.0/$metadata#Collection(microsoft.graph.callRecords.%s)" % (
        req.base, "pstnCallLogRow" if kind == "pstn" else "directRoutingLogRow"),
        "@odata.count": len(value), "value": value}
    if last < hi:
        body["@odata.nextLink"] = "%s/v1.0/communications/callRecords/%s(from=%s,to=%s)?$skip=%d" % (
            req.base, name, frm, to, skip + 1000)
    return Response(200, body)


# ---------------------------------------------------------------------- batch --

def is_batch(req):
    """True for ``POST /v1.0/$batch``."""
    return req.path.rstrip("/").lower() == "/v1.0/$batch"


def batch_all_get(req):
    """True when every inner request of a (valid) batch body is a GET."""
    try:
        data = json.loads(req.body)
        return all(str(r.get("method", "")).upper() == "GET" for r in data["requests"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def batch(sim, req):
    """``POST /v1.0/$batch``: validate, order by dependsOn, dispatch each request."""
    if req.method != "POST":
        raise ApiError(405, "The batch endpoint only accepts POST.", "BadRequest")
    data = req.json()
    reqs = data.get("requests") if isinstance(data, dict) else None
    if not isinstance(reqs, list) or not reqs:
        raise bad("Invalid batch payload format.")
    if len(reqs) > 20:
        raise bad("The number of requests in a batch cannot exceed 20 (got %d)." % len(reqs))
    ids = {}
    for r in reqs:
        if not isinstance(r, dict) or not r.get("id") or not r.get("method") or not r.get("url"):
            raise bad("Each batch request needs 'id', 'method' and 'url'.")
        rid = str(r["id"])
        if rid.lower() in ids:
            raise bad("Batch request ids must be unique; '%s' is repeated." % rid)
        ids[rid.lower()] = r
        if str(r["method"]).upper() not in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            raise bad("Invalid method '%s' in batch request '%s'." % (r["method"], rid))
        if "body" in r:
            hdrs = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
            if "content-type" not in hdrs:
                raise bad("Content-Type header must be specified for request '%s' that has a body." % rid)
        deps = r.get("dependsOn") or []
        if not isinstance(deps, list):
            raise bad("dependsOn of request '%s' must be an array." % rid)
    for r in reqs:
        for d in r.get("dependsOn") or []:
            if str(d).lower() not in ids:
                raise bad("Request '%s' depends on an unknown request id '%s'." % (r["id"], d))
    order, state = [], {}

    def visit(rid):
        if state.get(rid) == 1:
            raise bad("The dependsOn graph of the batch has a cycle.")
        if state.get(rid) == 2:
            return
        state[rid] = 1
        for d in ids[rid].get("dependsOn") or []:
            visit(str(d).lower())
        state[rid] = 2
        order.append(rid)
    for r in reqs:
        visit(str(r["id"]).lower())
    statuses, responses = {}, []
    for rid in order:
        r = ids[rid]
        failed = [d for d in r.get("dependsOn") or [] if not 200 <= statuses.get(str(d).lower(), 0) < 300]
        if failed:
            statuses[rid] = 424
            responses.append({"id": r["id"], "status": 424, "headers": {"Content-Type": "application/json"},
                              "body": {"error": {"code": "FailedDependency",
                                                 "message": "The request depends on request '%s', which failed."
                                                            % failed[0]}}})
            continue
        url = str(r["url"])
        if url.lower().startswith(("http://", "https://")):
            url = "/" + url.split("/", 4)[4] if url.count("/") >= 4 else "/"
            if url.lower().startswith("/v1.0/"):
                url = url[5:]
        if not url.startswith("/"):
            url = "/" + url
        path, _, query = url.partition("?")
        path = "/v1.0" + urllib.parse.unquote(path)
        if path.rstrip("/").lower() == "/v1.0/$batch":
            resp = Response(400, {"error": {"code": "BadRequest", "message": "Nested batches are not supported."}})
        else:
            body = r.get("body")
            raw = b""
            if body is not None:
                raw = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
            resp = sim.dispatch_inner(req, str(r["method"]).upper(), path, query, r.get("headers") or {}, raw)
        statuses[rid] = resp.status
        headers = {k: v for k, v in resp.headers.items()
                   if k in ("Location", "Retry-After", "Content-Type")}
        if resp.body is not None and not isinstance(resp.body, (bytes, bytearray)):
            headers.setdefault("Content-Type", "application/json")
        responses.append({"id": r["id"], "status": resp.status, "headers": headers,
                          "body": resp.body if not isinstance(resp.body, (bytes, bytearray)) else None})
    sim.rng.shuffle(responses)
    return Response(200, {"responses": responses})


# -------------------------------------------------------------------- router --

def handle(sim, t, req):
    """Route one Graph request (below ``/graph``) to its handler."""
    path = req.path.rstrip("/") or "/"
    low = path.lower()
    m = req.method
    segs = path.split("/")[1:]
    lsegs = [s.lower() for s in segs]
    if not lsegs or lsegs[0] not in ("v1.0", "beta"):
        raise bad("Invalid version: %s" % (segs[0] if segs else ""))
    rest, lrest = segs[1:], lsegs[1:]

    def method_not_allowed():
        return ApiError(405, "The HTTP method '%s' is not allowed on this resource." % m, "BadRequest")

    if lrest == ["users"]:
        if m == "GET":
            return list_users(sim, t, req)
        raise method_not_allowed()
    if len(lrest) == 2 and lrest[0] == "users":
        if m == "GET":
            return get_user(sim, t, req, rest[1])
        if m == "PATCH":
            return patch_user(sim, t, req, rest[1])
        if m == "DELETE":
            return delete_user(sim, t, req, rest[1])
        raise method_not_allowed()
    if len(lrest) == 3 and lrest[0] == "users" and lrest[2] == "assignlicense":
        if m == "POST":
            return assign_license(sim, t, req, rest[1])
        raise method_not_allowed()
    if len(lrest) == 3 and lrest[0] == "users" and lrest[2] == "licensedetails":
        if m == "GET":
            return license_details(sim, t, req, rest[1])
        raise method_not_allowed()
    if lrest == ["subscribedskus"] and m == "GET":
        return subscribed_skus(sim, t, req)
    if lrest == ["organization"] and m == "GET":
        return organization(sim, t, req)
    if len(lrest) == 2 and lrest[0] == "groups" and m == "GET":
        return get_group(sim, t, req, rest[1])
    if len(lrest) == 3 and lrest[0] == "groups" and lrest[2] == "members" and m == "GET":
        return group_members(sim, t, req, rest[1])
    if low.startswith(TNM):
        sub = rest[3:]
        lsub = [s.lower() for s in sub]
        if not sub:
            raise bad("This API is not supported for AAD accounts (no addressUrl for "
                      "Microsoft.IC3.TelephoneNumberManagement,False).")
        if lsub == ["numberassignments"] and m == "GET":
            return list_numbers(sim, t, req)
        if len(lsub) == 2 and lsub[0] == "numberassignments":
            if lsub[1] == "assignnumber" and m == "POST":
                return assign_number(sim, t, req)
            if lsub[1] == "unassignnumber" and m == "POST":
                return unassign_number(sim, t, req)
            if lsub[1] == "updatenumber" and m == "POST":
                return update_number(sim, t, req)
            if m == "GET":
                return get_number(sim, t, req, sub[1])
            raise method_not_allowed()
        if len(lsub) == 2 and lsub[0] == "operations" and m == "GET":
            return get_operation(sim, t, req, sub[1])
        km = re.match(r"^operations\('(.+)'\)$", sub[0]) if len(sub) == 1 else None
        if km and m == "GET":
            return get_operation(sim, t, req, km.group(1))
        raise bad("Resource not found for the segment '%s'." % sub[-1])
    if lrest[:3] == ["admin", "teams", "userconfigurations"]:
        if len(lrest) == 3 and m == "GET":
            return list_user_configurations(sim, t, req)
        if len(lrest) == 4 and m == "GET":
            return get_user_configuration(sim, t, req, rest[3])
        raise method_not_allowed()
    if lrest[:3] == ["admin", "teams", "policy"]:
        sub = lrest[3:]
        if not sub:
            raise bad("Request not supported: GET on the policy root.")
        if sub == ["userassignments"]:
            raise ApiError(404, "Listing user policy assignments is not supported.", "UnknownError")
        if sub == ["userassignments", "assign"] and m == "POST":
            return policy_assign(sim, t, req)
        if sub == ["userassignments", "unassign"] and m == "POST":
            return policy_assign(sim, t, req, unassign=True)
        if len(sub) == 1 and sub[0].startswith("getpolicyid(") and m == "GET":
            return get_policy_id(sim, t, req, rest[3])
        raise bad("Resource not found for the segment '%s'." % rest[-1])
    if lrest[:2] == ["communications", "callrecords"] and len(rest) == 3 and m == "GET":
        return call_records(sim, t, req, rest[2])
    raise bad("Resource not found for the segment '%s'." % (rest[0] if rest else ""))
