"""Token endpoint and bearer checks: secrets, certificates, 401 and 403 (docs/design/auth.md)."""

import base64
import time
import unittest

from simtestlib import (APP, GRAPH_SCOPE, RO_APP, RO_SECRET, SECRET, TEAMS_SCOPE, TENANT, SimTestCase,
                        cert_pem, make_assertion, make_cert)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenEndpoint(SimTestCase):

    def post_token(self, tenant="contoso.com", **form):
        data = {"grant_type": "client_credentials", "client_id": APP, "scope": GRAPH_SCOPE}
        data.update(form)
        data = {k: v for k, v in data.items() if v is not None}
        return self.call("POST", "/login/%s/oauth2/v2.0/token" % tenant, form=data)

    def assert_entra_error(self, r, status, error, code):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json["error"], error)
        self.assertEqual(r.json["error_codes"], [code])
        self.assertTrue(r.json["error_description"].startswith("AADSTS%d: " % code))
        for k in ("timestamp", "trace_id", "correlation_id", "error_uri"):
            self.assertIn(k, r.json)
        self.assertNotIn(SECRET, r.raw.decode())

    def test_secret_gives_token_of_exact_shape(self):
        r = self.post_token(client_secret=SECRET)
        self.assertEqual(r.status, 200)
        self.assertEqual(sorted(r.json), ["access_token", "expires_in", "ext_expires_in", "token_type"])
        self.assertEqual(r.json["token_type"], "Bearer")
        self.assertEqual(r.json["expires_in"], 3599)
        self.assertEqual(r.json["access_token"].count("."), 2)

    def test_tenant_may_be_id_or_any_verified_domain(self):
        for t in (TENANT, "contoso.com", "contoso.onmicrosoft.com", "CONTOSO.COM"):
            self.assertEqual(self.post_token(tenant=t, client_secret=SECRET).status, 200, t)

    def test_http_basic_secret(self):
        basic = base64.b64encode(("%s:%s" % (APP, SECRET)).encode()).decode()
        r = self.call("POST", "/login/contoso.com/oauth2/v2.0/token", headers={"Authorization": "Basic " + basic},
                      form={"grant_type": "client_credentials", "scope": TEAMS_SCOPE})
        self.assertEqual(r.status, 200, r)

    def test_entra_errors(self):
        self.assert_entra_error(self.post_token(client_secret="nope"), 401, "invalid_client", 7000215)
        self.assert_entra_error(self.post_token(tenant="fabrikam.com", client_secret=SECRET), 400,
                                "invalid_request", 90002)
        self.assert_entra_error(self.post_token(client_id="11111111-2222-3333-4444-555555555555",
                                                client_secret=SECRET), 400, "unauthorized_client", 700016)
        self.assert_entra_error(self.post_token(client_secret=SECRET, scope="https://example.com/.default"), 400,
                                "invalid_scope", 70011)
        self.assert_entra_error(self.post_token(), 401, "invalid_client", 7000218)

    def test_graph_scope_of_other_clouds_is_accepted(self):
        self.assertEqual(self.post_token(client_secret=SECRET, scope="https://graph.microsoft.us/.default").status,
                         200)

    def test_expired_secret(self):
        fx = self.sim.baseline_fixture
        import copy
        fx2 = copy.deepcopy(fx)
        fx2["apps"][0]["secretExpired"] = True
        self.assertEqual(self.call("POST", "/_sim/fixture", fx2).status, 200)
        try:
            self.assert_entra_error(self.post_token(client_secret=SECRET), 401, "invalid_client", 7000222)
        finally:
            self.call("POST", "/_sim/fixture", fx)

    def test_login_bodies_are_redacted_in_the_log(self):
        self.post_token(client_secret=SECRET)
        log = self.log(bodies=True)
        self.assertEqual(log["requests"][-1]["body"], "<redacted>")
        self.assertNotIn(SECRET, str(log))


