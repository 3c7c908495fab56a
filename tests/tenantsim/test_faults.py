"""Fault injection, throttling, the request log and the control API."""

import email.utils
import socket
import time
import unittest
import urllib.parse

from simtestlib import APP, SECRET, SimTestCase, request


def raw_get(base, path, token):
    """Send a GET on a raw socket; return the bytes received before the server closed."""
    u = urllib.parse.urlsplit(base)
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % (path, token)).encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


class ScriptedFaults(SimTestCase):

    def test_next_n_requests_fail_then_succeed(self):
        self.faults({"match": "GET /graph/v1.0/users", "times": 2, "status": 503, "retry_after": "1"})
        tok = self.token()
        statuses = [self.call("GET", "/graph/v1.0/users", token=tok) for _ in range(3)]
        self.assertEqual([r.status for r in statuses], [503, 503, 200])
        self.assertEqual(statuses[0].headers["retry-after"], "1")
        self.assertEqual(statuses[0].error()[0], "serviceNotAvailable")
        self.assertEqual(self.call("GET", "/_sim/faults").json["faults"], [])

    def test_retry_after_forms(self):
        tok = self.token()
        self.faults([{"match": "GET /graph/v1.0/subscribedSkus", "times": 1, "status": 429, "retry_after": "date:2"},
                     {"match": "GET /graph/v1.0/subscribedSkus", "times": 1, "status": 429}])
        r = self.call("GET", "/graph/v1.0/subscribedSkus", token=tok)
        self.assertIsNotNone(email.utils.parsedate_to_datetime(r.headers["retry-after"]))
        r = self.call("GET", "/graph/v1.0/subscribedSkus", token=tok)
        self.assertEqual(r.status, 429)
        self.assertNotIn("retry-after", r.headers)

    def test_teams_and_login_faults_use_their_shapes(self):
        self.faults([{"match": "POST /login", "times": 1, "status": 503},
                     {"match": "* /teams/Skype.Ncs", "times": 1, "status": 500}])
        r = self.call("POST", "/login/contoso.com/oauth2/v2.0/token", form={"grant_type": "client_credentials"})
        self.assertEqual((r.status, r.json["error"]), (503, "temporarily_unavailable"))
        r = self.teams("GET", "/Skype.Ncs/locations")
        self.assertEqual(r.json, {"error": {"code": "InternalServerError",
                                            "message": "An internal server error occurred."}})

    def test_drop_before_and_mid_response(self):
        tok = self.token()
        self.faults([{"match": "GET /graph/v1.0/subscribedSkus", "times": 1, "drop": "before"},
                     {"match": "GET /graph/v1.0/users", "times": 1, "drop": "mid"}])
        self.assertEqual(raw_get(self.base, "/graph/v1.0/subscribedSkus", tok), b"")
        data = raw_get(self.base, "/graph/v1.0/users", tok)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
        self.assertTrue(head.startswith(b"HTTP/1.1 200"))
        self.assertLess(len(body), length)
        drops = [e for e in self.log()["requests"] if e["fault"] == "drop"]
        self.assertEqual([(e["path"], e["status"]) for e in drops],
                         [("/graph/v1.0/subscribedSkus", 0), ("/graph/v1.0/users", 0)])

    def test_latency_and_stall(self):
        tok = self.token()
        self.faults([{"match": "GET /graph/v1.0/subscribedSkus", "times": 1, "latency_ms": 300, "status": 503},
                     {"match": "GET /graph/v1.0/users", "times": 1, "stall_s": 2}])
        t0 = time.time()
        self.assertEqual(self.call("GET", "/graph/v1.0/subscribedSkus", token=tok).status, 503)
        self.assertGreaterEqual(time.time() - t0, 0.3)
        with self.assertRaises(socket.timeout):
            request(self.base, "GET", "/graph/v1.0/users", token=tok, timeout=0.5)

    def test_latency_range_is_drawn_per_request(self):
        self.faults([{"match": "GET /graph/v1.0/subscribedSkus", "latency_ms": [50, 120]}])
        tok = self.token()
        for _ in range(3):
            t0 = time.time()
            self.assertEqual(self.call("GET", "/graph/v1.0/subscribedSkus", token=tok).status, 200)
            self.assertGreaterEqual(time.time() - t0, 0.05)
        for bad in ([10], [20, 10], [-1, 5], ["a", 5]):
            self.assertEqual(self.call("POST", "/_sim/faults", {"match": "GET /x", "latency_ms": bad}).status, 400, bad)

    def test_known_transient_texts(self):
        tok = self.token()
        assign = "/graph/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber"
        self.faults([{"match": "POST " + assign, "times": 1, "status": 400,
                      "message": "Service is unavailable. Please try again"},
                     {"match": "POST " + assign, "times": 1, "operation_failure": "Unknown Error"}])
        uid = self.user("bianca@contoso.com")["id"]
        body = {"telephoneNumber": "+14255550102", "assignmentTargetId": uid, "numberType": "directRouting"}
        r = self.call("POST", assign, body, token=tok)
        self.assertEqual((r.status, r.error()), (400, ("BadRequest", "Service is unavailable. Please try again")))
        r = self.call("POST", assign, body, token=tok)
        op = self.call("GET", r.headers["location"], token=tok).json["value"]
        self.assertEqual((op["status"], op["numbers"][0]["statusDetail"]), ("failed", "Unknown Error"))
        self.assertEqual(self.number("+14255550102")["assignmentStatus"], "unassigned")
        faulted = [e for e in self.log()["requests"] if e["fault"] == "operation_failure"]
        self.assertEqual([(e["method"], e["status"]) for e in faulted], [("POST", 202)])
        r = self.call("POST", assign, body, token=tok)
        self.assertEqual(self.call("GET", r.headers["location"], token=tok).json["value"]["status"], "succeeded")

    def test_faults_never_apply_to_control_paths(self):
        self.faults({"match": "* /", "status": 503})
        self.assertEqual(self.call("GET", "/_sim/state").status, 200)
        self.assertEqual(self.call("DELETE", "/_sim/faults").status, 204)

    def test_bad_rules_are_refused(self):
        for rule in ({"match": "GET"}, {"match": "GET /x", "status": 200}, {"match": "GET /x", "drop": "later"},
                     {"match": "GET /x"}, {"match": "GET /x", "status": 503, "colour": "red"}):
            self.assertEqual(self.call("POST", "/_sim/faults", rule).status, 400, rule)


