"""Graph: users, licences, groups, user configurations, policy assignment, call records, paging."""

import datetime
import time
import unittest
import urllib.parse

import genfixture
from simtestlib import RO_APP, RO_SECRET, GROUP, SimTestCase

Q = urllib.parse.quote


class Users(SimTestCase):

    def test_paging_follows_next_link_with_select(self):
        seen, url, pages = [], "/v1.0/users?$top=7&$select=id,userPrincipalName", 0
        while url:
            r = self.graph("GET", url)
            self.assertEqual(r.status, 200, r)
            pages += 1
            for u in r.json["value"]:
                self.assertEqual(sorted(u), ["id", "userPrincipalName"])
            seen += [u["id"] for u in r.json["value"]]
            url = r.json.get("@odata.nextLink")
            if url:
                self.assertTrue(url.startswith(self.base + "/graph/v1.0/users?"), url)
        self.assertEqual((len(seen), len(set(seen)), pages), (20, 20, 3))

    def test_top_limit_and_default_properties(self):
        r = self.graph("GET", "/v1.0/users?$top=1000")
        self.assertEqual((r.status, r.error()[0]), (400, "Request_UnsupportedQuery"))
        r = self.graph("GET", "/v1.0/users?$top=999")
        self.assertEqual(len(r.json["value"]), 20)
        self.assertNotIn("usageLocation", r.json["value"][0])
        self.assertIn("userPrincipalName", r.json["value"][0])
        r = self.graph("GET", "/v1.0/users?$select=nosuchthing")
        self.assertEqual(r.status, 400)

    def test_filters(self):
        r = self.graph("GET", "/v1.0/users?$filter=" + Q("userPrincipalName eq 'Adele@contoso.com'"))
        self.assertEqual([u["userPrincipalName"] for u in r.json["value"]], ["adele@contoso.com"])
        ids = [self.user("adele@contoso.com")["id"], self.user("alex@contoso.com")["id"]]
        r = self.graph("GET", "/v1.0/users?$filter=" + Q("id in ('%s','%s')" % tuple(ids)))
        self.assertEqual(len(r.json["value"]), 2)

    def test_licence_filter_needs_advanced_query(self):
        f = "/v1.0/users?$filter=" + Q("assignedLicenses/any(x:x/skuId eq %s)" % genfixture.SKU_MCOEV)
        r = self.graph("GET", f)
        self.assertEqual((r.status, r.error()[0]), (400, "Request_UnsupportedQuery"))
        r = self.graph("GET", f + "&$count=true", headers={"ConsistencyLevel": "eventual"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["@odata.count"], 18)
        r = self.graph("GET", "/v1.0/users?$count=true")
        self.assertEqual(r.status, 400)

    def test_get_by_upn_and_404(self):
        u = self.user("adele@contoso.com")
        self.assertEqual(u["usageLocation"], "US")
        r = self.graph("GET", "/v1.0/users/nobody@contoso.com")
        self.assertEqual((r.status, r.error()[0]), (404, "Request_ResourceNotFound"))
        self.assertIn("request-id", r.json["error"]["innerError"])

    def test_patch_usage_location(self):
        u = self.user("laurence@contoso.com")
        self.assertIsNone(u["usageLocation"])
        self.assertEqual(self.graph("PATCH", "/v1.0/users/" + u["id"], {"usageLocation": "GB"}).status, 204)
        self.assertEqual(self.user("laurence@contoso.com")["usageLocation"], "GB")
        r = self.graph("PATCH", "/v1.0/users/" + u["id"], {"usageLocation": "Great Britain"})
        self.assertEqual(r.status, 400)
        r = self.graph("PATCH", "/v1.0/users/" + u["id"], {"nope": 1})
        self.assertEqual(r.status, 400)

    def test_delete_user(self):
        u = self.user("miriam@contoso.com")
        self.assertEqual(self.graph("DELETE", "/v1.0/users/" + u["id"]).status, 204)
        self.assertEqual(self.graph("GET", "/v1.0/users/" + u["id"]).status, 404)


class Organization(SimTestCase):

    def test_organization_lists_verified_domains_with_the_default(self):
        r = self.graph("GET", "/v1.0/organization?$select=id,verifiedDomains")
        self.assertEqual(r.status, 200)
        org = r.json["value"][0]
        self.assertEqual(org["id"], "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
        names = {d["name"]: d for d in org["verifiedDomains"]}
        self.assertEqual(set(names), {"contoso.com", "contoso.onmicrosoft.com"})
        self.assertTrue(names["contoso.onmicrosoft.com"]["isInitial"])
        self.assertTrue(names["contoso.com"]["isDefault"])
        self.assertNotIn("displayName", org)


class Licences(SimTestCase):

    def sku(self, part):
        r = self.graph("GET", "/v1.0/subscribedSkus")
        return next(s for s in r.json["value"] if s["skuPartNumber"] == part)

    def assign(self, uid, sku, remove=None):
        return self.graph("POST", "/v1.0/users/%s/assignLicense" % uid,
                          {"addLicenses": [{"skuId": sku, "disabledPlans": []}] if sku else [],
                           "removeLicenses": remove or []})

    def test_subscribed_skus_counts(self):
        s = self.sku("MCOEV")
        self.assertEqual((s["skuId"], s["prepaidUnits"]["enabled"], s["consumedUnits"]),
                         (genfixture.SKU_MCOEV, 50, 18))
        self.assertEqual(s["servicePlans"][0]["servicePlanId"], "4828c8ec-dc2e-4779-b502-87ac9ce28ab7")
        self.assertEqual(self.sku("MCOPSTN_PAYG")["skuId"], genfixture.SKU_PAYG)
        self.assertEqual(self.graph("GET", "/v1.0/subscribedSkus?$filter=x").status, 400)

    def test_assign_consumes_and_returns_user(self):
        u = self.user("pradeep@contoso.com")
        r = self.assign(u["id"], genfixture.SKU_MCOEV)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], u["id"])
        self.assertEqual(self.sku("MCOEV")["consumedUnits"], 19)
        self.assertEqual(self.assign(u["id"], None, [genfixture.SKU_MCOEV]).status, 200)
        self.assertEqual(self.sku("MCOEV")["consumedUnits"], 18)

    def test_n6_usage_location_required(self):
        u = self.user("laurence@contoso.com")
        r = self.assign(u["id"], genfixture.SKU_MCOEV)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.error(), ("Request_BadRequest",
                                     "License assignment cannot be done for user with invalid usage location."))

    def test_n7_no_free_seat(self):
        u = self.user("pradeep@contoso.com")
        for i in range(10):
            ra = self.create_ra(upn="ra%d@contoso.com" % i)
        self.assertEqual(self.sku("PHONESYSTEM_VIRTUALUSER")["consumedUnits"], 10)
        r = self.assign(u["id"], genfixture.SKU_VIRTUALUSER)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.error(), ("Request_BadRequest", "Subscription with SKU %s does not have any available "
                                                           "licenses." % genfixture.SKU_VIRTUALUSER))
        self.assertTrue(ra)

    def test_both_arrays_required_and_unknown_sku(self):
        u = self.user("pradeep@contoso.com")
        r = self.graph("POST", "/v1.0/users/%s/assignLicense" % u["id"], {"addLicenses": []})
        self.assertEqual(r.status, 400)
        self.assertIn("removeLicenses", r.error()[1])
        self.assertEqual(self.assign(u["id"], "00000000-0000-4000-8000-000000000000").status, 400)

    def test_licence_delay_in_license_details(self):
        self.settings(license_delay_s=0.6)
        u = self.user("pradeep@contoso.com")
        self.assertEqual(self.assign(u["id"], genfixture.SKU_MCOEV).status, 200)
        r = self.graph("GET", "/v1.0/users/%s/licenseDetails" % u["id"])
        mcoev = next(d for d in r.json["value"] if d["skuPartNumber"] == "MCOEV")
        self.assertEqual(mcoev["servicePlans"][0]["provisioningStatus"], "PendingProvisioning")
        time.sleep(0.7)
        r = self.graph("GET", "/v1.0/users/%s/licenseDetails" % u["id"])
        mcoev = next(d for d in r.json["value"] if d["skuPartNumber"] == "MCOEV")
        self.assertEqual(mcoev["servicePlans"][0]["provisioningStatus"], "Success")


