"""The command line: URL on stdout and in --url-file, TLS with a private CA, flags, SIGTERM; genfixture."""

import datetime
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import unittest

from simtestlib import (APP, GRAPH_SCOPE, SECRET, SimTestCase, cert_pem, key_pem, make_cert, request)

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def start(args, tmp):
    """Start tenantsim.py; return (process, base URL)."""
    url_file = os.path.join(tmp, "url")
    proc = subprocess.Popen([PYTHON, os.path.join(HERE, "tenantsim.py"), "--port", "0", "--url-file", url_file]
                            + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    with open(url_file) as f:
        assert f.read().strip() == line, "url file and stdout differ"
    return proc, line


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    return proc.returncode, out, err


def token(base, ctx=None):
    r = request(base, "POST", "/login/contoso.com/oauth2/v2.0/token", ssl_context=ctx,
                form={"client_id": APP, "client_secret": SECRET, "grant_type": "client_credentials",
                      "scope": GRAPH_SCOPE})
    return r.json["access_token"]


class CommandLine(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_plain_http_flags_and_clean_exit(self):
        proc, base = start(["--fault-503", "1", "--retry-after", "2", "--seed", "3", "--token-lifetime", "600"],
                           self.tmp.name)
        try:
            self.assertRegex(base, r"^http://127\.0\.0\.1:\d+$")
            r = request(base, "POST", "/login/contoso.com/oauth2/v2.0/token",
                        form={"client_id": APP, "client_secret": SECRET, "grant_type": "client_credentials",
                              "scope": GRAPH_SCOPE})
            self.assertEqual((r.status, r.headers.get("retry-after")), (503, "2"))
            self.assertEqual(request(base, "DELETE", "/_sim/faults").status, 204)
            r = request(base, "POST", "/login/contoso.com/oauth2/v2.0/token",
                        form={"client_id": APP, "client_secret": SECRET, "grant_type": "client_credentials",
                              "scope": GRAPH_SCOPE})
            self.assertEqual(r.json["expires_in"], 600)
        finally:
            rc, out, err = stop(proc)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "")            # the URL line was read already; nothing else on stdout
        self.assertNotIn(SECRET, err)

    def test_tls_with_private_ca(self):
        ca, ca_key = make_cert("tenantsim test CA", ca=True)
        srv, srv_key = make_cert("127.0.0.1", issuer_cert=ca, issuer_key=ca_key, san=["127.0.0.1", "localhost"])
        paths = {}
        for name, text in (("ca.pem", cert_pem(ca)), ("srv.pem", cert_pem(srv)), ("srv.key", key_pem(srv_key))):
            paths[name] = os.path.join(self.tmp.name, name)
            with open(paths[name], "w") as f:
                f.write(text)
        proc, base = start(["--tls-cert", paths["srv.pem"], "--tls-key", paths["srv.key"]], self.tmp.name)
        try:
            self.assertTrue(base.startswith("https://127.0.0.1:"))
            ctx = ssl.create_default_context(cafile=paths["ca.pem"])
            tok = token(base, ctx)
            r = request(base, "GET", "/graph/v1.0/subscribedSkus", token=tok, ssl_context=ctx)
            self.assertEqual(r.status, 200)
            self.assertTrue(r.json["value"][0]["skuId"])
            with self.assertRaises(ssl.SSLError):
                request(base, "GET", "/_sim/state", ssl_context=ssl.create_default_context())
        finally:
            rc, _, err = stop(proc)
        self.assertEqual(rc, 0, err)

    def test_bad_fixture_fails_cleanly(self):
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            f.write("{")
        p = subprocess.run([PYTHON, os.path.join(HERE, "tenantsim.py"), "--fixture", bad], capture_output=True,
                           text=True, timeout=10)
        self.assertEqual((p.returncode, p.stdout), (2, ""))


class GeneratedTenant(SimTestCase):

    def test_generator_one_command_and_exact_classification(self):
        out = os.path.join(tempfile.gettempdir(), "tenantsim-gen-%d.json" % os.getpid())
        try:
            subprocess.run([PYTHON, os.path.join(HERE, "genfixture.py"), "--users", "400", "--sites", "4",
                            "--numbers", "300", "--weeks", "2", "--seed", "9", "-o", out], check=True, timeout=60)
            with open(out) as f:
                fx = json.load(f)
        finally:
            if os.path.exists(out):
                os.unlink(out)
        self.assertEqual(self.call("POST", "/_sim/fixture", fx).status, 200)
        try:
            today = datetime.datetime.now(datetime.timezone.utc).date()
            frm = (today - datetime.timedelta(days=14)).isoformat() + "T00:00:00Z"
            to = today.isoformat() + "T00:00:00Z"
            counts = {}
            for fn in ("getPstnCalls", "getDirectRoutingCalls"):
                url = "/v1.0/communications/callRecords/%s(fromDateTime=%s,toDateTime=%s)" % (fn, frm, to)
                while url:
                    r = self.graph("GET", url)
                    self.assertEqual(r.status, 200, r)
                    for row in r.json["value"]:
                        if "out" in row["callType"].lower():
                            counts[row["userId"]] = counts.get(row["userId"], 0) + 1
                    url = r.json.get("@odata.nextLink")
            exp = fx["_expected"]
            weekly = {uid: counts.get(uid, 0) / exp["weeks"] for uid in exp["outboundPerWeek"]}
            self.assertEqual(weekly, {k: float(v) for k, v in exp["outboundPerWeek"].items()})
            self.assertEqual(sum(1 for v in weekly.values() if v < 5), exp["usersBelow5OutboundPerWeek"])
            users = self.graph("GET", "/v1.0/users?$top=999&$select=id")
            self.assertEqual(len(users.json["value"]), 400)
        finally:
            self.call("POST", "/_sim/fixture", self.sim.baseline_fixture)


if __name__ == "__main__":
    unittest.main()