class RandomFaults(SimTestCase):

    def test_20_percent_503_and_10_percent_429_are_logged_with_headers(self):
        self.faults([{"match": "GET /graph", "probability": 0.2, "status": 503, "retry_after": "1"},
                     {"match": "GET /graph", "probability": 0.1, "status": 429, "retry_after": "2"}])
        tok = self.token()
        self.call("DELETE", "/_sim/requests")
        n = 600
        for _ in range(n):
            self.call("GET", "/graph/v1.0/subscribedSkus", token=tok)
        log = self.log()
        self.assertEqual(log["counters"]["total"], n)
        by = log["counters"]["by_status"]
        self.assertTrue(0.14 * n < by.get("503", 0) < 0.26 * n, by)
        self.assertTrue(0.05 * n < by.get("429", 0) < 0.15 * n, by)
        for e in log["requests"]:
            if e["status"] == 503:
                self.assertEqual((e["fault"], e["retry_after"]), ("status", "1"))
            elif e["status"] == 429:
                self.assertEqual((e["fault"], e["retry_after"]), ("status", "2"))
            else:
                self.assertEqual((e["status"], e["fault"]), (200, None))


class Throttling(SimTestCase):

    def test_teams_bucket_per_app_and_tenant(self):
        self.settings(throttle=True, throttle_rates={"teams": {"rate": 5, "burst": 5}})
        tok = self.token("48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default")
        results = [self.call("GET", "/teams/Skype.Ncs/locations", token=tok) for _ in range(8)]
        statuses = [r.status for r in results]
        self.assertEqual(statuses[:5], [200] * 5)
        self.assertIn(429, statuses[5:])
        t = next(r for r in results if r.status == 429)
        self.assertGreaterEqual(int(t.headers["retry-after"]), 1)
        self.assertEqual(self.log()["requests"][-1]["fault"], "throttle")
        self.assertEqual(self.graph("GET", "/v1.0/subscribedSkus").status, 200)

    def test_batch_requests_count_one_by_one(self):
        self.settings(throttle=True, throttle_rates={"graph": {"rate": 1, "burst": 3}})
        tok = self.token()
        reqs = [{"id": str(i), "method": "GET", "url": "/subscribedSkus"} for i in range(5)]
        r = self.call("POST", "/graph/v1.0/$batch", {"requests": reqs}, token=tok)
        self.assertEqual(r.status, 200)
        self.assertEqual(sorted(x["status"] for x in r.json["responses"]), [200, 200, 200, 429, 429])

    def test_published_defaults_and_off_by_default(self):
        s = self.call("GET", "/_sim/settings").json
        self.assertFalse(s["throttle"])
        self.assertEqual(s["throttle_rates"]["teams"], {"rate": 30.0, "burst": 30.0})