class GroupsAndConfigurations(SimTestCase):

    def test_group_minimal_and_members(self):
        r = self.graph("GET", "/v1.0/groups/" + GROUP)
        self.assertEqual((r.status, r.json["displayName"]), (200, "Redmond Shared Calling Users"))
        r = self.graph("GET", "/v1.0/groups/%s/members?$top=2" % GROUP)
        self.assertEqual(len(r.json["value"]), 2)
        r2 = self.graph("GET", r.json["@odata.nextLink"])
        self.assertEqual(len(r2.json["value"]), 2)
        self.assertEqual(self.graph("GET", "/v1.0/groups/00000000-0000-4000-8000-000000000000").status, 404)

    def test_user_configurations_page_and_show_numbers(self):
        seen, url = {}, "/v1.0/admin/teams/userConfigurations?$top=8"
        while url:
            r = self.graph("GET", url)
            self.assertEqual(r.status, 200, r)
            for v in r.json["value"]:
                seen[v["userPrincipalName"]] = v
            url = r.json.get("@odata.nextLink")
        self.assertEqual(len(seen), 20)
        adele = seen["adele@contoso.com"]
        self.assertTrue(adele["isEnterpriseVoiceEnabled"])
        self.assertEqual(adele["telephoneNumbers"], [{"telephoneNumber": "+14255550101",
                                                      "assignmentCategory": "primary"}])
        types = {e["policyType"]: e["policyAssignment"]["displayName"] for e in adele["effectivePolicyAssignments"]}
        self.assertEqual(types["TeamsSharedCallingRoutingPolicy"], "Global")

    def test_expand_user(self):
        uid = self.user("adele@contoso.com")["id"]
        r = self.graph("GET", "/v1.0/admin/teams/userConfigurations/%s?$expand=user" % uid)
        self.assertEqual(r.json["user"]["userPrincipalName"], "adele@contoso.com")
        r = self.graph("GET", "/v1.0/admin/teams/userConfigurations?$top=2&$select=id,isEnterpriseVoiceEnabled"
                              "&$expand=user")
        self.assertEqual(sorted(r.json["value"][0]), ["id", "isEnterpriseVoiceEnabled", "user"])

    def test_resource_accounts_are_not_user_configurations(self):
        oid = self.create_ra()
        self.assertEqual(self.graph("GET", "/v1.0/admin/teams/userConfigurations/" + oid).status, 404)

    def test_graph_policy_assignment(self):
        self.assertEqual(self.teams("POST", "/Skype.Policy/configurations/OnlineVoiceRoutingPolicy",
                                    {"Identity": "SC-NoPstn", "OnlinePstnUsages": []}).status, 200)
        r = self.graph("GET", "/v1.0/admin/teams/policy/getPolicyId(type='OnlineVoiceRoutingPolicy',name='SC-NoPstn')")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["value"][0]["name"], "Tag:SC-NoPstn")
        pid = r.json["value"][0]["policyId"]
        u = self.user("joni@contoso.com")
        r = self.graph("POST", "/v1.0/admin/teams/policy/userAssignments/assign", {"value": [
            {"@odata.type": "#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment", "userId": u["id"],
             "policyType": "OnlineVoiceRoutingPolicy", "policyId": pid}]})
        self.assertEqual(r.status, 204, r)
        conf = self.graph("GET", "/v1.0/admin/teams/userConfigurations/" + u["id"]).json
        ovrp = next(e for e in conf["effectivePolicyAssignments"] if e["policyType"] == "OnlineVoiceRoutingPolicy")
        self.assertEqual(ovrp["policyAssignment"], {"displayName": "SC-NoPstn", "assignmentType": "direct",
                                                    "policyId": pid, "groupId": None})
        r = self.graph("POST", "/v1.0/admin/teams/policy/userAssignments/unassign", {"value": [
            {"userId": u["id"], "policyType": "OnlineVoiceRoutingPolicy"}]})
        self.assertEqual(r.status, 204)
        self.assertEqual(self.graph("GET", "/v1.0/admin/teams/policy/userAssignments").error()[0], "UnknownError")
        self.assertEqual(self.graph("GET", "/v1.0/admin/teams/policy").status, 400)

    def test_graph_policy_assignment_limits_and_refusals(self):
        self.teams("POST", "/Skype.Policy/configurations/OnlineVoiceRoutingPolicy", {"Identity": "P1"})
        pid = self.graph("GET", "/v1.0/admin/teams/policy/getPolicyId(type='OnlineVoiceRoutingPolicy',"
                                "name='P1')").json["value"][0]["policyId"]
        ids = [self.user(u)["id"] for u in ("joni@contoso.com", "diego@contoso.com", "adele@contoso.com")]
        entry = {"@odata.type": "#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment",
                 "policyType": "OnlineVoiceRoutingPolicy", "policyId": pid}
        body = {"value": [dict(entry, userId=i) for i in ids]}
        self.settings(policy_assign_max=2, grant_delay_s=0.3)
        r = self.graph("POST", "/v1.0/admin/teams/policy/userAssignments/assign", body)
        self.assertEqual(r.status, 400)
        self.assertIn("at most 2", r.error()[1])
        self.assertEqual(self.graph("POST", "/v1.0/admin/teams/policy/userAssignments/assign",
                                    {"value": body["value"][:2]}).status, 204)
        conf = self.graph("GET", "/v1.0/admin/teams/userConfigurations/" + ids[0]).json   # grant delay applies
        ovrp = next(e for e in conf["effectivePolicyAssignments"] if e["policyType"] == "OnlineVoiceRoutingPolicy")
        self.assertEqual(ovrp["policyAssignment"]["displayName"], "Global")
        r = self.graph("POST", "/v1.0/admin/teams/policy/userAssignments/assign",
                       {"value": [dict(entry, userId=ids[2], PolicyId=pid)]})
        self.assertEqual(r.status, 400)                                     # exact key casing
        self.settings(policy_assign_refused_types=["OnlineVoiceRoutingPolicy"])
        self.assertEqual(self.graph("GET", "/v1.0/admin/teams/policy/getPolicyId(type='OnlineVoiceRoutingPolicy',"
                                           "name='P1')").status, 400)
        r = self.graph("POST", "/v1.0/admin/teams/policy/userAssignments/assign", {"value": body["value"][:1]})
        self.assertEqual(r.status, 400)
        r = self.graph("POST", "/v1.0/admin/teams/policy/userAssignments/assign", {"value": body["value"][:1]},
                       app=RO_APP, secret=RO_SECRET)
        self.assertEqual(r.status, 403)


