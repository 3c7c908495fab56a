"""Graph telephone number management: inventory, assign/unassign/update, operations, N1-N12."""

import time
import unittest
import urllib.parse

import genfixture
from simtestlib import HQ_LOCATION, TENANT, SimTestCase

TNM = "/v1.0/admin/teams/telephoneNumberManagement"
Q = urllib.parse.quote


class Inventory(SimTestCase):

    def test_top_skip_without_next_link(self):
        r = self.graph("GET", TNM + "/numberAssignments")
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.json["value"]), 13)
        self.assertNotIn("@odata.nextLink", r.json)
        p1 = self.graph("GET", TNM + "/numberAssignments?$top=5").json["value"]
        p3 = self.graph("GET", TNM + "/numberAssignments?$top=5&$skip=10").json["value"]
        self.assertEqual((len(p1), len(p3)), (5, 3))
        self.assertNotIn("@odata.nextLink", self.graph("GET", TNM + "/numberAssignments?$top=5").json)
        self.assertEqual(self.graph("GET", TNM + "/numberAssignments?$top=1000").status, 200)
        self.assertEqual(self.graph("GET", TNM + "/numberAssignments?$top=1001").status, 400)

    def test_filters_and_get_by_id(self):
        r = self.graph("GET", TNM + "/numberAssignments?$filter=" + Q(
            "assignmentStatus eq 'unassigned' and capabilities/any(c:c eq 'voiceApplicationAssignment')"))
        nums = [n["telephoneNumber"] for n in r.json["value"]]
        self.assertIn("+12065550100", nums)
        self.assertNotIn("+12065550101", nums)
        n = self.number("+14255550101")
        self.assertEqual(n["assignmentStatus"], "userAssigned")
        self.assertEqual(n["locationId"], HQ_LOCATION)
        r = self.graph("GET", TNM + "/numberAssignments/" + n["id"])
        self.assertEqual(r.json["telephoneNumber"], "+14255550101")
        self.assertEqual(self.graph("GET", TNM + "/numberAssignments?$filter=" + Q("city eq 'x'")).status, 400)

    def test_root_is_not_supported(self):
        r = self.graph("GET", TNM)
        self.assertEqual(r.status, 400)
        self.assertIn("no addressUrl for Microsoft.IC3.TelephoneNumberManagement", r.error()[1])