class ControlApi(SimTestCase):

    def test_reset_restores_fixture_and_clears_everything(self):
        uid = self.user("laurence@contoso.com")["id"]
        self.graph("PATCH", "/v1.0/users/" + uid, {"usageLocation": "GB"})
        self.faults({"match": "GET /x", "status": 503})
        self.settings(grant_delay_s=5)
        self.assertEqual(self.call("POST", "/_sim/reset").status, 200)
        self.assertEqual(self.log()["requests"], [])
        self.assertEqual(self.call("GET", "/_sim/faults").json["faults"], [])
        self.assertEqual(self.call("GET", "/_sim/settings").json["grant_delay_s"], 0)
        self.assertIsNone(self.user("laurence@contoso.com")["usageLocation"])

    def test_state_dump_and_log_since_and_bodies(self):
        st = self.call("GET", "/_sim/state").json
        self.assertEqual(len(st["users"]), 20)
        self.assertNotIn("secret", str(st["apps"]).lower().replace("secretexpired", ""))
        tok = self.token()
        uid = self.user("adele@contoso.com")["id"]
        seq = self.log()["requests"][-1]["seq"]
        self.call("PATCH", "/graph/v1.0/users/" + uid, {"usageLocation": "US"}, token=tok)
        log = self.log(since=seq, bodies=True)
        self.assertEqual(log["requests"][-1]["body"], {"usageLocation": "US"})
        self.assertEqual(log["counters"]["writes"], 1)
        self.assertEqual(log["counters"]["by_service"]["graph"], 1)
        self.assertNotIn("body", self.log()["requests"][-1])
        self.assertEqual(self.call("DELETE", "/_sim/requests").status, 204)
        self.assertEqual(self.log()["requests"], [])

    def test_json_bodies_need_json_content_type(self):
        uid = self.user("adele@contoso.com")["id"]
        r = self.call("PATCH", "/graph/v1.0/users/" + uid, b'{"usageLocation":"US"}',
                      headers={"Content-Type": "text/plain"}, token=self.token())
        self.assertEqual(r.status, 415)

    def test_edit_changes_an_object_behind_the_clients_back(self):
        r = self.call("POST", "/_sim/edit", {"kind": "number", "telephoneNumber": "+14255550101",
                                            "set": {"locationId": None}})
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.json["locationId"])
        self.assertEqual(r.json["assignmentStatus"], "userAssigned")
        r = self.call("POST", "/_sim/edit", {"kind": "policy", "type": "OnlineVoiceRoutingPolicy",
                                            "identity": "Global", "set": {"Description": "edited"}})
        self.assertEqual((r.status, r.json["Description"]), (200, "edited"))
        self.assertEqual(self.call("POST", "/_sim/edit", {"kind": "user", "id": "adele@contoso.com",
                                                         "set": {"nope": 1}}).status, 400)
        self.assertEqual(self.call("POST", "/_sim/edit", {"kind": "user", "id": "nobody@contoso.com",
                                                         "set": {"usageLocation": "GB"}}).status, 404)
        self.assertEqual(self.call("POST", "/_sim/edit", {"kind": "galaxy", "set": {"a": 1}}).status, 400)

    def test_settings_validation(self):
        self.assertEqual(self.call("POST", "/_sim/settings", {"nope": 1}).status, 400)
        self.assertEqual(self.call("POST", "/_sim/settings", {"grant_delay_s": -1}).status, 400)

    def test_keep_alive_and_content_length(self):
        import http.client
        u = urllib.parse.urlsplit(self.base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
        tok = self.token()
        for _ in range(3):
            conn.request("GET", "/graph/v1.0/subscribedSkus", headers={"Authorization": "Bearer " + tok})
            resp = conn.getresponse()
            body = resp.read()
            self.assertEqual(int(resp.getheader("Content-Length")), len(body))
        conn.request("GET", "/_sim/faults")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        self.assertTrue(APP and SECRET)


class BodyRule(SimTestCase):

    def test_a_body_rule_serves_another_answer(self):
        r = self.call("POST", "/_sim/faults", [{"match": "GET /teams/Skype.Ncs/locations", "times": 1,
                                                 "body": [{"id": "x"}]}])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.teams("GET", "/Skype.Ncs/locations").json, [{"id": "x"}])
        self.assertNotEqual(self.teams("GET", "/Skype.Ncs/locations").json, [{"id": "x"}])
        faulted = [e for e in self.log()["requests"] if e["fault"] == "body"]
        self.assertEqual(len(faulted), 1)
        self.assertEqual(self.call("POST", "/_sim/faults", [{"match": "GET /x", "body": None}]).status, 400)


if __name__ == "__main__":
    unittest.main()
