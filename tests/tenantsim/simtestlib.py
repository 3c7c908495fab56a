"""Helpers shared by the simulator's unittest suite (not a test module itself).

``SimTestCase`` starts one in-process simulator per test class on port 0 and
gives each test a reset tenant plus a tiny HTTP client.  Certificates and
assertions are built with python3-cryptography.  Nothing here prints a secret.
"""

import datetime
import gzip
import hashlib
import http.client
import json
import os
import sys
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

import genfixture  # noqa: E402
from simcommon import b64url  # noqa: E402
from simhttp import Simulator  # noqa: E402

TENANT = genfixture.TENANT_ID
APP = genfixture.APP_ID
SECRET = genfixture.APP_SECRET
RO_APP = genfixture.READONLY_APP_ID
RO_SECRET = genfixture.READONLY_APP_SECRET
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TEAMS_SCOPE = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default"
TNM_HEADER = {"x-ms-tnm-applicationid": "045268c0-445e-4ac1-9157-d58f67b167d9"}
AA_APP = "ce933385-9390-45d1-9512-c8d228074e07"
HQ_LOCATION = genfixture.DEFAULT_LOCATION_ID
HQ_ADDRESS = genfixture.ADDRESS_ID
GROUP = genfixture.GROUP_ID


class Reply:
    """A response: status, headers (lower-case keys), raw bytes and parsed JSON."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    def error(self):
        """(code, message) of a Graph/Teams error body."""
        e = (self.json or {}).get("error") or {}
        return e.get("code"), e.get("message")

    def __repr__(self):
        return "<Reply %d %s>" % (self.status, self.raw[:300])


def request(base, method, path, body=None, headers=None, token=None, form=None, ssl_context=None, timeout=30):
    """One HTTP request to the simulator; ``path`` may be absolute or start with '/'."""
    url = path if path.startswith("http") else base + path
    u = urllib.parse.urlsplit(url)
    conn_cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    kw = {"context": ssl_context} if u.scheme == "https" else {}
    conn = conn_cls(u.hostname, u.port, timeout=timeout, **kw)
    hdrs = {"Accept": "application/json"}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if token:
        hdrs["Authorization"] = "Bearer " + token
    hdrs.update(headers or {})
    target = u.path + ("?" + u.query if u.query else "")
    try:
        conn.request(method, target, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        h = {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    if h.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    return Reply(resp.status, h, raw)


def make_cert(cn="dialtone-test", key=None, issuer_cert=None, issuer_key=None, ca=False, san=None):
    """A certificate (self-signed unless an issuer is given) and its key."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(subject)
         .issuer_name(issuer_cert.subject if issuer_cert else subject)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        import ipaddress
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address(s)) if s[0].isdigit() else x509.DNSName(s) for s in san]),
            critical=False)
    cert = b.sign(issuer_key or key, hashes.SHA256())
    return cert, key


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def make_assertion(cert, key, aud, alg="PS256", thumb="x5t#S256", client_id=APP, exp_in=600, nbf_in=0,
                   jti=True, iss=None):
    """A signed client assertion JWT (docs/design/auth.md#certificate-assertion)."""
    der = cert.public_bytes(serialization.Encoding.DER)
    header = {"alg": alg, "typ": "JWT"}
    if thumb in ("x5t", "both"):
        header["x5t"] = b64url(hashlib.sha1(der).digest())
    if thumb in ("x5t#S256", "both"):
        header["x5t#S256"] = b64url(hashlib.sha256(der).digest())
    now = int(time.time())
    claims = {"aud": aud, "iss": iss or client_id, "sub": client_id, "nbf": now + nbf_in, "exp": now + exp_in,
              "iat": now}
    if jti:
        claims["jti"] = str(uuid.uuid4())
    signing_input = ("%s.%s" % (b64url(json.dumps(header)), b64url(json.dumps(claims)))).encode()
    if alg == "RS256":
        sig = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        sig = key.sign(signing_input, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                       hashes.SHA256())
    return signing_input.decode() + "." + b64url(sig)


