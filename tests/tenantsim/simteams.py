"""The Teams admin backend as served by the tenant simulator (paths below ``/teams``).

Surfaces (docs/design/services.md#teams-admin and the chosen conventions of docs/design/conventions.md): ``Skype.Policy``
policy configurations and grants, ``Teams.PlatformService`` resource
accounts, ``Teams.VoiceApps`` auto attendants and their associations,
``Teams.User`` users, ``Skype.Ncs`` civic addresses and locations, and
``Skype.TelephoneNumberMgmt`` enterprise voice and number reads.

Every request needs a token for the Teams audience whose app holds the Teams
Administrator directory role (else 403).  Errors use
``{"error":{"code":"<Status>","message":"<text>"}}``.  Request bodies are
checked strictly (exact key casing, no unknown keys) so a client that drifts
from the documented shapes fails its tests instead of passing by accident.
"""

import base64
import copy
import re
import time
from urllib.parse import quote, urlencode

from simauth import TEAMS_ADMIN_ROLES
from simcommon import (AA_APPLICATION_ID, CQ_APPLICATION_ID, SKU_MCOPSTNC, SKU_VIRTUALUSER, TNM_APPLICATION_ID,
                       ApiError, Response, is_guid, is_toll_free, iso_utc, new_guid, normalise_number,
                       valid_e164)
from simstate import (ADDRESS_FIELDS, GRANTABLE_TYPES, NO_GROUP_GRANT_TYPES, POLICY_SCHEMAS,
                      READ_ONLY_POLICY_PROPS, policy_bare_name, policy_key)
import simgraph

N2 = "Telephone Number '%s' is not found from tenant '%s'"


def bad(message):
    """400 with the Teams error shape."""
    return ApiError(400, message, "BadRequest")


def not_found(message):
    """404 with the Teams error shape."""
    return ApiError(404, message, "NotFound")


def body_object(req):
    """The JSON body, which must be an object."""
    data = req.json()
    if not isinstance(data, dict):
        raise bad("The request body must be a JSON object.")
    return data


def check_keys(data, allowed, what):
    """400 for a body key outside ``allowed`` (exact casing)."""
    for k in data:
        if k not in allowed:
            raise bad("Unknown property '%s' for %s. Known properties: %s." % (k, what, ", ".join(sorted(allowed))))


def truthy(text):
    """Query-string booleans."""
    return str(text).lower() in ("1", "true", "yes")


# ------------------------------------------------------------------ policies --

def policy_type_or_404(t, ptype):
    """The canonical policy type name (case-insensitive lookup) or 404."""
    for name in POLICY_SCHEMAS:
        if name.lower() == ptype.lower():
            return name
    raise not_found("Policy type '%s' is not found." % ptype)


def policy_or_404(t, ptype, identity):
    inst = t.get_policy(ptype, identity)
    if inst is None:
        raise not_found("Policy '%s' of type '%s' is not found." % (identity, ptype))
    return inst


def _check_props(t, ptype, props):
    schema = POLICY_SCHEMAS[ptype]
    if schema is None:
        return
    allowed = set(schema)
    for k in props:
        if k in READ_ONLY_POLICY_PROPS.get(ptype, ()):
            raise bad("Property '%s' of policy type '%s' is read-only." % (k, ptype))
        if k not in allowed:
            raise bad("Unknown property '%s' for policy type '%s'. Known properties: Identity, %s."
                      % (k, ptype, ", ".join(sorted(allowed - READ_ONLY_POLICY_PROPS.get(ptype, set())))))
    if "Description" in props and not isinstance(props["Description"], (str, type(None))):
        raise bad("Description must be a string.")
    for k in ("OnlinePstnUsages", "Usage"):
        if k in props and (not isinstance(props[k], list) or not all(isinstance(x, str) for x in props[k])):
            raise bad("%s must be an array of strings." % k)


def _validate_policy(t, ptype, ident, obj):
    """Type rules on the merged instance; returns the object to store."""
    if ptype == "TeamsSharedCallingRoutingPolicy":
        return _validate_shared_calling(t, ident, obj)
    usages = set(t.policies["OnlinePstnUsages"]["global"]["Usage"])
    if ptype == "OnlineVoiceRoutingPolicy":
        for u in obj.get("OnlinePstnUsages") or []:
            if u not in usages:
                raise bad("PSTN usage '%s' is not found in OnlinePstnUsages." % u)
    if ptype == "TeamsEmergencyCallRoutingPolicy":
        ens = obj.get("EmergencyNumbers") or []
        if not isinstance(ens, list):
            raise bad("EmergencyNumbers must be an array.")
        for e in ens:
            if not isinstance(e, dict):
                raise bad("Each emergency number must be an object with EmergencyDialString.")
            check_keys(e, {"EmergencyDialString", "EmergencyDialMask", "OnlinePSTNUsage"}, "an emergency number")
            if not e.get("EmergencyDialString"):
                raise bad("EmergencyDialString is required for each emergency number.")
            if e.get("OnlinePSTNUsage") and e["OnlinePSTNUsage"] not in usages:
                raise bad("PSTN usage '%s' is not found in OnlinePstnUsages." % e["OnlinePSTNUsage"])
        if not isinstance(obj.get("AllowEnhancedEmergencyServices", False), bool):
            raise bad("AllowEnhancedEmergencyServices must be a boolean.")
    if ptype == "OnlinePstnUsages":
        removed = set(t.policies["OnlinePstnUsages"]["global"]["Usage"]) - set(obj.get("Usage") or [])
        users_of = {
            "OnlineVoiceRoutingPolicy": lambda inst: inst.get("OnlinePstnUsages") or [],
            "TeamsEmergencyCallRoutingPolicy": lambda inst: [e.get("OnlinePSTNUsage")
                                                             for e in inst.get("EmergencyNumbers") or []],
        }
        for u in sorted(removed):
            for pt, usages_of in users_of.items():
                for inst in t.policies[pt].values():
                    if u in usages_of(inst):
                        raise bad("PSTN usage '%s' is used by policy '%s' of type '%s'." % (u, inst["Identity"], pt))
    return obj