class CertificateAuth(SimTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cert, cls.key = make_cert("dialtone-assertion")
        cls.other_cert, cls.other_key = make_cert("not-registered")

    def setUp(self):
        super().setUp()
        r = self.call("POST", "/_sim/apps/%s/certificates" % APP, {"pem": cert_pem(self.cert)})
        self.assertEqual(r.status, 200, r)
        self.aud = "%s/login/%s/oauth2/v2.0/token" % (self.base, TENANT)

    def token_with(self, assertion, tenant=TENANT, scope=GRAPH_SCOPE):
        return self.call("POST", "/login/%s/oauth2/v2.0/token" % tenant, form={
            "grant_type": "client_credentials", "client_id": APP, "scope": scope,
            "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion})

    def assert_code(self, r, code):
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json["error"], "invalid_client")
        self.assertEqual(r.json["error_codes"], [code], r)

    def test_ps256_with_x5t_s256(self):
        r = self.token_with(make_assertion(self.cert, self.key, self.aud, "PS256", "x5t#S256"))
        self.assertEqual(r.status, 200, r)
        g = self.call("GET", "/graph/v1.0/subscribedSkus", token=r.json["access_token"])
        self.assertEqual(g.status, 200)

    def test_rs256_with_x5t(self):
        r = self.token_with(make_assertion(self.cert, self.key, self.aud, "RS256", "x5t"), scope=TEAMS_SCOPE)
        self.assertEqual(r.status, 200, r)

    def test_audience_may_name_a_verified_domain(self):
        aud = "%s/login/contoso.com/oauth2/v2.0/token" % self.base
        self.assertEqual(self.token_with(make_assertion(self.cert, self.key, aud), tenant="contoso.com").status, 200)

    def test_unregistered_certificate(self):
        self.assert_code(self.token_with(make_assertion(self.other_cert, self.other_key, self.aud)), 700027)

    def test_bad_signature(self):
        a = make_assertion(self.cert, self.other_key, self.aud)
        self.assert_code(self.token_with(a), 700027)

    def test_wrong_audience(self):
        self.assert_code(self.token_with(make_assertion(
            self.cert, self.key, "https://login.microsoftonline.com/%s/oauth2/v2.0/token" % TENANT)), 700023)

    def test_issuer_must_be_client_id(self):
        self.assert_code(self.token_with(make_assertion(self.cert, self.key, self.aud,
                                                        iss="99999999-9999-4999-8999-999999999999")), 700021)

    def test_expired_and_future_assertions(self):
        self.assert_code(self.token_with(make_assertion(self.cert, self.key, self.aud, exp_in=-5)), 700024)
        self.assert_code(self.token_with(make_assertion(self.cert, self.key, self.aud, nbf_in=400,
                                                        exp_in=900)), 700024)
        self.assertEqual(self.token_with(make_assertion(self.cert, self.key, self.aud, nbf_in=200,
                                                        exp_in=900)).status, 200)

    def test_jti_required_and_not_replayed(self):
        self.assert_code(self.token_with(make_assertion(self.cert, self.key, self.aud, jti=False)), 50027)
        a = make_assertion(self.cert, self.key, self.aud)
        self.assertEqual(self.token_with(a).status, 200)
        self.assert_code(self.token_with(a), 50027)


class BearerChecks(SimTestCase):

    def test_missing_and_malformed_token(self):
        r = self.call("GET", "/graph/v1.0/users")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.error()[0], "InvalidAuthenticationToken")
        self.assertIn("innerError", r.json["error"])
        r = self.call("GET", "/teams/Skype.Ncs/locations", token="abc")
        self.assertEqual((r.status, r.error()[0]), (401, "InvalidAuthenticationToken"))

    def test_wrong_audience(self):
        teams_token = self.token(TEAMS_SCOPE)
        r = self.call("GET", "/graph/v1.0/users", token=teams_token)
        self.assertEqual((r.status, r.error()), (401, ("InvalidAuthenticationToken",
                                                        "Access token validation failure. Invalid audience.")))
        r = self.call("GET", "/teams/Skype.Ncs/locations", token=self.token(GRAPH_SCOPE))
        self.assertEqual(r.status, 401)

    def test_expired_token(self):
        self.settings(token_lifetime_s=1)
        r = self.call("POST", "/login/contoso.com/oauth2/v2.0/token", form={
            "client_id": APP, "client_secret": SECRET, "grant_type": "client_credentials", "scope": GRAPH_SCOPE})
        self.assertEqual(r.json["expires_in"], 1)
        time.sleep(1.1)
        r = self.call("GET", "/graph/v1.0/users", token=r.json["access_token"])
        self.assertEqual(r.status, 401)
        self.assertEqual(r.error()[1], "Lifetime validation failed, the token is expired.")

    def test_revoked_tokens(self):
        tok = self.token()
        self.assertEqual(self.call("GET", "/graph/v1.0/subscribedSkus", token=tok).status, 200)
        self.assertEqual(self.call("POST", "/_sim/revoke-tokens").status, 200)
        r = self.call("GET", "/graph/v1.0/subscribedSkus", token=tok)
        self.assertEqual((r.status, r.error()[0]), (401, "InvalidAuthenticationToken"))
        self.assertEqual(self.call("GET", "/graph/v1.0/subscribedSkus", token=self.token()).status, 200)

    def test_missing_graph_permission(self):
        r = self.graph("POST", "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber",
                       {"telephoneNumber": "+14255550100", "assignmentTargetId": TENANT, "numberType": "directRouting"},
                       app=RO_APP, secret=RO_SECRET)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.error(), ("forbidden", "Insufficient permission(s) for the request. API requires any of "
                                                  "the following permission(s): TeamsTelephoneNumber.ReadWrite.All."))
        self.assertEqual(r.json["error"]["innerError"]["code"], "Forbidden")
        r = self.graph("GET", "/v1.0/communications/callRecords/getPstnCalls(fromDateTime=2025-01-01,"
                              "toDateTime=2025-01-02)", app=RO_APP, secret=RO_SECRET)
        self.assertEqual(r.error()[1], "Insufficient permission(s) for the request. API requires any of the "
                                       "following permission(s): CallRecords.Read.All.")
        ok = self.graph("GET", "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments", app=RO_APP,
                        secret=RO_SECRET)
        self.assertEqual(ok.status, 200)

    def test_teams_needs_directory_role(self):
        r = self.teams("GET", "/Skype.Ncs/locations", app=RO_APP, secret=RO_SECRET)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.error()[0], "Forbidden")


if __name__ == "__main__":
    unittest.main()