class CallRecords(SimTestCase):

    def window(self):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        start = today - datetime.timedelta(days=21)
        return "%sT00:00:00Z" % start.isoformat(), "%sT00:00:00Z" % today.isoformat()

    def test_pstn_calls_match_expected_profile(self):
        frm, to = self.window()
        rows, url = [], "/v1.0/communications/callRecords/getPstnCalls(fromDateTime=%s,toDateTime=%s)" % (frm, to)
        while url:
            r = self.graph("GET", url)
            self.assertEqual(r.status, 200, r)
            rows += r.json["value"]
            url = r.json.get("@odata.nextLink")
        dr = self.graph("GET", "/v1.0/communications/callRecords/getDirectRoutingCalls(fromDateTime=%s,"
                               "toDateTime=%s)" % (frm, to)).json["value"]
        expected = self.sim.baseline_fixture["_expected"]
        out = {}
        for row in rows + dr:
            if "out" in row["callType"].lower():
                out[row["userId"]] = out.get(row["userId"], 0) + 1
        for uid, per_week in expected["outboundPerWeek"].items():
            self.assertEqual(out.get(uid, 0), per_week * expected["weeks"], uid)
        self.assertTrue(all(r["callType"] in ("user_in", "user_out") for r in rows))
        self.assertTrue(dr and all(r["callType"] in ("ByotIn", "ByotOut") for r in dr))

    def test_paging_is_1000_rows_with_skip_link(self):
        fx = genfixture.generate(60, 1, 3, 1, 3)
        for p in fx["callHistory"]["profiles"]:
            p["outPerWeek"], p["inPerWeek"] = 20, 5
        self.assertEqual(self.call("POST", "/_sim/fixture", fx).status, 200)
        try:
            frm, to = self.window()
            r = self.graph("GET", "/v1.0/communications/callRecords/getPstnCalls(fromDateTime=%s,toDateTime=%s)"
                           % (frm, to))
            self.assertEqual(len(r.json["value"]), 1000)
            link = r.json["@odata.nextLink"]
            self.assertIn("getPstnCalls(from=%s,to=%s)?$skip=1000" % (frm, to), link)
            r2 = self.graph("GET", link)
            self.assertEqual(len(r2.json["value"]), 500)
            self.assertNotIn("@odata.nextLink", r2.json)
        finally:
            self.call("POST", "/_sim/fixture", genfixture.default_fixture())

    def test_range_limits(self):
        r = self.graph("GET", "/v1.0/communications/callRecords/getPstnCalls(fromDateTime=2025-01-01,"
                              "toDateTime=2025-05-01)")
        self.assertEqual(r.status, 400)
        r = self.graph("GET", "/v1.0/communications/callRecords/getPstnCalls(fromDateTime=2025-01-02,"
                              "toDateTime=2025-01-01)")
        self.assertEqual(r.status, 400)


if __name__ == "__main__":
    unittest.main()