def _validate_shared_calling(t, ident, obj):
    """Rules SC-1 to SC-8 on a TeamsSharedCallingRoutingPolicy instance (docs/design/rules.md#shared-calling)."""
    ra = obj.get("ResourceAccount")
    ens = obj.get("EmergencyNumbers")
    if ens is None:
        ens = []
    if not isinstance(ens, list) or not all(isinstance(e, str) for e in ens):
        raise bad("EmergencyNumbers must be an array of E.164 strings.")
    numbers = []
    for e in ens:
        n = normalise_number(e)
        if not valid_e164(n):
            raise bad("Emergency number '%s' is not a valid E.164 number." % e)
        if n not in numbers:
            numbers.append(n)
    obj["EmergencyNumbers"] = numbers
    if ra in (None, ""):
        obj["ResourceAccount"] = None
        if numbers:
            raise bad("EmergencyNumbers can only be set together with a ResourceAccount.")
        return obj
    if not isinstance(ra, str) or not is_guid(ra):
        raise bad("ResourceAccount must be the object id of a resource account, got '%s'." % ra)
    ra = ra.lower()
    obj["ResourceAccount"] = ra
    user = t.users.get(ra)
    nums = t.user_numbers(ra) if user is not None and user["accountType"] == "resourceAccount" else []
    if not nums:
        raise bad("Resource account '%s' has no phone number assigned." % ra)
    if len(nums) > 1:
        raise bad("Resource account '%s' has more than one phone number assigned." % ra)
    ran = nums[0]
    if not ran["locationId"]:
        raise bad("The phone number '%s' of resource account '%s' has no emergency location."
                  % (ran["telephoneNumber"], ra))
    ra_type, ra_country = ran["numberType"], t.number_country(ran)
    if ra_type == "callingPlan":
        if not (t.has_license(user, t.payg_skus(), effective=False)
                and t.has_license(user, {SKU_MCOPSTNC}, effective=False)):
            raise bad("Resource account '%s' needs a Pay-As-You-Go Calling Plan and Communications Credits." % ra)
    this = "TeamsSharedCallingRoutingPolicy|Tag:%s" % policy_bare_name(ident)
    for n in numbers:
        rec = t.numbers.get(n)
        if rec is None:
            if ra_type != "directRouting":
                raise bad(N2 % (n, t.tenant_id))
            etype, ecountry = "directRouting", t.number_country({"telephoneNumber": n, "isoCountryCode": None})
        else:
            etype, ecountry = rec["numberType"], t.number_country(rec)
        if etype != ra_type or ecountry != ra_country:
            raise bad("Emergency number '%s' must have the same number type and country as the resource account "
                      "number." % n)
        if rec is not None and rec["assignmentTargetId"] and rec["assignmentStatus"] != "policyAssigned":
            raise bad("Emergency number '%s' is assigned to '%s'." % (n, rec["assignmentTargetId"]))
        if rec is not None and rec["assignmentStatus"] == "policyAssigned" and \
                rec["assignmentTargetId"].lower() != this.lower():
            owner = rec["assignmentTargetId"].split("|", 1)[-1]
            raise bad("Emergency number '%s' is already used by policy '%s'." % (n, policy_bare_name(owner)))
        if ra_type == "callingPlan" and (rec is None or "userAssignment" not in rec["capabilities"]):
            raise bad("Emergency number '%s' must be a Calling Plan subscriber number (capability "
                      "'userAssignment') because the resource account has a Calling Plan service number." % n)
    if ra_type == "callingPlan" and is_toll_free(ran["telephoneNumber"]) and not numbers:
        raise bad("Resource account '%s' has a toll-free service number; at least one Calling Plan subscriber "
                  "number is required in EmergencyNumbers." % ra)
    return obj


def list_policies(sim, t, req, ptype):
    return Response(200, [copy.deepcopy(p) for p in t.policies[ptype].values()])


def create_policy(sim, t, req, ptype):
    data = body_object(req)
    ident = data.get("Identity")
    if not isinstance(ident, str) or not ident.strip():
        raise bad("Identity is required to create a policy.")
    if ptype == "OnlinePstnUsages":
        raise bad("OnlinePstnUsages has only the Global instance; change its Usage with PUT on "
                  "configuration/Global.")
    if policy_key(ident) == "global" or t.get_policy(ptype, ident) is not None:
        raise ApiError(409, "Policy '%s' of type '%s' already exists." % (ident, ptype), "Conflict")
    props = {k: v for k, v in data.items() if k not in ("Identity", "Key")}
    _check_props(t, ptype, props)
    base = copy.deepcopy(POLICY_SCHEMAS[ptype] or {"Description": ""})
    base.update(copy.deepcopy(props))
    base = _validate_policy(t, ptype, ident, base)
    inst = t.put_policy(ptype, policy_bare_name(ident), base)
    if ptype == "TeamsSharedCallingRoutingPolicy":
        t.mark_emergency_numbers(inst, [], inst["EmergencyNumbers"])
    return Response(200, copy.deepcopy(inst))


def update_policy(sim, t, req, ptype, identity):
    inst = policy_or_404(t, ptype, identity)
    data = body_object(req)
    if ptype == "TeamsSharedCallingRoutingPolicy" and "Identity" not in data:
        raise bad("Identity is required in the body of a %s update." % ptype)
    if "Identity" in data:
        if policy_key(str(data["Identity"])) != policy_key(inst["Identity"]):
            raise bad("The Identity in the body does not match the path; a policy cannot be renamed.")
        data = {k: v for k, v in data.items() if k != "Identity"}
    data.pop("Key", None)           # echoed by some clients; neither emitted nor required
    _check_props(t, ptype, data)
    merged = copy.deepcopy(inst)
    merged.update(copy.deepcopy(data))
    merged = _validate_policy(t, ptype, inst["Identity"], merged)
    old = list(inst.get("EmergencyNumbers") or []) if ptype == "TeamsSharedCallingRoutingPolicy" else None
    inst.clear()
    inst.update(merged)
    if old is not None:
        t.mark_emergency_numbers(inst, old, inst["EmergencyNumbers"])
    return Response(200, copy.deepcopy(inst))


def delete_policy(sim, t, req, ptype, identity):
    inst = policy_or_404(t, ptype, identity)
    if inst["Identity"] == "Global":
        raise bad("The Global instance of policy type '%s' cannot be deleted." % ptype)
    used = t.policy_in_use(ptype, identity)
    if used:
        users, groups = used
        raise bad("Policy '%s' of type '%s' is still granted to %d user(s) and %d group(s); remove the grants "
                  "first." % (inst["Identity"], ptype, len(users), len(groups)))
    if ptype == "TeamsSharedCallingRoutingPolicy":
        t.mark_emergency_numbers(inst, list(inst.get("EmergencyNumbers") or []), [])
    del t.policies[ptype][policy_key(identity)]
    return Response(204)


# -------------------------------------------------------------------- grants --