class Assignment(SimTestCase):

    def test_assign_to_resource_account_end_to_end(self):
        oid = self.create_ra()
        r = self.assign("14255550100", oid, "directRouting")
        self.assertEqual(r.status, 202)
        self.assertEqual(r.raw, b"")
        loc = r.headers["location"]
        self.assertTrue(loc.startswith(self.base + "/graph" + TNM + "/operations('"), loc)
        op = self.operation(r)
        self.assertEqual(op["status"], "succeeded")
        self.assertTrue(op["numbers"][0]["resourceLocation"].startswith(self.base + "/graph"))
        op_id = loc.split("'")[1]
        self.assertEqual(self.graph("GET", TNM + "/operations/" + op_id).json["value"]["id"], op_id)
        n = self.number("+14255550100")
        self.assertEqual((n["assignmentTargetId"], n["assignmentStatus"]), (oid, "voiceApplicationAssigned"))

    def failed(self, reply):
        op = self.operation(reply)
        self.assertEqual(op["status"], "failed", op)
        return op["numbers"][0]["statusDetail"]

    def test_n1_already_assigned(self):
        u = self.user("bianca@contoso.com")
        self.assertEqual(self.failed(self.assign("+14255550101", u["id"], "directRouting")),
                         "Telephone Number '+14255550101' has already been assigned to another user")

    def test_n2_not_in_tenant(self):
        u = self.user("bianca@contoso.com")
        self.assertEqual(self.failed(self.assign("+12065559999", u["id"], "callingPlan")),
                         "Telephone Number '+12065559999' is not found from tenant '%s'" % TENANT)

    def test_direct_routing_numbers_need_no_inventory(self):
        u = self.user("bianca@contoso.com")
        op = self.operation(self.assign("+14255550999;ext=12", u["id"], "directRouting"))
        self.assertEqual(op["status"], "succeeded")
        self.assertEqual(self.number("+14255550999;ext=12")["assignmentTargetId"], u["id"])

    def test_n3_licence(self):
        u = self.user("pradeep@contoso.com")
        self.assertEqual(self.failed(self.assign("+14255550102", u["id"], "directRouting")),
                         "User '%s' lacks appropriate licenses to assign a 'DirectRouting' number" % u["id"])
        b = self.user("bianca@contoso.com")
        self.assertEqual(self.failed(self.assign("+12065550101", b["id"], "callingPlan")),
                         "User '%s' lacks appropriate licenses to assign a 'CallingPlan' number" % b["id"])

    def test_n3_licence_delay(self):
        self.settings(license_delay_s=0.5)
        u = self.user("pradeep@contoso.com")
        r = self.graph("POST", "/v1.0/users/%s/assignLicense" % u["id"],
                       {"addLicenses": [{"skuId": genfixture.SKU_MCOEV, "disabledPlans": []}], "removeLicenses": []})
        self.assertEqual(r.status, 200)
        self.assertIn("lacks appropriate licenses", self.failed(self.assign("+14255550102", u["id"], "directRouting")))
        time.sleep(0.6)
        self.assertEqual(self.operation(self.assign("+14255550102", u["id"], "directRouting"))["status"], "succeeded")

    def test_n4_capability(self):
        oid = self.create_ra()
        detail = self.failed(self.assign("+12065550101", oid, "callingPlan"))
        self.assertIn("capability 'voiceApplicationAssignment'", detail)
        u = self.user("bianca@contoso.com")
        self.assertIn("capability 'userAssignment'", self.failed(self.assign("+12065550100", u["id"], "callingPlan")))

    def test_n5_enterprise_voice_follows_assignment(self):
        u = self.user("bianca@contoso.com")
        self.assertEqual(self.operation(self.assign("+14255550102", u["id"], "directRouting"))["status"], "succeeded")
        conf = self.graph("GET", "/v1.0/admin/teams/userConfigurations/" + u["id"]).json
        self.assertTrue(conf["isEnterpriseVoiceEnabled"])
        r = self.graph("POST", TNM + "/numberAssignments/unassignNumber",
                       {"telephoneNumber": "+14255550102", "numberType": "directRouting"})
        self.assertEqual(self.operation(r)["status"], "succeeded")
        conf = self.graph("GET", "/v1.0/admin/teams/userConfigurations/" + u["id"]).json
        self.assertFalse(conf["isEnterpriseVoiceEnabled"])
        self.assertEqual(self.number("+14255550102")["assignmentStatus"], "unassigned")

    def test_n9_one_number_per_resource_account(self):
        oid = self.ra_with_number()
        r = self.assign("+14255550103", oid, "directRouting")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.error()[1], "Resource account '%s' already has a phone number assigned." % oid)

    def test_n10_extension_only_for_direct_routing(self):
        u = self.user("bianca@contoso.com")
        r = self.assign("+12065550101;ext=5", u["id"], "callingPlan")
        self.assertEqual(r.status, 400)

    def test_n8_on_premises_number(self):
        import copy
        fx = copy.deepcopy(self.sim.baseline_fixture)
        fx["users"][2]["onPremisesLineUri"] = "tel:+14255551234"
        self.assertEqual(self.call("POST", "/_sim/fixture", fx).status, 200)
        try:
            r = self.assign("+14255550102", fx["users"][2]["id"], "directRouting")
            self.assertEqual(r.status, 400)
            self.assertTrue(r.error()[1].startswith("The user already has a telephone number set in the "
                                                    "on-premises Active Directory"))
        finally:
            self.call("POST", "/_sim/fixture", genfixture.default_fixture())

    def test_replication_delay(self):
        self.settings(replication_delay_s=0.6)
        oid = self.create_ra()
        self.assertEqual(self.failed(self.assign("+14255550100", oid, "directRouting")),
                         "The user '%s' is not found" % oid)
        time.sleep(0.7)
        self.assertEqual(self.operation(self.assign("+14255550100", oid, "directRouting"))["status"], "succeeded")

    def test_long_running_operation(self):
        self.settings(lro_running_s=0.8)
        u = self.user("bianca@contoso.com")
        r = self.assign("+14255550102", u["id"], "directRouting")
        seen = []
        for _ in range(40):
            st = self.graph("GET", r.headers["location"]).json["value"]["status"]
            seen.append(st)
            if st in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        self.assertIn("running", seen)
        self.assertEqual(seen[-1], "succeeded")
        self.assertLess(seen.index("running"), len(seen) - 1)

    def test_long_running_operation_reports_running_once_even_if_polled_late(self):
        self.settings(lro_running_s=0.2)
        u = self.user("bianca@contoso.com")
        r = self.assign("+14255550102", u["id"], "directRouting")
        time.sleep(0.3)
        self.assertEqual(self.graph("GET", r.headers["location"]).json["value"]["status"], "running")
        self.assertEqual(self.graph("GET", r.headers["location"]).json["value"]["status"], "succeeded")


class UpdateNumber(SimTestCase):

    def update(self, **body):
        return self.graph("POST", TNM + "/numberAssignments/updateNumber", body)

    def test_location_set_keep_clear(self):
        self.assertEqual(self.update(telephoneNumber="+14255550102", locationId=HQ_LOCATION).status, 200)
        self.assertEqual(self.number("+14255550102")["locationId"], HQ_LOCATION)
        self.assertEqual(self.update(telephoneNumber="+14255550102", networkSiteId="site1").status, 200)
        self.assertEqual(self.number("+14255550102")["locationId"], HQ_LOCATION)
        self.assertEqual(self.update(telephoneNumber="+14255550102", locationId="").status, 200)
        self.assertIsNone(self.number("+14255550102")["locationId"])

    def test_n11_unknown_location(self):
        r = self.update(telephoneNumber="+14255550102", locationId="00000000-0000-4000-8000-000000000000")
        self.assertEqual(r.status, 400)

    def test_n12_calling_plan_location_cannot_be_removed(self):
        self.assertEqual(self.update(telephoneNumber="+12065550101", locationId=HQ_LOCATION).status, 200)
        self.assertEqual(self.update(telephoneNumber="+12065550101", locationId="").status, 400)


if __name__ == "__main__":
    unittest.main()
