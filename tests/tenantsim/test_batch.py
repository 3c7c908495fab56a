"""Graph JSON batching: limits, ids, dependsOn/424, inner faults and throttling, logging."""

import unittest

import genfixture
from simtestlib import SimTestCase


class Batch(SimTestCase):

    def batch(self, requests):
        return self.graph("POST", "/v1.0/$batch", {"requests": requests})

    def test_patch_then_licence_with_depends_on(self):
        uid = self.user("laurence@contoso.com")["id"]
        r = self.batch([
            {"id": "1", "method": "PATCH", "url": "/users/" + uid, "headers": {"Content-Type": "application/json"},
             "body": {"usageLocation": "US"}},
            {"id": "2", "method": "POST", "url": "/users/%s/assignLicense" % uid, "dependsOn": ["1"],
             "headers": {"Content-Type": "application/json"},
             "body": {"addLicenses": [{"skuId": genfixture.SKU_MCOEV, "disabledPlans": []}], "removeLicenses": []}},
            {"id": "3", "method": "GET", "url": "/subscribedSkus"},
        ])
        self.assertEqual(r.status, 200, r)
        got = {x["id"]: x for x in r.json["responses"]}
        self.assertEqual((got["1"]["status"], got["1"]["body"]), (204, None))
        self.assertEqual(got["2"]["status"], 200)
        self.assertEqual(got["2"]["body"]["id"], uid)
        self.assertEqual(got["3"]["status"], 200)

    def test_424_when_a_dependency_fails(self):
        r = self.batch([
            {"id": "a", "method": "GET", "url": "/users/nobody@contoso.com"},
            {"id": "b", "method": "GET", "url": "/subscribedSkus", "dependsOn": ["a"]},
        ])
        got = {x["id"]: x["status"] for x in r.json["responses"]}
        self.assertEqual(got, {"a": 404, "b": 424})

    def test_limits_and_ids(self):
        many = [{"id": str(i), "method": "GET", "url": "/subscribedSkus"} for i in range(21)]
        r = self.batch(many)
        self.assertEqual((r.status, r.error()[0]), (400, "BadRequest"))
        self.assertEqual(self.batch(many[:20]).status, 200)
        r = self.batch([{"id": "x", "method": "GET", "url": "/subscribedSkus"},
                        {"id": "X", "method": "GET", "url": "/subscribedSkus"}])
        self.assertEqual(r.status, 400)
        r = self.batch([{"id": "x", "method": "PATCH", "url": "/users/adele@contoso.com", "body": {}}])
        self.assertEqual(r.status, 400)
        r = self.batch([{"id": "x", "method": "GET", "url": "/subscribedSkus", "dependsOn": ["y"]}])
        self.assertEqual(r.status, 400)

    def test_responses_come_out_of_order(self):
        reqs = [{"id": str(i), "method": "GET", "url": "/subscribedSkus"} for i in range(20)]
        orders = {tuple(x["id"] for x in self.batch(reqs).json["responses"]) for _ in range(3)}
        self.assertTrue(any(o != tuple(str(i) for i in range(20)) for o in orders))

    def test_inner_429_from_fault_rule(self):
        self.faults({"match": "GET /graph/v1.0/subscribedSkus", "times": 1, "status": 429, "retry_after": "3"})
        r = self.batch([{"id": "1", "method": "GET", "url": "/subscribedSkus"},
                        {"id": "2", "method": "GET", "url": "/subscribedSkus"}])
        got = {x["id"]: x for x in r.json["responses"]}
        statuses = sorted(x["status"] for x in got.values())
        self.assertEqual(statuses, [200, 429])
        throttled = next(x for x in got.values() if x["status"] == 429)
        self.assertEqual(throttled["headers"]["Retry-After"], "3")

    def test_inner_requests_are_logged_and_writes_counted(self):
        self.call("DELETE", "/_sim/requests")
        self.batch([{"id": "1", "method": "GET", "url": "/subscribedSkus"}])
        log = self.log()
        self.assertEqual(log["counters"]["writes"], 0)
        inner = [e for e in log["requests"] if e.get("batch")]
        self.assertEqual([e["path"] for e in inner], ["/graph/v1.0/subscribedSkus"])
        uid = self.user("adele@contoso.com")["id"]
        self.batch([{"id": "1", "method": "PATCH", "url": "/users/" + uid,
                     "headers": {"Content-Type": "application/json"}, "body": {"usageLocation": "US"}}])
        self.assertEqual(self.log()["counters"]["writes"], 1)


if __name__ == "__main__":
    unittest.main()