def _grant_name(t, ptype, data, allow_empty=True):
    """The policy a grant body names (``policyName``), or None for a removal.

    The wire keys are camelCase (docs/wire.md, DIS ``SingleGrantPayload``); a
    removal sends JSON ``null``, never ``""``.
    """
    if "policyName" not in data or not isinstance(data["policyName"], (str, type(None))):
        raise bad("policyName is required (a policy name, or null to remove the grant).")
    if data["policyName"] is not None and not data["policyName"].strip():
        raise bad("policyName must be a policy name, or null to remove the grant.")
    name = (data["policyName"] or "").strip()
    if name.lower().startswith("tag:"):
        name = name[4:]
    if name == "" or name.lower() == "global":
        if not allow_empty:
            raise bad("PolicyName is required.")
        return None
    inst = t.get_policy(ptype, name)
    if inst is None:
        raise bad("Policy '%s' of type '%s' does not exist." % (name, ptype))
    return policy_bare_name(inst["Identity"])


def _grant_type(ptype):
    for name in GRANTABLE_TYPES:
        if name.lower() == ptype.lower():
            return name
    raise bad("Policy type '%s' cannot be granted." % ptype)


def grant_user(sim, t, req, oid, ptype):
    """Grant (or with ``""`` remove) a policy; warn as the cmdlet does (SC10, SC13)."""
    ptype = _grant_type(ptype)
    data = body_object(req)
    check_keys(data, {"policyName", "additionalParameters"}, "a policy grant")
    if "additionalParameters" not in data:
        raise bad("additionalParameters is required (null when there are none).")
    name = _grant_name(t, ptype, data)
    u = t.find_user(oid)
    if u is None or not t.visible_to_teams(u):
        raise not_found("User does not exist")
    if u["accountType"] != "resourceAccount" and u["_licenseTimes"]:
        newest = max(u["_licenseTimes"].values())
        if time.time() - newest < float(t.settings["replication_delay_s"]):
            raise bad("User policy update failed for user '%s'. The user was not provisioned successfully."
                      % u["id"])
    t.grant_direct(u["id"], ptype, name)
    warnings = []
    if ptype == "TeamsSharedCallingRoutingPolicy" and name and u["accountType"] != "resourceAccount":
        personal = [n["telephoneNumber"] for n in t.user_numbers(u["id"]) if ";ext=" not in n["telephoneNumber"]]
        if personal:
            warnings.append("User '%s' has the phone number '%s' assigned; a personal number takes precedence "
                            "over Shared Calling." % (u["id"], personal[0]))
        if not u["isEnterpriseVoiceEnabled"]:
            warnings.append("User '%s' is not enabled for enterprise voice; Shared Calling needs it." % u["id"])
    headers = {"X-Ms-ConfigApi-PowerShell-WarningMessage": " ".join(warnings)} if warnings else None
    return Response(204, None, headers)


def _group_view(gid, ptype, val):
    """A ``GroupAssignment`` as the service lists it (docs/wire.md: camelCase, ``priority``)."""
    return {"groupId": gid, "policyType": ptype, "policyName": val["name"], "priority": val["rank"],
            "createdBy": None, "createdTime": val.get("created")}


def group_grant(sim, t, req, gid, ptype):
    ptype = _grant_type(ptype)
    g = t.groups.get(gid.lower())
    if g is None:
        raise not_found("Group '%s' is not found." % gid)
    gid = g["id"]
    if req.method == "GET":
        val = t.latest_group(gid, ptype)
        if not val:
            raise not_found("Group '%s' has no assignment of policy type '%s'." % (gid, ptype))
        return Response(200, _group_view(gid, ptype, val))
    if req.method == "DELETE":
        if not t.latest_group(gid, ptype):
            raise not_found("Group '%s' has no assignment of policy type '%s'." % (gid, ptype))
        t.grant_group(gid, ptype, None)
        return Response(204)
    # docs/wire.md: New-CsGroupPolicyAssignment creates with PUT (the MPA
    # Grant -Group with POST), Set-CsGroupPolicyAssignment changes with PATCH.
    if req.method not in ("PUT", "POST", "PATCH"):
        raise ApiError(405, "Method not allowed.", "MethodNotAllowed")
    if ptype in NO_GROUP_GRANT_TYPES:
        raise bad("Group policy assignment is not supported for policy type '%s'." % ptype)
    exists = bool(t.latest_group(gid, ptype))
    if req.method == "PATCH" and not exists:
        raise not_found("Group '%s' has no assignment of policy type '%s'; create it with PUT." % (gid, ptype))
    if req.method != "PATCH" and exists:
        raise ApiError(409, "Group '%s' already has an assignment of policy type '%s'; change it with PATCH."
                       % (gid, ptype), "Conflict")
    data = body_object(req)
    check_keys(data, {"policyName", "priority"}, "a group policy assignment")
    name = _grant_name(t, ptype, {"policyName": data.get("policyName")}, allow_empty=False)
    rank = data.get("priority")
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        raise bad("priority is required and must be a positive integer.")
    current = t.group_grants_of_type(ptype)
    others = [(g2, v) for g2, v in current if g2 != gid]
    if len(others) >= 64:
        raise bad("Policy type '%s' is already assigned to 64 groups, the maximum." % ptype)
    if any(v["rank"] == rank for _, v in others):
        for g2, v in others:
            if v["rank"] >= rank:
                t.grant_group(g2, ptype, dict(v, rank=v["rank"] + 1))
    t.grant_group(gid, ptype, {"name": name, "rank": rank, "created": iso_utc(time.time())})
    return Response(204)


def list_group_grants(sim, t, req):
    want = req.query.get("policyType")
    out = []
    for (gid, ptype), hist in sorted(t.group_grants.items()):
        if hist and hist[-1][1] and (not want or ptype.lower() == want.lower()):
            out.append(_group_view(gid, ptype, hist[-1][1]))
    out.sort(key=lambda x: (x["policyType"], x["priority"]))
    return Response(200, out)


def user_policies(sim, t, req, identity):
    u = t.find_user(identity)
    if u is None or not t.visible_to_teams(u):
        raise not_found("User does not exist")
    want = req.query.get("policyType")
    out = []
    for ptype in sorted(GRANTABLE_TYPES):
        if want and want.lower() != ptype.lower():
            continue
        kind, name, gid = t.effective_policy(u["id"], ptype)
        # The assignment as written: a direct grant shows at once, before
        # grant_delay_s makes it effective (Get-CsUserPolicyAssignment).
        written = t.latest_direct(u["id"], ptype)
        if written and t.get_policy(ptype, written):
            kind, name, gid = "direct", policy_bare_name(t.get_policy(ptype, written)["Identity"]), None
        out.append({"PolicyType": ptype, "PolicyName": name, "AssignmentType": (kind or "default").title(),
                    "GroupId": gid})
    return Response(200, out)


