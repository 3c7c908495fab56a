"""Teams admin backend: policies and SC rules, grants, resource accounts, auto attendants, LIS, voice."""

import time
import unittest

import genfixture
from simtestlib import AA_APP, GROUP, HQ_ADDRESS, TENANT, TNM_HEADER, SimTestCase

SCRP = "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy"
TNM = "/v1.0/admin/teams/telephoneNumberManagement"


class SharedCallingRules(SimTestCase):

    def policy(self, name, ra, numbers=(), method="POST"):
        body = {"Identity": name, "Description": "", "ResourceAccount": ra, "EmergencyNumbers": list(numbers)}
        return self.teams("POST", SCRP, body)

    def assert_400(self, r, text):
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error(), ("BadRequest", text))

    def test_valid_policy_marks_emergency_numbers(self):
        ra = self.ra_with_number()
        r = self.policy("Seattle", ra, ["+14255550102", "+14255550103"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["Identity"], "Tag:Seattle")
        n = self.number("+14255550102")
        self.assertEqual((n["assignmentStatus"], n["assignmentTargetId"]),
                         ("policyAssigned", "TeamsSharedCallingRoutingPolicy|Tag:Seattle"))
        lst = self.teams("GET", SCRP)
        self.assertEqual([p["Identity"] for p in lst.json], ["Global", "Tag:Seattle"])
        self.assertEqual(lst.headers.get("content-encoding"), "gzip")
        self.assertEqual(self.policy("Second", ra).status, 200)          # SC14

    def test_sc1_no_number(self):
        ra = self.create_ra()
        self.assert_400(self.policy("P", ra), "Resource account '%s' has no phone number assigned." % ra)

    def test_sc2_no_emergency_location(self):
        ra = self.ra_with_number(location=None)
        self.assert_400(self.policy("P", ra),
                        "The phone number '+14255550100' of resource account '%s' has no emergency location." % ra)

    def test_sc3_type_and_country(self):
        ra = self.ra_with_number()
        for n in ("+12065550101", "+442071234567"):
            self.assert_400(self.policy("P", ra, [n]), "Emergency number '%s' must have the same number type and "
                                                       "country as the resource account number." % n)

    def test_sc4_assigned_number(self):
        ra = self.ra_with_number()
        adele = self.user("adele@contoso.com")["id"]
        self.assert_400(self.policy("P", ra, ["+14255550101"]),
                        "Emergency number '+14255550101' is assigned to '%s'." % adele)

    def test_sc5_unique_across_policies(self):
        ra = self.ra_with_number()
        self.assertEqual(self.policy("A", ra, ["+14255550102"]).status, 200)
        self.assert_400(self.policy("B", ra, ["+14255550102"]),
                        "Emergency number '+14255550102' is already used by policy 'A'.")
        r = self.teams("PATCH", SCRP + "/configuration/Tag:A",
                       {"Identity": "A", "EmergencyNumbers": ["+14255550102", "+14255550103"]})
        self.assertEqual(r.status, 200, r)

    def calling_plan_ra(self, num="+12065550100", credits=True, upn="cp@contoso.com"):
        skus = [genfixture.SKU_VIRTUALUSER, genfixture.SKU_PAYG] + ([genfixture.SKU_MCOPSTNC] if credits else [])
        return self.ra_with_number(num, "callingPlan", licence=skus, upn=upn)

    def test_sc6_calling_plan_numbers_must_exist(self):
        ra = self.calling_plan_ra()
        self.assert_400(self.policy("P", ra, ["+12065559999"]),
                        "Telephone Number '+12065559999' is not found from tenant '%s'" % TENANT)

    def test_sc7_subscriber_numbers_and_toll_free(self):
        ra = self.calling_plan_ra()
        r = self.policy("P", ra, ["+18005550100"])
        self.assertEqual(r.status, 400)
        self.assertTrue(r.error()[1].startswith("Emergency number '+18005550100' must be a Calling Plan subscriber "
                                                "number"))
        self.assertEqual(self.policy("P", ra, ["+12065550101"]).status, 200)
        tf = self.calling_plan_ra("+18005550100", upn="tollfree@contoso.com")
        r = self.policy("TF", tf)
        self.assertEqual(r.status, 400)
        self.assertIn("toll-free", r.error()[1])
        self.assertEqual(self.policy("TF", tf, ["+12065550102"]).status, 200)

    def test_sc8_payg_and_credits(self):
        ra = self.calling_plan_ra(credits=False)
        self.assert_400(self.policy("P", ra),
                        "Resource account '%s' needs a Pay-As-You-Go Calling Plan and Communications Credits." % ra)

    def test_sc15_emergency_number_cannot_be_assigned_or_unassigned(self):
        ra = self.ra_with_number()
        self.assertEqual(self.policy("A", ra, ["+14255550102"]).status, 200)
        op = self.operation(self.assign("+14255550102", self.user("bianca@contoso.com")["id"], "directRouting"))
        self.assertEqual(op["numbers"][0]["statusDetail"],
                         "Telephone Number '+14255550102' has already been assigned to another user")
        r = self.graph("POST", TNM + "/numberAssignments/unassignNumber",
                       {"telephoneNumber": "+14255550102", "numberType": "directRouting"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.error()[0], "BadRequest")
        self.assertIn("innerError", r.json["error"])

    def test_sc20_global_cannot_be_deleted(self):
        r = self.teams("DELETE", SCRP + "/configuration/Global")
        self.assertEqual(r.status, 400)

    def test_delete_releases_numbers_and_refuses_while_granted(self):
        ra = self.ra_with_number()
        self.assertEqual(self.policy("A", ra, ["+14255550102"]).status, 200)
        uid = self.user("diego@contoso.com")["id"]
        self.assertEqual(self.teams("PATCH", "/Skype.Policy/users/%s/policies/TeamsSharedCallingRoutingPolicy"
                                    % uid, {"policyName": "A", "additionalParameters": None}).status, 204)
        r = self.teams("DELETE", SCRP + "/configuration/Tag:A")
        self.assertEqual(r.status, 400)
        self.assertIn("still granted", r.error()[1])
        self.assertEqual(self.teams("PATCH", "/Skype.Policy/users/%s/policies/TeamsSharedCallingRoutingPolicy"
                                    % uid, {"policyName": None, "additionalParameters": None}).status, 204)
        self.assertEqual(self.teams("DELETE", SCRP + "/configuration/A").status, 204)
        self.assertEqual(self.number("+14255550102")["assignmentStatus"], "unassigned")


class PolicyConfigurations(SimTestCase):

    OVRP = "/Skype.Policy/configurations/OnlineVoiceRoutingPolicy"

    def test_crud_identity_forms(self):
        r = self.teams("POST", self.OVRP, {"Identity": "SC-NoPstn", "Description": "d", "OnlinePstnUsages": []})
        self.assertEqual((r.status, r.json["Identity"], r.json["RouteType"]), (200, "Tag:SC-NoPstn", "BYOT"))
        self.assertEqual(self.teams("POST", self.OVRP, {"Identity": "SC-NoPstn"}).status, 409)
        self.assertEqual(self.teams("GET", self.OVRP + "/configuration/sc-nopstn").json["Description"], "d")
        r = self.teams("PUT", self.OVRP + "/configuration/Tag:SC-NoPstn", {"OnlinePstnUsages": ["National"]})
        self.assertEqual(r.json["OnlinePstnUsages"], ["National"])
        self.assertEqual(r.json["Description"], "d")
        self.assertEqual(self.teams("PUT", self.OVRP + "/configuration/Tag:Missing", {"Description": ""}).status, 404)
        self.assertEqual(self.teams("GET", self.OVRP + "/configuration/Tag:Missing").status, 404)
        self.assertEqual(self.teams("DELETE", self.OVRP + "/configuration/Tag:SC-NoPstn").status, 204)

    def test_strict_bodies_and_usages(self):
        r = self.teams("POST", self.OVRP, {"Identity": "X", "onlinePstnUsages": []})
        self.assertEqual(r.status, 400)
        self.assertIn("Unknown property 'onlinePstnUsages'", r.error()[1])
        r = self.teams("POST", self.OVRP, {"Identity": "X", "OnlinePstnUsages": ["Nope"]})
        self.assertEqual(r.error()[1], "PSTN usage 'Nope' is not found in OnlinePstnUsages.")
        self.assertEqual(self.teams("POST", self.OVRP, {"Identity": "X", "RouteType": "BYOT"}).status, 400)

    def test_pstn_usages_global(self):
        g = self.teams("GET", "/Skype.Policy/configurations/OnlinePstnUsages/configuration/Global").json
        self.assertEqual(g["Usage"], ["National", "International"])
        self.assertEqual(self.teams("POST", "/Skype.Policy/configurations/OnlinePstnUsages",
                                    {"Identity": "X"}).status, 400)
        self.teams("POST", self.OVRP, {"Identity": "Intl", "OnlinePstnUsages": ["International"]})
        r = self.teams("PUT", "/Skype.Policy/configurations/OnlinePstnUsages/configuration/Global",
                       {"Usage": ["National"]})
        self.assertEqual(r.status, 400)
        r = self.teams("PUT", "/Skype.Policy/configurations/OnlinePstnUsages/configuration/Global",
                       {"Usage": ["National", "International", "Local"]})
        self.assertEqual(r.status, 200)

    def test_emergency_call_routing_policy(self):
        body = {"Identity": "SC-DR-ECRP", "Description": "", "AllowEnhancedEmergencyServices": True,
                "EmergencyNumbers": [{"EmergencyDialString": "911", "EmergencyDialMask": "",
                                      "OnlinePSTNUsage": "National"}]}
        self.assertEqual(self.teams("POST", "/Skype.Policy/configurations/TeamsEmergencyCallRoutingPolicy",
                                    body).status, 200)
        r = self.teams("PUT", "/Skype.Policy/groupPolicyAssignments/%s/policyTypes/TeamsEmergencyCallRoutingPolicy"
                       % GROUP, {"policyName": "SC-DR-ECRP", "priority": 1})
        self.assertEqual(r.status, 400)

    def test_unknown_type(self):
        self.assertEqual(self.teams("GET", "/Skype.Policy/configurations/NoSuchPolicy").status, 404)


class Grants(SimTestCase):

    def make(self, *names):
        for n in names:
            r = self.teams("POST", "/Skype.Policy/configurations/OnlineVoiceRoutingPolicy", {"Identity": n})
            self.assertEqual(r.status, 200, r)

    def effective(self, uid, ptype="OnlineVoiceRoutingPolicy"):
        conf = self.graph("GET", "/v1.0/admin/teams/userConfigurations/" + uid).json
        pa = next(e for e in conf["effectivePolicyAssignments"] if e["policyType"] == ptype)["policyAssignment"]
        return pa["displayName"], pa["assignmentType"]

    def grant_group(self, name, rank, group=GROUP, method="PUT"):
        return self.teams(method, "/Skype.Policy/groupPolicyAssignments/%s/policyTypes/OnlineVoiceRoutingPolicy"
                          % group, {"policyName": name, "priority": rank})

    def test_direct_beats_group_beats_global(self):
        self.make("G1", "D1")
        uid = self.user("diego@contoso.com")["id"]
        self.assertEqual(self.effective(uid), ("Global", None))
        self.assertEqual(self.grant_group("G1", 1).status, 204)
        self.assertEqual(self.effective(uid), ("G1", "group"))
        r = self.teams("GET", "/Skype.Policy/groupPolicyAssignments/%s/policyTypes/OnlineVoiceRoutingPolicy" % GROUP)
        self.assertEqual({k: r.json[k] for k in ("groupId", "policyType", "policyName", "priority")},
                         {"groupId": GROUP, "policyType": "OnlineVoiceRoutingPolicy", "policyName": "G1",
                          "priority": 1})
        self.assertEqual(len(self.teams("GET", "/Skype.Policy/groupPolicyAssignments?policyType="
                                               "OnlineVoiceRoutingPolicy").json), 1)
        self.assertEqual(self.teams("PATCH", "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % uid,
                                    {"policyName": "D1", "additionalParameters": None}).status, 204)
        self.assertEqual(self.effective(uid), ("D1", "direct"))
        tu = self.teams("GET", "/Teams.User/users/" + uid).json
        ovrp = next(e for e in tu["effectivePolicyAssignments"] if e["policyType"] == "OnlineVoiceRoutingPolicy")
        self.assertEqual(ovrp["policyAssignment"]["assignmentType"], "Direct")
        self.assertEqual(self.teams("DELETE", "/Skype.Policy/groupPolicyAssignments/%s/policyTypes/"
                                              "OnlineVoiceRoutingPolicy" % GROUP).status, 204)

    def test_lowest_rank_wins_between_groups(self):
        import copy
        fx = copy.deepcopy(self.sim.baseline_fixture)
        other = "7e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b0"
        fx["groups"].append({"id": other, "displayName": "Other", "members": ["diego@contoso.com"]})
        self.call("POST", "/_sim/fixture", fx)
        try:
            self.make("G1", "G2")
            uid = self.user("diego@contoso.com")["id"]
            self.assertEqual(self.grant_group("G1", 2).status, 204)
            self.assertEqual(self.grant_group("G2", 1, other).status, 204)
            self.assertEqual(self.effective(uid), ("G2", "group"))
        finally:
            self.call("POST", "/_sim/fixture", genfixture.default_fixture())

    def test_shared_calling_grant_warns_about_personal_number(self):
        ra = self.ra_with_number()
        self.assertEqual(self.teams("POST", SCRP, {"Identity": "S", "ResourceAccount": ra}).status, 200)
        adele = self.user("adele@contoso.com")["id"]
        r = self.teams("PATCH", "/Skype.Policy/users/%s/policies/TeamsSharedCallingRoutingPolicy" % adele,
                       {"policyName": "S", "additionalParameters": None})
        self.assertEqual(r.status, 204)                                     # SC10: accepted
        self.assertIn("+14255550101", r.headers["x-ms-configapi-powershell-warningmessage"])
        diego = self.user("diego@contoso.com")["id"]
        r = self.teams("PATCH", "/Skype.Policy/users/%s/policies/TeamsSharedCallingRoutingPolicy" % diego,
                       {"policyName": "S", "additionalParameters": None})
        self.assertIn("enterprise voice", r.headers["x-ms-configapi-powershell-warningmessage"])

    def test_grant_right_after_licensing_is_transient(self):
        self.make("D1")
        self.settings(replication_delay_s=0.5)
        uid = self.user("pradeep@contoso.com")["id"]
        self.graph("POST", "/v1.0/users/%s/assignLicense" % uid,
                   {"addLicenses": [{"skuId": genfixture.SKU_MCOEV, "disabledPlans": []}], "removeLicenses": []})
        r = self.teams("PATCH", "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % uid, {"policyName": "D1", "additionalParameters": None})
        self.assertEqual(r.status, 400)
        self.assertIn("The user was not provisioned successfully.", r.error()[1])
        time.sleep(0.6)
        r = self.teams("PATCH", "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % uid, {"policyName": "D1", "additionalParameters": None})
        self.assertEqual(r.status, 204)

    def test_grant_delay(self):
        self.make("D1")
        self.settings(grant_delay_s=0.5)
        uid = self.user("joni@contoso.com")["id"]
        self.teams("PATCH", "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % uid, {"policyName": "D1", "additionalParameters": None})
        self.assertEqual(self.effective(uid), ("Global", None))
        # The assignment as written shows at once (Get-CsUserPolicyAssignment).
        r = self.teams("GET", "/Skype.User/users/%s/policies?policyType=OnlineVoiceRoutingPolicy" % uid)
        self.assertEqual([(p["PolicyName"], p["AssignmentType"]) for p in r.json], [("D1", "Direct")])
        time.sleep(0.6)
        self.assertEqual(self.effective(uid), ("D1", "direct"))

    def test_grant_errors(self):
        uid = self.user("joni@contoso.com")["id"]
        r = self.teams("PATCH", "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % uid,
                       {"policyName": "Nope", "additionalParameters": None})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json, {"error": {"code": "BadRequest", "message": "Policy 'Nope' of type "
                                                                             "'OnlineVoiceRoutingPolicy' does not exist."}})
        r = self.teams("PATCH", "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % uid,
                       {"policyName": "", "additionalParameters": None})
        self.assertEqual(r.status, 400)
        r = self.teams("PATCH", "/Skype.Policy/users/00000000-0000-4000-8000-000000000000/policies/"
                                "OnlineVoiceRoutingPolicy", {"policyName": None, "additionalParameters": None})
        self.assertEqual(r.error(), ("NotFound", "User does not exist"))

    def test_grant_to_replicating_resource_account(self):
        self.settings(replication_delay_s=0.5)
        oid = self.create_ra(licence=False, usage=None)
        r = self.teams("PATCH", "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % oid, {"policyName": None, "additionalParameters": None})
        self.assertEqual(r.error()[1], "User does not exist")
        r = self.teams("GET", "/Teams.PlatformService/v2/Legacy/ApplicationInstances?identity=" + oid)
        self.assertEqual((r.status, r.error()[1]), (404, "The user '%s' is not found" % oid))
        time.sleep(0.6)
        self.assertEqual(self.teams("GET", "/Teams.PlatformService/v2/Legacy/ApplicationInstances?identity="
                                    + oid).status, 200)


class ResourceAccounts(SimTestCase):

    RA = "/Teams.PlatformService/v2/ApplicationInstances"

    def test_create_rules(self):
        body = {"userPrincipalName": "aa@contoso.com", "displayName": "AA", "applicationId": AA_APP}
        r = self.teams("POST", self.RA, body)
        self.assertEqual(r.status, 200)
        self.assertEqual(sorted(r.json), ["acsResourceId", "applicationId", "displayName", "objectId",
                                          "phoneNumber", "tenantId", "userPrincipalName"])
        self.assertEqual(self.teams("POST", self.RA, body).status, 409)
        self.assertEqual(self.teams("POST", self.RA, {"userPrincipalName": "x@contoso.com"}).status, 400)
        self.assertEqual(self.teams("POST", self.RA, dict(body, userPrincipalName="x@fabrikam.com")).status, 400)
        g = self.graph("GET", "/v1.0/users/aa@contoso.com?$select=id,accountEnabled")
        self.assertEqual((g.status, g.json["accountEnabled"]), (200, False))

    def test_list_only_licensed_with_paging(self):
        self.create_ra("a1@contoso.com")
        self.create_ra("a2@contoso.com")
        self.create_ra("a3@contoso.com", licence=False)
        seen, url = [], self.RA + "?pageSize=1"
        while True:
            r = self.teams("GET", url)
            seen += [a["userPrincipalName"] for a in r.json["applicationInstances"]]
            if "skipToken" not in r.json:
                break
            url = self.RA + "?pageSize=1&skipToken=" + r.json["skipToken"]
        self.assertEqual(sorted(seen), ["a1@contoso.com", "a2@contoso.com"])

    def test_update_and_legacy_read(self):
        oid = self.ra_with_number()
        r = self.teams("PUT", self.RA + "/" + oid, {"displayName": "Renamed", "applicationId": AA_APP})
        self.assertEqual(r.json["displayName"], "Renamed")
        r = self.teams("GET", "/Teams.PlatformService/v2/Legacy/ApplicationInstances?identity=mainline@contoso.com")
        self.assertEqual(r.json[0]["phoneNumber"], "tel:+14255550100")

    def test_delete_through_graph(self):
        oid = self.create_ra()
        self.assertEqual(self.graph("DELETE", "/v1.0/users/" + oid).status, 204)
        self.assertEqual(self.teams("GET", "/Teams.PlatformService/v2/Legacy/ApplicationInstances?identity="
                                    + oid).status, 404)


class AutoAttendants(SimTestCase):

    AA = {"name": "Seattle Main", "languageId": "en-US", "voiceId": "Female", "timeZoneId": "Pacific Standard Time",
          "voiceResponseEnabled": False,
          "defaultCallFlow": {"name": "Default", "greetings": [{"activeType": "TextToSpeech",
                                                                "textToSpeechPrompt": "Welcome"}],
                              "menu": {"name": "Main", "dialByNameEnabled": True, "directorySearchMethod": "ByName",
                                       "prompts": [], "menuOptions": [{"action": "TransferCallToOperator",
                                                                       "dtmfResponse": "Tone0"}]}},
          "callFlows": [], "callHandlingAssociations": [], "dialByNameResourceId": None,
          "directoryLookupScope": {"inclusionScope": {"type": "Customized", "groupDialScope": {"groupIds": [GROUP]}}}}

    def test_crud_and_association(self):
        r = self.teams("POST", "/Teams.VoiceApps/auto-attendants", self.AA)
        self.assertEqual(r.status, 200, r)
        aid = r.json["autoAttendant"]["id"]
        ra = self.create_ra()
        assoc = {"configurationId": aid, "configurationType": "AutoAttendant", "endpointsId": [ra], "callPriority": 3}
        self.assertEqual(self.teams("POST", "/Teams.VoiceApps/applicationinstanceassociations", assoc).status, 200)
        got = self.teams("GET", "/Teams.VoiceApps/auto-attendants/" + aid).json["autoAttendant"]
        self.assertEqual(got["applicationInstances"], [ra])
        a = self.teams("GET", "/Teams.VoiceApps/applicationinstanceassociations/" + ra).json
        self.assertEqual((a["configurationId"], a["callPriority"]), (aid, 3))
        got["name"] = "Seattle Main 2"
        self.assertEqual(self.teams("PUT", "/Teams.VoiceApps/auto-attendants/" + aid,
                                    got).json["autoAttendant"]["name"], "Seattle Main 2")
        self.assertEqual(len(self.teams("GET", "/Teams.VoiceApps/auto-attendants?nameFilter=seattle")
                             .json["autoAttendants"]), 1)
        second = self.teams("POST", "/Teams.VoiceApps/auto-attendants", self.AA).json["autoAttendant"]["id"]
        r = self.teams("POST", "/Teams.VoiceApps/applicationinstanceassociations", dict(assoc, configurationId=second))
        self.assertEqual(r.status, 400)                                     # N9
        self.assertEqual(self.teams("POST", "/Teams.VoiceApps/applicationinstanceassociations",
                                    dict(assoc, callPriority=6)).status, 400)
        self.assertEqual(self.teams("DELETE", "/Teams.VoiceApps/applicationinstanceassociations/" + ra).status, 204)
        self.assertEqual(self.teams("DELETE", "/Teams.VoiceApps/auto-attendants/" + aid).status, 204)
        self.assertEqual(self.teams("GET", "/Teams.VoiceApps/auto-attendants/" + aid).status, 404)

    def test_validation(self):
        self.assertEqual(self.teams("POST", "/Teams.VoiceApps/auto-attendants", {"name": "x"}).status, 400)
        bad_group = dict(self.AA, directoryLookupScope={"inclusionScope": {"groupDialScope": {
            "groupIds": ["00000000-0000-4000-8000-000000000000"]}}})
        self.assertEqual(self.teams("POST", "/Teams.VoiceApps/auto-attendants", bad_group).status, 400)


class EmergencyLocations(SimTestCase):

    ADDR = {"companyName": "Contoso", "country": "US", "description": "Seattle", "houseNumber": "2",
            "streetName": "Pine", "streetSuffix": "St", "cityOrTown": "Seattle", "stateOrProvince": "WA",
            "postalOrZipCode": "98101", "latitude": "47.61", "longitude": "-122.33"}

    def test_address_creates_default_location(self):
        r = self.teams("POST", "/Skype.Ncs/civicAddresses", self.ADDR)
        self.assertEqual((r.status, r.json["validationStatus"]), (200, "Validated"))
        locs = [l for l in self.teams("GET", "/Skype.Ncs/locations").json if l["civicAddressId"] == r.json["id"]]
        self.assertEqual(len(locs), 1)
        self.assertTrue(locs[0]["isDefault"])
        self.assertEqual(locs[0]["id"], r.json["defaultLocationId"])
        self.assertEqual(locs[0]["numberOfVoiceUsers"], -1)

    def test_n13_validated_address_cannot_be_updated(self):
        r = self.teams("PUT", "/Skype.Ncs/civicAddresses", {"id": HQ_ADDRESS, "houseNumber": "2"})
        self.assertEqual(r.json, {"error": {"code": "BadRequest", "message": "Unable to update a validated Civic "
                                                                             "Address"}})
        nv = dict(self.ADDR)
        del nv["latitude"], nv["longitude"]
        a = self.teams("POST", "/Skype.Ncs/civicAddresses", nv).json
        self.assertEqual(a["validationStatus"], "NotValidated")
        r = self.teams("PUT", "/Skype.Ncs/civicAddresses", {"id": a["id"], "houseNumber": "4"})
        self.assertEqual((r.status, r.json["houseNumber"]), (200, "4"))

    def test_locations_and_n14(self):
        a = self.teams("POST", "/Skype.Ncs/civicAddresses", self.ADDR).json
        loc = self.teams("POST", "/Skype.Ncs/locations", {"civicAddressId": a["id"], "additionalInfo": "Floor 3",
                                                          "elin": None})
        self.assertEqual((loc.status, loc.json["location"]), (200, "Floor 3"))
        lid = loc.json["id"]
        r = self.teams("PUT", "/Skype.Ncs/locations", {"id": lid, "additionalInfo": "Floor 4"})
        self.assertEqual(r.json["location"], "Floor 4")
        self.graph("POST", TNM + "/numberAssignments/updateNumber", {"telephoneNumber": "+14255550103",
                                                                     "locationId": lid})
        r = self.teams("DELETE", "/Skype.Ncs/locations/" + lid)
        self.assertEqual(r.status, 400)
        self.assertEqual(self.teams("DELETE", "/Skype.Ncs/civicAddresses/" + a["id"]).status, 400)
        self.assertEqual(self.teams("DELETE", "/Skype.Ncs/civicAddresses/" + HQ_ADDRESS).status, 400)
        self.assertEqual(self.teams("DELETE", "/Skype.Ncs/locations/" + a["defaultLocationId"]).status, 400)
        self.graph("POST", TNM + "/numberAssignments/updateNumber", {"telephoneNumber": "+14255550103",
                                                                     "locationId": ""})
        self.assertEqual(self.teams("DELETE", "/Skype.Ncs/locations/" + lid).status, 204)
        self.assertEqual(self.teams("DELETE", "/Skype.Ncs/civicAddresses/" + a["id"]).status, 204)
        f = self.teams("GET", "/Skype.Ncs/locations/filters?civicAddressId=%s&populateNumberOfTelephoneNumbers=true"
                       % HQ_ADDRESS).json
        self.assertEqual(f[0]["numberOfTelephoneNumbers"], 1)
        f = self.teams("GET", "/Skype.Ncs/civicAddresses/filters?city=Redmond").json
        self.assertEqual([a["id"] for a in f], [HQ_ADDRESS])


class VoiceAndUsers(SimTestCase):

    def test_enterprise_voice(self):
        uid = self.user("joni@contoso.com")["id"]
        path = "/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=%s&enterpriseVoiceEnabled=True" % uid
        self.assertEqual(self.teams("PUT", path).status, 400)
        self.assertEqual(self.teams("PUT", path, headers=TNM_HEADER).status, 204)
        conf = self.graph("GET", "/v1.0/admin/teams/userConfigurations/" + uid).json
        self.assertTrue(conf["isEnterpriseVoiceEnabled"])
        r = self.teams("PUT", "/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=nobody@contoso.com&"
                              "enterpriseVoiceEnabled=True", headers=TNM_HEADER)
        self.assertEqual(r.status, 404)

    def test_teams_users_paging(self):
        seen, url = [], "/Teams.User/users?pageSize=6"
        while url:
            r = self.teams("GET", url)
            seen += r.json["users"]
            url = r.json.get("@nextLink")
        self.assertEqual(len(seen), 20)

    def test_tnm_numbers_read(self):
        r = self.teams("GET", "/Skype.TelephoneNumberMgmt/Tenants/%s/telephone-numbers?skip=0&top=999&locale=en-US"
                       % TENANT, headers=TNM_HEADER)
        self.assertEqual(len(r.json["TelephoneNumbers"]), 13)


class OldWireShapesRefused(SimTestCase):
    """Every request corrected from docs/wire.md is refused in its old form.

    A client that drifts back to one of these shapes fails here and in the
    integration targets that send it.
    """

    OVRP = "/Skype.Policy/configurations/OnlineVoiceRoutingPolicy"

    def assert_refused(self, r, status=400):
        self.assertEqual(r.status, status, r)

    def test_group_grant_verbs_and_priority(self):
        self.teams("POST", self.OVRP, {"Identity": "G1"})
        path = "/Skype.Policy/groupPolicyAssignments/%s/policyTypes/OnlineVoiceRoutingPolicy" % GROUP
        self.assert_refused(self.teams("PUT", path, {"PolicyName": "G1", "Rank": 1}))
        self.assert_refused(self.teams("PUT", path, {"policyName": "G1", "rank": 1}))
        self.assert_refused(self.teams("PATCH", path, {"policyName": "G1", "priority": 1}), 404)  # create with PATCH
        self.assertEqual(self.teams("PUT", path, {"policyName": "G1", "priority": 1}).status, 204)
        self.assert_refused(self.teams("PUT", path, {"policyName": "G1", "priority": 2}), 409)    # change with PUT
        self.assertEqual(self.teams("PATCH", path, {"policyName": "G1", "priority": 2}).status, 204)
        lst = self.teams("GET", "/Skype.Policy/groupPolicyAssignments?policyType=OnlineVoiceRoutingPolicy").json
        self.assertEqual([(g["policyName"], g["priority"]) for g in lst], [("G1", 2)])
        self.assertEqual(self.teams("DELETE", path).status, 204)

    def test_user_grant_body(self):
        self.teams("POST", self.OVRP, {"Identity": "D1"})
        path = "/Skype.Policy/users/%s/policies/OnlineVoiceRoutingPolicy" % self.user("joni@contoso.com")["id"]
        self.assert_refused(self.teams("PATCH", path, {"PolicyName": "D1"}))
        self.assert_refused(self.teams("PATCH", path, {"policyName": "D1"}))
        self.assert_refused(self.teams("PATCH", path, {"policyName": "", "additionalParameters": None}))
        self.assertEqual(self.teams("PATCH", path, {"policyName": "D1", "additionalParameters": None}).status, 204)
        self.assertEqual(self.teams("PATCH", path, {"policyName": None, "additionalParameters": None}).status, 204)

    def test_shared_calling_update_is_patch_with_identity(self):
        self.assertEqual(self.teams("POST", SCRP, {"Identity": "S"}).status, 200)
        self.assert_refused(self.teams("PUT", SCRP + "/configuration/Tag:S", {"Description": "x"}), 405)
        self.assert_refused(self.teams("PATCH", SCRP + "/configuration/S", {"Description": "x"}))
        self.assertEqual(self.teams("PATCH", SCRP + "/configuration/S", {"Identity": "S", "Description": "x"})
                         .status, 200)
        self.assert_refused(self.teams("PATCH", self.OVRP + "/configuration/Global", {"Description": "x"}), 405)

    def test_teams_user_psfilter_and_next_link(self):
        self.assert_refused(self.teams("GET", "/Teams.User/users?filter=accountType%20eq%20'ResourceAccount'"))
        for n in range(3):
            self.create_ra("ra%d@contoso.com" % n)
        seen, url = [], "/Teams.User/users?pageSize=2&psfilter=" + "AccountType%20-eq%20'ResourceAccount'"
        while url:
            r = self.teams("GET", url)
            self.assertNotIn("skipToken", r.json)
            seen += [u["userPrincipalName"] for u in r.json["users"]]
            url = r.json.get("@nextLink")
        self.assertEqual(sorted(seen), ["ra0@contoso.com", "ra1@contoso.com", "ra2@contoso.com"])

    def test_auto_attendant_shapes(self):
        base = {"name": "A", "languageId": "en-US", "timeZoneId": "UTC", "defaultCallFlow": {"name": "D"}}
        self.assert_refused(self.teams("POST", "/Teams.VoiceApps/auto-attendants", dict(base, schedules=[])))
        self.assert_refused(self.teams("POST", "/Teams.VoiceApps/auto-attendants", dict(
            base, directoryLookupScope={"inclusionScope": {"type": "Customized", "groupScope": {"groupIds": [GROUP]}}})))
        r = self.teams("POST", "/Teams.VoiceApps/auto-attendants", base)
        self.assertEqual(sorted(r.json), ["autoAttendant", "diagnostic"])
        aa = r.json["autoAttendant"]
        weekly = {"mondayHours": [{"start": "09:00:00", "end": "17:00:00"}]}
        sched = {"id": "s1", "name": "After hours", "type": "WeeklyRecurrence",
                 "weeklyRecurrentSchedule": dict(weekly, complementEnabled=True)}
        path = "/Teams.VoiceApps/auto-attendants/" + aa["id"]
        self.assert_refused(self.teams("PUT", path, dict(aa, schedules=[sched])))
        sched["weeklyRecurrentSchedule"] = dict(weekly, isComplemented=True)
        self.assertEqual(self.teams("PUT", path, dict(aa, schedules=[sched])).status, 200)
        self.assertIn("autoAttendants", self.teams("GET", "/Teams.VoiceApps/auto-attendants").json)

    def test_emergency_address_and_location_shapes(self):
        addr = dict(EmergencyLocations.ADDR)
        del addr["latitude"], addr["longitude"]
        self.assert_refused(self.teams("POST", "/Skype.Ncs/civicAddresses", dict(addr, countyOrDistrict="King")))
        a = self.teams("POST", "/Skype.Ncs/civicAddresses", dict(addr, cityOrTownAlias="Sea", companyId="1")).json
        self.assert_refused(self.teams("PUT", "/Skype.Ncs/civicAddresses/" + a["id"], {"id": a["id"]}), 405)
        self.assert_refused(self.teams("PUT", "/Skype.Ncs/civicAddresses", {"id": a["id"], "cityOrTownAlias": "x"}))
        self.assert_refused(self.teams("PUT", "/Skype.Ncs/civicAddresses", {"id": a["id"], "companyId": "x"}))
        r = self.teams("PUT", "/Skype.Ncs/civicAddresses", {"id": a["id"], "cityAlias": "S2", "companyTaxId": "2"})
        self.assertEqual((r.status, r.json["cityOrTownAlias"], r.json["companyId"]), (200, "S2", "2"))
        self.assert_refused(self.teams("POST", "/Skype.Ncs/locations", {"civicAddressId": a["id"], "location": "F1"}))
        loc = self.teams("POST", "/Skype.Ncs/locations", {"civicAddressId": a["id"], "additionalInfo": "F1",
                                                          "location": "F1"})
        self.assertEqual((loc.status, loc.json["location"]), (200, "F1"))
        lid = loc.json["id"]
        self.assert_refused(self.teams("PUT", "/Skype.Ncs/locations/" + lid, {"id": lid, "additionalInfo": "F2"}),
                            405)
        self.assert_refused(self.teams("PUT", "/Skype.Ncs/locations", {"id": lid, "location": "F2"}))
        self.assertEqual(self.teams("PUT", "/Skype.Ncs/locations", {"id": lid, "additionalInfo": "F2"})
                         .json["location"], "F2")

    def test_enterprise_voice_bool_case(self):
        uid = self.user("joni@contoso.com")["id"]
        path = "/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=%s&enterpriseVoiceEnabled=" % uid
        self.assert_refused(self.teams("PUT", path + "true", headers=TNM_HEADER))
        self.assertEqual(self.teams("PUT", path + "True", headers=TNM_HEADER).status, 204)


if __name__ == "__main__":
    unittest.main()
