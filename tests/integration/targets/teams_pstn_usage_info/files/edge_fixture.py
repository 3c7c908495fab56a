"""Prints a small tenant whose call records exercise every rule of the audit
(docs/design/services.md#call-records), with the answers worked out by hand in the target's tasks.

    /usr/bin/python3 tests/integration/targets/teams_pstn_usage_info/files/edge_fixture.py > edge.json

The window is the week [2024-12-30T00:00:00Z, 2025-01-06T00:00:00Z): the
target runs the module with end 2025-01-06 and weeks 1. Every row is given
explicitly (pstnCalls / directRoutingCalls), so durations and charges are
known.

    user  licence          calls in the window                         class
    ana   Teams Phone      3 out (one USER_OUT_CONF, id upper-cased),   candidate
                           1 in; 5.0 + 0.5 min; charge 0.11 USD
    ben   Teams Phone, DR  6 ByotOut, 2 ByotIn, 1 ByotOut that failed   personal
          number
    cy    Teams Phone, DR  none                                         no_calls
          number
    dee   E3 only          1 out, 2.0 min, 0.04 USD                     candidate, no Teams Phone
    eve   Teams Phone with none                                         not audited
          the plan disabled
    fay   Teams Phone      1 ByotIn (5.0 min)                           candidate (0 out)
    gus   Teams Phone      5 out, one at the window's first second;     personal (5 is not below 5)
                           one more at its end and one before it,
                           both outside
    hal   Teams Phone      4 out, 1 dr_emergency_out                    candidate, 1 emergency
    --    bot rows (ucap_in, dr_in_ucap), one user_out row without a user (unattributed),
          one row whose callType is "Unknown" (other), and hal's fourth call
          repeated with its id (counted once: "repeated")
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', '..', 'tenantsim'))
import genfixture  # noqa: E402

PLAN_TEAMS_PHONE = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7"


def uid(name):
    return genfixture.gid("pstn-edge", name)


USERS = {
    "ana": ["ENTERPRISEPACK", "MCOEV"], "ben": ["ENTERPRISEPACK", "MCOEV"], "cy": ["ENTERPRISEPACK", "MCOEV"],
    "dee": ["ENTERPRISEPACK"],
    "eve": ["ENTERPRISEPACK", {"skuId": genfixture.SKU_MCOEV, "disabledPlans": [PLAN_TEAMS_PHONE]}],
    "fay": ["ENTERPRISEPACK", "MCOEV"], "gus": ["ENTERPRISEPACK", "MCOEV"], "hal": ["ENTERPRISEPACK", "MCOEV"],
}

seq = [0]


def pstn(user, start, duration, call_type, charge=0.0, connection=0.0, user_id=None):
    seq[0] += 1
    h, m, s = 8 + seq[0] % 10, seq[0] % 60, 0
    st = start if "T" in start else "%sT%02d:%02d:%02dZ" % (start, h, m, s)
    return {"id": genfixture.gid("pstn-edge-call", seq[0]), "callId": "edge-%d" % seq[0],
            "userId": user_id if user_id is not None else (uid(user) if user else None),
            "userPrincipalName": "%s@contoso.com" % user if user else None,
            "userDisplayName": user.title() if user else None,
            "startDateTime": st, "endDateTime": st, "duration": duration, "charge": charge,
            "connectionCharge": connection, "currency": "USD", "callType": call_type,
            "calleeNumber": "+14255559999", "callerNumber": "+14255559999", "destinationContext": "Domestic",
            "destinationName": "United States", "conferenceId": None, "licenseCapability": "MCOPSTNU",
            "inventoryType": "Subscriber", "operator": "Microsoft", "usageCountryCode": "US",
            "tenantCountryCode": "US", "callDurationSource": "microsoft"}


def dr(user, start, duration, call_type, ok=True, user_id=None):
    seq[0] += 1
    st = "%sT%02d:%02d:00Z" % (start, 8 + seq[0] % 10, seq[0] % 60)
    return {"id": genfixture.gid("pstn-edge-dr", seq[0]), "correlationId": genfixture.gid("corr", seq[0]),
            "userId": user_id if user_id is not None else uid(user),
            "userPrincipalName": "%s@contoso.com" % user if user else "",
            "userDisplayName": user.title() if user else "", "startDateTime": st, "inviteDateTime": st,
            "failureDateTime": None if ok else st, "endDateTime": st, "duration": duration if ok else 0,
            "callType": call_type, "successfulCall": ok, "callerNumber": "+14255559999",
            "calleeNumber": "+14255559999", "mediaPathLocation": "USWE", "signalingLocation": "USWE",
            "mediaBypassEnabled": False, "finalSipCode": 0 if ok else 487,
            "finalSipCodePhrase": "BYE" if ok else "Request Terminated", "callEndSubReason": 0,
            "trunkFullyQualifiedDomainName": "sbc.contoso.com"}


def fixture():
    fx = genfixture.base_fixture()
    fx["skus"] = genfixture.skus()
    fx["users"] = [{"id": uid(n), "userPrincipalName": "%s@contoso.com" % n, "displayName": n.title(),
                    "usageLocation": "US", "assignedLicenses": lic, "accountEnabled": True}
                   for n, lic in USERS.items()]
    fx["numbers"] = [
        {"telephoneNumber": "+14255550150", "numberType": "directRouting", "assignedTo": uid("ben")},
        {"telephoneNumber": "+14255550151", "numberType": "directRouting", "assignedTo": uid("cy")},
    ]
    fx["pstnCalls"] = [
        pstn("ana", "2024-12-30", 90, "user_out", 0.03, 0.01),
        pstn("ana", "2025-01-02", 150, "user_out", 0.05),
        pstn("ana", "2025-01-03", 60, "USER_OUT_CONF", 0.02, user_id=uid("ana").upper()),
        pstn("ana", "2025-01-03", 30, "user_in"),
        pstn("dee", "2025-01-04", 120, "user_out", 0.04),
        pstn("gus", "2024-12-30T00:00:00Z", 60, "user_out", 0.02),
        pstn("gus", "2024-12-31", 60, "user_out", 0.02),
        pstn("gus", "2025-01-01", 60, "user_out", 0.02),
        pstn("gus", "2025-01-02", 60, "user_out", 0.02),
        pstn("gus", "2025-01-05", 60, "user_out", 0.02),
        pstn("gus", "2025-01-06T00:00:00Z", 60, "user_out", 0.02),     # the window's end: outside
        pstn("gus", "2024-12-29T23:59:59Z", 60, "user_out", 0.02),     # before the window
        pstn("hal", "2024-12-31", 30, "user_out", 0.01),
        pstn("hal", "2025-01-01", 30, "user_out", 0.01),
        pstn("hal", "2025-01-02", 30, "user_out", 0.01),
        pstn("hal", "2025-01-03", 30, "user_out", 0.01),
        pstn(None, "2025-01-02", 40, "ucap_in"),                       # an auto attendant's call
        pstn(None, "2025-01-02", 40, "user_out", user_id=""),          # no user: unattributed
        pstn("ana", "2025-01-04", 40, "Unknown"),                      # neither in nor out: other
    ]
    fx["directRoutingCalls"] = [dr("ben", d, 120, "ByotOut") for d in
                                ("2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02", "2025-01-03",
                                 "2025-01-04")]
    fx["directRoutingCalls"] += [
        dr("ben", "2025-01-02", 45, "ByotIn"), dr("ben", "2025-01-03", 45, "ByotIn"),
        dr("ben", "2025-01-05", 0, "ByotOut", ok=False),
        dr("fay", "2025-01-02", 300, "ByotIn"),
        dr("hal", "2025-01-04", 20, "dr_emergency_out"),
        dr(None, "2025-01-04", 20, "dr_in_ucap", user_id=""),
    ]
    # The report repeats hal's fourth call (same id): counted once, hal stays below 5.
    fx["pstnCalls"].insert(16, dict(fx["pstnCalls"][15]))
    fx["_expected"] = {"window": ["2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"],
                       "ids": {n: uid(n) for n in USERS}}
    return fx


if __name__ == "__main__":
    json.dump(fixture(), sys.stdout, indent=1)
    sys.stdout.write("\n")