# --------------------------------------------------------- resource accounts --

def ra_view(t, u):
    """An application instance object."""
    nums = t.user_numbers(u["id"])
    return {"objectId": u["id"], "userPrincipalName": u["userPrincipalName"], "displayName": u.get("displayName"),
            "applicationId": u.get("applicationId"), "phoneNumber": ("tel:" + nums[0]["telephoneNumber"]) if nums
            else None, "tenantId": t.tenant_id, "acsResourceId": None}


def list_application_instances(sim, t, req):
    size = req.query.get("pageSize") or "100"
    try:
        size = int(size)
        if not 1 <= size <= 999:
            raise ValueError
    except ValueError:
        raise bad("pageSize must be an integer from 1 to 999.")
    ras = sorted((u for u in t.users.values() if u["accountType"] == "resourceAccount"
                  and t.has_license(u, {SKU_VIRTUALUSER}, effective=False)), key=lambda u: u["id"])
    token = req.query.get("skipToken")
    if token:
        try:
            after = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            raise bad("Invalid skipToken.")
        ras = [u for u in ras if u["id"] > after]
    page = ras[:size]
    body = {"applicationInstances": [ra_view(t, u) for u in page]}
    if len(ras) > size:
        body["skipToken"] = base64.urlsafe_b64encode(page[-1]["id"].encode()).decode().rstrip("=")
    return Response(200, body)


def create_application_instance(sim, t, req):
    data = body_object(req)
    check_keys(data, {"userPrincipalName", "displayName", "applicationId"}, "an application instance")
    upn = data.get("userPrincipalName")
    if not isinstance(upn, str) or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", upn):
        raise bad("userPrincipalName is required and must look like name@domain.")
    app_id = data.get("applicationId")
    if not app_id:
        raise bad("applicationId is required (auto attendant %s, call queue %s)."
                  % (AA_APPLICATION_ID, CQ_APPLICATION_ID))
    if str(app_id).lower() not in (AA_APPLICATION_ID, CQ_APPLICATION_ID):
        raise bad("applicationId '%s' is not a voice application (auto attendant %s, call queue %s)."
                  % (app_id, AA_APPLICATION_ID, CQ_APPLICATION_ID))
    domain = upn.split("@", 1)[1].lower()
    if domain not in {d["name"] for d in t.domains}:
        raise bad("The domain '%s' of '%s' is not a verified domain of the tenant." % (domain, upn))
    if t.find_user(upn) is not None:
        raise ApiError(409, "A user with the user principal name '%s' already exists." % upn, "Conflict")
    name = data.get("displayName") or upn.split("@", 1)[0]
    u = t.create_user(upn, name, "resourceAccount", str(app_id).lower())
    return Response(200, ra_view(t, u))


def update_application_instance(sim, t, req, oid):
    u = t.find_user(oid)
    if u is None or u["accountType"] != "resourceAccount" or not t.visible_to_teams(u):
        raise not_found("The user '%s' is not found" % oid)
    data = body_object(req)
    check_keys(data, {"displayName", "applicationId", "onpremPhoneNumber"}, "an application instance")
    if "applicationId" in data:
        if str(data["applicationId"]).lower() not in (AA_APPLICATION_ID, CQ_APPLICATION_ID):
            raise bad("applicationId '%s' is not a voice application." % data["applicationId"])
        u["applicationId"] = str(data["applicationId"]).lower()
    if data.get("displayName"):
        u["displayName"] = data["displayName"]
    u["_modified"] = iso_utc(time.time())
    return Response(200, ra_view(t, u))


def legacy_application_instances(sim, t, req):
    ident = req.query.get("identity")
    if not ident:
        raise bad("The identity query parameter is required.")
    u = t.find_user(ident)
    if u is None or u["accountType"] != "resourceAccount" or not t.visible_to_teams(u):
        raise not_found("The user '%s' is not found" % ident)
    return Response(200, [ra_view(t, u)])


# ------------------------------------------------------------ auto attendants --

AA_REQUIRED = ("name", "languageId", "timeZoneId", "defaultCallFlow")


def _validate_aa(t, data):
    for k in AA_REQUIRED:
        if not data.get(k):
            raise bad("Auto attendant property '%s' is required." % k)
    if not isinstance(data["defaultCallFlow"], dict):
        raise bad("defaultCallFlow must be an object.")
    op = data.get("operator")
    if op:
        if not isinstance(op, dict) or not op.get("id") or not op.get("type"):
            raise bad("operator must be an object with id and type.")
        if op["type"] == "User" and t.find_user(op["id"]) is None:
            raise bad("Operator '%s' is not found." % op["id"])
    # docs/wire.md: a dial scope names its groups as groupDialScope.groupIds.
    holders = [data, data.get("directoryLookupScope") or {}]
    for holder in holders:
        if not isinstance(holder, dict):
            raise bad("directoryLookupScope must be an object.")
        for key in ("inclusionScope", "exclusionScope"):
            scope = holder.get(key)
            if scope is None:
                continue
            if not isinstance(scope, dict):
                raise bad("%s must be an object." % key)
            check_keys(scope, {"type", "groupDialScope"}, "a dial scope")
            gds = scope.get("groupDialScope") or {}
            if not isinstance(gds, dict):
                raise bad("groupDialScope must be an object with groupIds.")
            check_keys(gds, {"groupIds"}, "a group dial scope")
            for gid in gds.get("groupIds") or []:
                if str(gid).lower() not in t.groups:
                    raise bad("Group '%s' is not found." % gid)
    for sched in data.get("schedules") or []:
        weekly = (sched or {}).get("weeklyRecurrentSchedule") if isinstance(sched, dict) else None
        if isinstance(weekly, dict):
            check_keys(weekly, {"mondayHours", "tuesdayHours", "wednesdayHours", "thursdayHours", "fridayHours",
                                "saturdayHours", "sundayHours", "isComplemented", "recurrenceRange"},
                       "a weekly recurrent schedule")
    if "voiceResponseEnabled" in data and not isinstance(data["voiceResponseEnabled"], bool):
        raise bad("voiceResponseEnabled must be a boolean.")


def aa_or_404(t, aid):
    aa = t.auto_attendants.get(aid.lower())
    if aa is None:
        raise not_found("Auto attendant '%s' is not found." % aid)
    return aa