class SimTestCase(unittest.TestCase):
    """Starts a simulator for the class; resets it before each test."""

    sim_kwargs = {}
    fixture = None

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(fixture=cls.fixture, seed=1234, **cls.sim_kwargs).start()
        cls.base = cls.sim.base_url
        cls._tokens = {}

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.call("POST", "/_sim/reset")

    # -- client ---------------------------------------------------------
    def call(self, method, path, body=None, headers=None, token=None, form=None):
        return request(self.base, method, path, body, headers, token, form)

    def token(self, scope=GRAPH_SCOPE, app=APP, secret=SECRET, tenant="contoso.com"):
        r = self.call("POST", "/login/%s/oauth2/v2.0/token" % tenant,
                      form={"client_id": app, "client_secret": secret, "grant_type": "client_credentials",
                            "scope": scope})
        self.assertEqual(r.status, 200, r)
        return r.json["access_token"]

    def graph(self, method, path, body=None, headers=None, app=APP, secret=SECRET):
        return self.call(method, "/graph" + path if not path.startswith("http") else path, body, headers,
                         self.token(GRAPH_SCOPE, app, secret))

    def teams(self, method, path, body=None, headers=None, app=APP, secret=SECRET):
        h = {"Accept-Encoding": "gzip"}
        h.update(headers or {})
        if path.startswith(self.base + "/teams"):
            path = path[len(self.base + "/teams"):]
        return self.call(method, "/teams" + path, body, h, self.token(TEAMS_SCOPE, app, secret))

    def settings(self, **kw):
        r = self.call("POST", "/_sim/settings", kw)
        self.assertEqual(r.status, 200, r)

    def faults(self, rules):
        r = self.call("POST", "/_sim/faults", rules)
        self.assertEqual(r.status, 200, r)

    def log(self, since=0, bodies=False):
        return self.call("GET", "/_sim/requests?since=%d%s" % (since, "&bodies=1" if bodies else "")).json

    # -- tenant helpers ---------------------------------------------------
    def user(self, upn):
        r = self.graph("GET", "/v1.0/users/%s?$select=id,userPrincipalName,usageLocation,assignedLicenses" % upn)
        self.assertEqual(r.status, 200, r)
        return r.json

    def number(self, num):
        r = self.graph("GET", "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$filter="
                       + urllib.parse.quote("telephoneNumber eq '%s'" % num))
        self.assertEqual(r.status, 200, r)
        return r.json["value"][0] if r.json["value"] else None

    def assign(self, num, target, ntype, **extra):
        body = {"telephoneNumber": num, "assignmentTargetId": target, "numberType": ntype}
        body.update(extra)
        return self.graph("POST", "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber",
                          body)

    def operation(self, reply):
        self.assertEqual(reply.status, 202, reply)
        r = self.graph("GET", reply.headers["location"])
        self.assertEqual(r.status, 200, r)
        return r.json["value"]

    def create_ra(self, upn="mainline@contoso.com", name="Main Line", licence=True, usage="US"):
        r = self.teams("POST", "/Teams.PlatformService/v2/ApplicationInstances",
                       {"userPrincipalName": upn, "displayName": name, "applicationId": AA_APP})
        self.assertEqual(r.status, 200, r)
        oid = r.json["objectId"]
        if usage:
            self.assertEqual(self.graph("PATCH", "/v1.0/users/" + oid, {"usageLocation": usage}).status, 204)
        if licence:
            skus = licence if isinstance(licence, list) else [genfixture.SKU_VIRTUALUSER]
            r = self.graph("POST", "/v1.0/users/%s/assignLicense" % oid,
                           {"addLicenses": [{"skuId": s, "disabledPlans": []} for s in skus],
                            "removeLicenses": []})
            self.assertEqual(r.status, 200, r)
        return oid

    def ra_with_number(self, num="+14255550100", ntype="directRouting", location=HQ_LOCATION, licence=True,
                       upn="mainline@contoso.com"):
        oid = self.create_ra(upn=upn, licence=licence)
        op = self.operation(self.assign(num, oid, ntype))
        self.assertEqual(op["status"], "succeeded", op)
        if location:
            r = self.graph("POST", "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/updateNumber",
                           {"telephoneNumber": num, "locationId": location})
            self.assertEqual(r.status, 200, r)
        return oid