def list_auto_attendants(sim, t, req):
    items = sorted(t.auto_attendants.values(), key=lambda a: (a["name"].lower(), a["id"]))
    nf = req.query.get("nameFilter")
    if nf:
        items = [a for a in items if nf.lower() in a["name"].lower()]
    if truthy(req.query.get("descending", "false")):
        items.reverse()
    try:
        skip = int(req.query.get("skip") or 0)
        first = int(req.query.get("first") or 100)
    except ValueError:
        raise bad("first and skip must be integers.")
    items = items[skip:skip + first]
    if truthy(req.query.get("excludeContent", "false")):
        items = [{"id": a["id"], "name": a["name"], "applicationInstances": a["applicationInstances"]} for a in items]
    return Response(200, {"autoAttendants": copy.deepcopy(items)})


def aa_wrapped(aa):
    """Get, create and update answer with the attendant inside an envelope (docs/wire.md)."""
    return {"autoAttendant": copy.deepcopy(aa), "diagnostic": None}


def create_auto_attendant(sim, t, req):
    data = body_object(req)
    # ICreateAutoAttendantRequest has no Schedules, ApplicationInstances or Id
    # (docs/wire.md): schedules exist before the attendant that references them.
    for k in ("schedules", "applicationInstances", "id"):
        if k in data:
            raise bad("Unknown property '%s' for a new auto attendant." % k)
    _validate_aa(t, data)
    aa = copy.deepcopy(data)
    aa["id"] = new_guid()
    aa["defaultCallFlow"].setdefault("id", new_guid())
    for k, default in (("voiceId", "Female"), ("voiceResponseEnabled", False), ("callFlows", []),
                       ("schedules", []), ("callHandlingAssociations", []), ("dialByNameResourceId", None),
                       ("operator", None), ("directoryLookupScope", None)):
        aa.setdefault(k, default)
    aa["applicationInstances"] = []
    t.auto_attendants[aa["id"]] = aa
    return Response(200, aa_wrapped(aa))


def update_auto_attendant(sim, t, req, aid):
    aa = aa_or_404(t, aid)
    data = body_object(req)
    if data.get("id") and data["id"].lower() != aa["id"]:
        raise bad("The id in the body does not match the path.")
    _validate_aa(t, data)
    keep = aa["applicationInstances"]
    aa.clear()
    aa.update(copy.deepcopy(data))
    aa["id"] = aid.lower()
    aa["defaultCallFlow"].setdefault("id", new_guid())
    aa["applicationInstances"] = keep
    return Response(200, aa_wrapped(aa))


def delete_auto_attendant(sim, t, req, aid):
    aa = aa_or_404(t, aid)
    for ep in list(aa["applicationInstances"]):
        t.associations.pop(ep, None)
    del t.auto_attendants[aa["id"]]
    return Response(204)


def create_associations(sim, t, req):
    data = body_object(req)
    check_keys(data, {"configurationId", "configurationType", "endpointsId", "callPriority"},
               "an application instance association")
    ctype = data.get("configurationType")
    if ctype not in ("AutoAttendant", "CallQueue"):
        raise bad("configurationType must be 'AutoAttendant' or 'CallQueue'.")
    cid = str(data.get("configurationId") or "").lower()
    if ctype == "CallQueue" or cid not in t.auto_attendants:
        raise bad("Configuration '%s' of type '%s' is not found." % (data.get("configurationId"), ctype))
    prio = data.get("callPriority", 3)
    if not isinstance(prio, int) or isinstance(prio, bool) or not 1 <= prio <= 5:
        raise bad("callPriority must be an integer from 1 to 5.")
    eps = data.get("endpointsId")
    if not isinstance(eps, list) or not eps:
        raise bad("endpointsId must be a non-empty array of resource account object ids.")
    want_app = AA_APPLICATION_ID if ctype == "AutoAttendant" else CQ_APPLICATION_ID
    users = []
    for ep in eps:
        u = t.find_user(str(ep))
        if u is None or u["accountType"] != "resourceAccount" or not t.visible_to_teams(u):
            raise not_found("The user '%s' is not found" % ep)
        if u.get("applicationId") != want_app:
            raise bad("Resource account '%s' has application id '%s', which does not match configuration type "
                      "'%s'." % (u["id"], u.get("applicationId"), ctype))
        cur = t.associations.get(u["id"])
        if cur and cur["configurationId"] != cid:
            raise bad("Resource account '%s' is already associated with %s '%s'."
                      % (u["id"], cur["configurationType"], cur["configurationId"]))
        users.append(u)
    results = []
    for u in users:
        asc = {"id": u["id"], "configurationType": ctype, "configurationId": cid, "callPriority": prio}
        t.associations[u["id"]] = asc
        aa = t.auto_attendants[cid]
        if u["id"] not in aa["applicationInstances"]:
            aa["applicationInstances"].append(u["id"])
        results.append(dict(asc))
    return Response(200, {"results": results})


def association(sim, t, req, ep, status=False):
    asc = t.associations.get(ep.lower())
    if asc is None:
        raise not_found("No association for endpoint '%s'." % ep)
    if req.method == "DELETE" and not status:
        aa = t.auto_attendants.get(asc["configurationId"])
        if aa and asc["id"] in aa["applicationInstances"]:
            aa["applicationInstances"].remove(asc["id"])
        del t.associations[asc["id"]]
        return Response(204)
    if req.method != "GET":
        raise ApiError(405, "Method not allowed.", "MethodNotAllowed")
    if status:
        return Response(200, {"id": asc["id"], "configurationId": asc["configurationId"], "status": "Success",
                              "errorDetails": None})
    return Response(200, dict(asc))


# ------------------------------------------------------------ Teams.User users --

def teams_user_view(t, u):
    nums = t.user_numbers(u["id"])
    assignments = []
    for ptype in simgraph.EFFECTIVE_TYPES:
        kind, name, gid = t.effective_policy(u["id"], ptype)
        assignments.append({"policyType": ptype, "policyAssignment": {
            "assignmentType": kind.title() if kind else None, "displayName": name, "groupId": gid,
            "policyId": t.policy_id(ptype, name)}})
    return {"objectId": u["id"], "userPrincipalName": u["userPrincipalName"], "displayName": u.get("displayName"),
            "accountType": "ResourceAccount" if u["accountType"] == "resourceAccount" else "User",
            "accountEnabled": u.get("accountEnabled"), "usageLocation": u.get("usageLocation"),
            "tenantId": t.tenant_id, "enterpriseVoiceEnabled": bool(u["isEnterpriseVoiceEnabled"]),
            "lineUri": ("tel:" + nums[0]["telephoneNumber"]) if nums else None,
            "featureTypes": simgraph.feature_types(t, u), "applicationId": u.get("applicationId"),
            "effectivePolicyAssignments": assignments}


PSFILTER_TERM = re.compile(r"^\s*(\w+)\s+-(eq|ne)\s+'((?:[^']|'')*)'\s*$", re.I)


def compile_psfilter(text):
    """A predicate for a ``psfilter`` (PowerShell syntax: ``Prop -eq 'x' [-and ...]``).

    ``Get-CsOnlineUser -AccountType X`` sends ``psfilter=AccountType -eq 'X'``
    (docs/wire.md); values compare case-insensitively, as PowerShell does.
    """
    terms = []
    for part in re.split(r"\s+-and\s+", text, flags=re.I):
        m = PSFILTER_TERM.match(part)
        if not m:
            raise ValueError("Invalid psfilter '%s': expected Property -eq 'value' [-and ...]." % text)
        terms.append((m.group(1).lower(), m.group(2).lower(), m.group(3).replace("''", "'").lower()))

    def pred(view):
        low = {k.lower(): v for k, v in view.items()}
        for prop, op, val in terms:
            have = "" if low.get(prop) is None else str(low.get(prop)).lower()
            if (have == val) != (op == "eq"):
                return False
        return True
    return pred


def list_teams_users(sim, t, req):
    """``GET /Teams.User/users?psfilter=&pageSize=``: ``{"users":[...], "@nextLink": url}``."""
    if "filter" in req.query or "$filter" in req.query:
        raise bad("Unknown query parameter 'filter'; Teams.User filters with psfilter "
                  "(for example psfilter=AccountType -eq 'ResourceAccount').")
    users = sorted(t.users.values(), key=lambda u: u["id"])
    flt = req.query.get("psfilter")
    if flt:
        try:
            pred = compile_psfilter(flt)
        except ValueError as e:
            raise bad(str(e))
        views = [v for v in (teams_user_view(t, u) for u in users) if pred(v)]
    else:
        views = [{"objectId": u["id"], "_user": u} for u in users]
    size = req.query.get("pageSize") or req.query.get("top") or "100"
    try:
        size = int(size)
        if not 1 <= size <= 999:
            raise ValueError
    except ValueError:
        raise bad("pageSize must be an integer from 1 to 999.")
    token = req.query.get("skiptoken") or req.query.get("skipToken")
    if token:
        views = [v for v in views if v["objectId"] > token]
    page = [teams_user_view(t, v["_user"]) if "_user" in v else v for v in views[:size]]
    body = {"users": page}
    if len(views) > size:
        query = [("pageSize", str(size))] + ([("psfilter", flt)] if flt else []) + \
            [("skiptoken", page[-1]["objectId"])]
        body["@nextLink"] = "%s/Teams.User/users?%s" % (req.base, urlencode(query, quote_via=quote))
    return Response(200, body)


def get_teams_user(sim, t, req, oid):
    u = t.find_user(oid)
    if u is None or not t.visible_to_teams(u):
        raise not_found("The user '%s' is not found" % oid)
    return Response(200, teams_user_view(t, u))


# ------------------------------------------------------------------ Skype.Ncs --

def address_or_404(t, aid):
    a = t.addresses.get(aid.lower())
    if a is None:
        raise not_found("Civic address '%s' is not found." % aid)
    return a


def location_or_404(t, lid):
    loc = t.locations.get(lid.lower())
    if loc is None:
        raise not_found("Location '%s' is not found." % lid)
    return loc


def list_locations(sim, t, req, filters=False):
    locs = sorted(t.locations.values(), key=lambda l: (l["civicAddressId"], not l["isDefault"], l["id"]))
    counts = filters and (truthy(req.query.get("populateNumberOfVoiceUsers", "false"))
                          or truthy(req.query.get("populateNumberOfTelephoneNumbers", "false")))
    views = [t.location_view(l, counts) for l in locs]
    if filters:
        cid = req.query.get("civicAddressId")
        if cid:
            views = [v for v in views if v["civicAddressId"] == cid.lower()]
        desc = req.query.get("description")
        if desc:
            views = [v for v in views if desc.lower() in (v["description"] or "").lower()]
        city = req.query.get("city")
        if city:
            views = [v for v in views if (v["cityOrTown"] or "").lower() == city.lower()]
        try:
            skip = int(req.query.get("skip") or 0)
            count = int(req.query.get("count") or 0)
        except ValueError:
            raise bad("count and skip must be integers.")
        views = views[skip:skip + count] if count else views[skip:]
    return Response(200, views)


# docs/wire.md: NewCivicAddress and SetCivicAddress name two fields differently,
# and a county belongs to a location, not to an address.
ADDRESS_CREATE_KEYS = set(ADDRESS_FIELDS) - {"countyOrDistrict"}
ADDRESS_UPDATE_RENAMES = {"cityAlias": "cityOrTownAlias", "companyTaxId": "companyId"}
ADDRESS_UPDATE_KEYS = (ADDRESS_CREATE_KEYS - set(ADDRESS_UPDATE_RENAMES.values())) | set(ADDRESS_UPDATE_RENAMES) | {"id"}


def _address_body(data, create):
    allowed = (ADDRESS_CREATE_KEYS if create else ADDRESS_UPDATE_KEYS) | {"confidence", "validationStatus"}
    check_keys(data, allowed, "a civic address")
    for k in ("confidence", "validationStatus"):
        if data.get(k) not in (None, ""):
            raise bad("Property '%s' is reserved and cannot be set." % k)
    for k, v in data.items():
        if k != "id" and k in allowed and v is not None and not isinstance(v, str):
            raise bad("Property '%s' must be a string." % k)


def create_address(sim, t, req):
    data = body_object(req)
    _address_body(data, create=True)
    for k in ("companyName", "country"):
        if not data.get(k):
            raise bad("Property '%s' is required to create a civic address." % k)
    if not re.match(r"^[A-Za-z]{2}$", data["country"]):
        raise bad("country must be an ISO 3166-1 alpha-2 code.")
    aid = new_guid()
    fields = {k: data.get(k, "") for k in ADDRESS_FIELDS}
    fields["countyOrDistrict"] = None
    fields["elin"] = data.get("elin")
    fields["companyId"] = data.get("companyId")
    fields["country"] = data["country"].upper()
    fields["id"] = aid
    fields["validationStatus"] = "Validated" if data.get("latitude") and data.get("longitude") else "NotValidated"
    fields["defaultLocationId"] = new_guid()
    t.addresses[aid] = fields
    t.locations[fields["defaultLocationId"]] = {"id": fields["defaultLocationId"], "civicAddressId": aid,
                                                "location": "", "elin": None, "isDefault": True}
    return Response(200, t.address_view(fields))


def update_address(sim, t, req):
    """``PUT /Skype.Ncs/civicAddresses`` with the ``id`` in the body (no path id, docs/wire.md)."""
    data = body_object(req)
    if not data.get("id"):
        raise bad("The body must carry the id of the civic address.")
    a = address_or_404(t, str(data["id"]))
    _address_body(data, create=False)
    if a["validationStatus"] == "Validated":
        raise bad("Unable to update a validated Civic Address")
    for k, v in data.items():
        k = ADDRESS_UPDATE_RENAMES.get(k, k)
        if k in ADDRESS_FIELDS:
            a[k] = v.upper() if k == "country" and v else v
    return Response(200, t.address_view(a))


def delete_address(sim, t, req, aid):
    a = address_or_404(t, aid)
    locs = {l["id"] for l in t.locations.values() if l["civicAddressId"] == a["id"]}
    for n in sorted(t.numbers.values(), key=lambda n: n["telephoneNumber"]):
        if n["civicAddressId"] == a["id"] or n["locationId"] in locs:
            raise bad("Civic address '%s' is in use by telephone number '%s' and cannot be deleted."
                      % (a["id"], n["telephoneNumber"]))
    for lid in locs:
        del t.locations[lid]
    del t.addresses[a["id"]]
    return Response(204)


def list_addresses(sim, t, req):
    """``GET /Skype.Ncs/civicAddresses/filters?city=&description=&count=&skip=``."""
    items = sorted(t.addresses.values(), key=lambda a: a["id"])
    city, desc = req.query.get("city"), req.query.get("description")
    if city:
        items = [a for a in items if (a.get("cityOrTown") or "").lower() == city.lower()]
    if desc:
        items = [a for a in items if desc.lower() in (a.get("description") or "").lower()]
    try:
        skip = int(req.query.get("skip") or 0)
        count = int(req.query.get("count") or 0)
    except ValueError:
        raise bad("count and skip must be integers.")
    items = items[skip:skip + count] if count else items[skip:]
    return Response(200, [t.address_view(a) for a in items])


def _location_name(data, required):
    """The place name: ``additionalInfo`` (the cmdlet's -Location, docs/wire.md).

    A ``location`` key may ride along with the same value; alone it is refused.
    """
    name = data.get("additionalInfo")
    if "location" in data and "additionalInfo" not in data:
        raise bad("Unknown property 'location' for a location; the place name is additionalInfo.")
    if "location" in data and data["location"] != name:
        raise bad("location and additionalInfo differ; the place name is additionalInfo.")
    if required and (not isinstance(name, str) or not name.strip()):
        raise bad("additionalInfo (the place name) is required to create a location.")
    if name is not None and not isinstance(name, str):
        raise bad("additionalInfo must be a string.")
    return name


def create_location(sim, t, req):
    data = body_object(req)
    check_keys(data, {"civicAddressId", "additionalInfo", "location", "elin", "description", "isDefault",
                      "countyOrDistrict", "companyId"}, "a location")
    cid = data.get("civicAddressId")
    if not cid:
        raise bad("civicAddressId is required to create a location.")
    if str(cid).lower() not in t.addresses:
        raise bad("Civic address '%s' is not found." % cid)
    name = _location_name(data, True)
    lid = new_guid()
    t.locations[lid] = {"id": lid, "civicAddressId": str(cid).lower(), "location": name,
                        "elin": data.get("elin"), "isDefault": False}
    return Response(200, t.location_view(t.locations[lid]))


def update_location(sim, t, req):
    """``PUT /Skype.Ncs/locations`` with the ``id`` in the body (no path id, docs/wire.md)."""
    data = body_object(req)
    if not data.get("id"):
        raise bad("The body must carry the id of the location.")
    loc = location_or_404(t, str(data["id"]))
    check_keys(data, {"id", "civicAddressId", "additionalInfo", "location", "elin", "description"}, "a location")
    if data.get("civicAddressId") and str(data["civicAddressId"]).lower() != loc["civicAddressId"]:
        raise bad("The civic address of a location cannot be changed.")
    name = _location_name(data, False)
    if "additionalInfo" in data:
        loc["location"] = name or ""
    if "elin" in data:
        loc["elin"] = data["elin"]
    return Response(200, t.location_view(loc))


def delete_location(sim, t, req, lid):
    loc = location_or_404(t, lid)
    if loc["isDefault"]:
        raise bad("The default location of civic address '%s' cannot be deleted; delete the civic address "
                  "instead." % loc["civicAddressId"])
    for n in sorted(t.numbers.values(), key=lambda n: n["telephoneNumber"]):
        if n["locationId"] == loc["id"]:
            raise bad("Location '%s' is in use by telephone number '%s' and cannot be deleted."
                      % (loc["id"], n["telephoneNumber"]))
    del t.locations[loc["id"]]
    return Response(204)


# -------------------------------------------------------- TelephoneNumberMgmt --

def require_tnm_header(req):
    if (req.header("x-ms-tnm-applicationid") or "").lower() != TNM_APPLICATION_ID:
        raise bad("The header 'x-ms-tnm-applicationid: %s' is required on /Skype.TelephoneNumberMgmt." %
                  TNM_APPLICATION_ID)


def enterprise_voice(sim, t, req):
    require_tnm_header(req)
    ident = req.query.get("identity")
    if not ident:
        raise bad("The identity query parameter is required.")
    u = t.find_user(ident)
    if u is None or not t.visible_to_teams(u):
        raise not_found("The user '%s' is not found" % ident)
    if req.method == "GET":
        nums = t.user_numbers(u["id"])
        return Response(200, [{"TelephoneNumber": n["telephoneNumber"], "NumberType": n["numberType"],
                               "AssignmentCategory": n["assignmentCategory"], "LocationId": n["locationId"]}
                              for n in nums])
    if req.body.strip():
        raise bad("This request takes no body; pass identity and enterpriseVoiceEnabled in the query.")
    # AutoRest renders a bool query value with bool.ToString(): True/False (docs/wire.md).
    ev = req.query.get("enterpriseVoiceEnabled") or ""
    if ev not in ("True", "False"):
        raise bad("enterpriseVoiceEnabled must be True or False.")
    u["isEnterpriseVoiceEnabled"] = ev == "True"
    u["_modified"] = iso_utc(time.time())
    return Response(204)


def tnm_numbers(sim, t, req, tid):
    require_tnm_header(req)
    if tid.lower() != t.tenant_id:
        raise ApiError(403, "Tenant '%s' does not match the token." % tid, "Forbidden")
    try:
        skip = int(req.query.get("skip") or 0)
        top = int(req.query.get("top") or 999)
    except ValueError:
        raise bad("skip and top must be integers.")
    nums = sorted(t.numbers.values(), key=lambda n: n["telephoneNumber"])[skip:skip + top]
    out = [{"TelephoneNumber": n["telephoneNumber"], "TargetId": n["assignmentTargetId"],
            "TargetType": {"userAssigned": "User", "voiceApplicationAssigned": "ResourceAccount",
                           "policyAssigned": "Policy"}.get(n["assignmentStatus"]),
            "LocationId": n["locationId"], "CivicAddressId": n["civicAddressId"],
            "AcquisitionDate": "2024-01-15T00:00:00Z",
            "NumberType": {"directRouting": "DirectRouting", "callingPlan": "CallingPlan",
                           "operatorConnect": "OperatorConnect"}[n["numberType"]],
            "Capability": n["capabilities"], "IsoCountryCode": n["isoCountryCode"],
            "ActivationState": t.number_view(n)["activationState"]} for n in nums]
    return Response(200, {"TelephoneNumbers": out})


# -------------------------------------------------------------------- router --

def handle(sim, t, req):
    """Route one Teams admin request (below ``/teams``) to its handler."""
    wids = set(req.claims.get("wids") or [])
    if not wids.intersection(TEAMS_ADMIN_ROLES):
        raise ApiError(403, "The application '%s' has no Teams Administrator directory role in tenant '%s'."
                       % (req.claims.get("appid"), t.tenant_id), "Forbidden")
    segs = [s for s in req.path.split("/") if s != ""]
    low = [s.lower() for s in segs]
    m = req.method
    n = len(segs)

    def nope():
        return ApiError(405, "The HTTP method '%s' is not allowed on %s." % (m, req.path), "MethodNotAllowed")

    if n >= 3 and low[:2] == ["skype.policy", "configurations"]:
        ptype = policy_type_or_404(t, segs[2])
        if n == 3:
            if m == "GET":
                return list_policies(sim, t, req, ptype)
            if m == "POST":
                return create_policy(sim, t, req, ptype)
            raise nope()
        if n == 5 and low[3] == "configuration":
            ident = segs[4]
            if m == "GET":
                return Response(200, copy.deepcopy(policy_or_404(t, ptype, ident)))
            # docs/wire.md: the MPA cmdlets update TeamsSharedCallingRoutingPolicy
            # with PATCH (Identity in the body); the ConfigAPI types use PUT.
            if m == ("PATCH" if ptype == "TeamsSharedCallingRoutingPolicy" else "PUT"):
                return update_policy(sim, t, req, ptype, ident)
            if m == "DELETE":
                return delete_policy(sim, t, req, ptype, ident)
            raise nope()
    if n == 5 and low[:2] == ["skype.policy", "users"] and low[3] == "policies":
        if m == "PATCH":
            return grant_user(sim, t, req, segs[2], segs[4])
        raise nope()
    if low[:2] == ["skype.policy", "grouppolicyassignments"]:
        if n == 2 and m == "GET":
            return list_group_grants(sim, t, req)
        if n == 5 and low[3] == "policytypes":
            return group_grant(sim, t, req, segs[2], segs[4])
    if n == 4 and low[:2] == ["skype.user", "users"] and low[3] == "policies" and m == "GET":
        return user_policies(sim, t, req, segs[2])
    if low[:3] == ["teams.platformservice", "v2", "applicationinstances"]:
        if n == 3:
            if m == "GET":
                return list_application_instances(sim, t, req)
            if m == "POST":
                return create_application_instance(sim, t, req)
            raise nope()
        if n == 4:
            if m == "PUT":
                return update_application_instance(sim, t, req, segs[3])
            raise nope()
    if low == ["teams.platformservice", "v2", "legacy", "applicationinstances"] and m == "GET":
        return legacy_application_instances(sim, t, req)
    if low[:2] == ["teams.voiceapps", "auto-attendants"]:
        if n == 2:
            if m == "GET":
                return list_auto_attendants(sim, t, req)
            if m == "POST":
                return create_auto_attendant(sim, t, req)
            raise nope()
        if n == 4 and low[2] == "status" and m == "GET":
            aa = aa_or_404(t, segs[3])
            return Response(200, {"id": aa["id"], "status": "Success", "errorDetails": None})
        if n == 3:
            if m == "GET":
                return Response(200, aa_wrapped(aa_or_404(t, segs[2])))
            if m == "PUT":
                return update_auto_attendant(sim, t, req, segs[2])
            if m == "DELETE":
                return delete_auto_attendant(sim, t, req, segs[2])
            raise nope()
    if low[:2] == ["teams.voiceapps", "applicationinstanceassociations"]:
        if n == 2:
            if m == "POST":
                return create_associations(sim, t, req)
            raise nope()
        if n == 3:
            return association(sim, t, req, segs[2])
        if n == 4 and low[3] == "status":
            return association(sim, t, req, segs[2], status=True)
    if low[:2] == ["teams.user", "users"]:
        if n == 2 and m == "GET":
            return list_teams_users(sim, t, req)
        if n == 3 and m == "GET":
            return get_teams_user(sim, t, req, segs[2])
    if low[:2] == ["skype.ncs", "locations"]:
        if n == 2:
            if m == "GET":
                return list_locations(sim, t, req)
            if m == "POST":
                return create_location(sim, t, req)
            if m == "PUT":
                return update_location(sim, t, req)
            raise nope()
        if n == 3 and low[2] == "filters" and m == "GET":
            return list_locations(sim, t, req, filters=True)
        if n == 3:
            if m == "GET":
                return Response(200, t.location_view(location_or_404(t, segs[2])))
            if m == "DELETE":
                return delete_location(sim, t, req, segs[2])
            raise nope()
    if low[:2] == ["skype.ncs", "civicaddresses"]:
        if n == 3 and low[2] == "filters" and m == "GET":
            return list_addresses(sim, t, req)
        if n == 2:
            if m == "GET":
                return Response(200, [t.address_view(a) for a in t.addresses.values()])
            if m == "POST":
                return create_address(sim, t, req)
            if m == "PUT":
                return update_address(sim, t, req)
            raise nope()
        if n == 3:
            if m == "GET":
                return Response(200, t.address_view(address_or_404(t, segs[2])))
            if m == "DELETE":
                return delete_address(sim, t, req, segs[2])
            raise nope()
    if low == ["skype.telephonenumbermgmt", "cmdlet", "assignments"]:
        if m in ("PUT", "GET"):
            return enterprise_voice(sim, t, req)
        raise nope()
    if n == 4 and low[:2] == ["skype.telephonenumbermgmt", "tenants"] and low[3] == "telephone-numbers" and m == "GET":
        return tnm_numbers(sim, t, req, segs[2])
    raise not_found("No resource at '%s %s' on the Teams admin backend." % (m, req.path))
