"""Entra login for the tenant simulator: the token endpoint and bearer checks.

``POST /login/{tenant}/oauth2/v2.0/token`` accepts the client-credentials grant
with a client secret (form field or HTTP Basic) or a certificate assertion
(RS256 or PS256, ``x5t`` or ``x5t#S256``).  Errors use the Entra shape of
docs/design/auth.md#token-errors.  Access tokens are JWT-shaped, signed with an HMAC key of this
simulator, and carry ``aud``, ``tid``, ``appid``, ``exp``, ``roles`` (Graph
application permissions) and ``wids`` (directory role template ids).

Secrets and assertions are never echoed in any message.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding

from simcommon import (ApiError, GRAPH_AUDIENCE, TEAMS_AUDIENCE, Response, b64url,
                       b64url_decode, new_guid)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# Directory role names -> role template ids (the ``wids`` claim).
ROLE_TEMPLATES = {
    "Teams Administrator": "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "Teams Communications Administrator": "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
}
# Roles that authorise the Teams admin backend.
TEAMS_ADMIN_ROLES = {ROLE_TEMPLATES["Teams Administrator"], ROLE_TEMPLATES["Global Administrator"]}


class LoginError(Exception):
    """An Entra error: HTTP status, ``error`` and the AADSTS number and text."""

    def __init__(self, status, error, code, text):
        super().__init__(text)
        self.status, self.error, self.code, self.text = status, error, code, text


def login_error_response(base, err):
    """The Entra error body (docs/design/auth.md#token-errors) for a :class:`LoginError`."""
    trace, corr = new_guid(), new_guid()
    ts = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    desc = "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
        err.code, err.text, trace, corr, ts)
    return Response(err.status, {
        "error": err.error, "error_description": desc, "error_codes": [err.code],
        "timestamp": ts, "trace_id": trace, "correlation_id": corr,
        "error_uri": "%s/login/error?code=%d" % (base, err.code)})


class CertInfo:
    """A registered certificate: its thumbprints and public key."""

    def __init__(self, pem):
        if isinstance(pem, str):
            pem = pem.encode("ascii")
        cert = x509.load_pem_x509_certificate(pem)
        der = cert.public_bytes(Encoding.DER)
        self.x5t = b64url(hashlib.sha1(der).digest())
        self.x5t256 = b64url(hashlib.sha256(der).digest())
        self.key = cert.public_key()


class Authority:
    """Issues and validates access tokens for one simulator instance."""

    def __init__(self):
        self._key = os.urandom(32)
        self._lock = threading.Lock()
        self._jti_seen = {}
        self.generation = 0      # bumped by token revocation
        self._cert_cache = {}

    # ---------------------------------------------------------- tokens --

    def _sign(self, claims):
        header = b64url(json.dumps({"typ": "JWT", "alg": "HS256", "kid": "tenantsim"}, separators=(",", ":")))
        body = b64url(json.dumps(claims, separators=(",", ":")))
        sig = hmac.new(self._key, ("%s.%s" % (header, body)).encode("ascii"), hashlib.sha256).digest()
        return "%s.%s.%s" % (header, body, b64url(sig))

    def issue(self, tenant, app, audience, lifetime):
        """A new access token for ``app`` and ``audience``."""
        now = int(time.time())
        claims = {
            "aud": audience, "iss": "https://sts.windows.net/%s/" % tenant.tenant_id,
            "iat": now, "nbf": now, "exp": now + int(lifetime),
            "appid": app["clientId"], "oid": app["clientId"], "tid": tenant.tenant_id,
            "idtyp": "app", "uti": b64url(os.urandom(12)), "ver": "1.0",
            "roles": sorted(app["graphPermissions"]) if audience != TEAMS_AUDIENCE else [],
            "wids": sorted(ROLE_TEMPLATES[r] for r in app["directoryRoles"] if r in ROLE_TEMPLATES),
            "xms_simgen": self.generation,
        }
        return self._sign(claims)

    def revoke_all(self):
        """Make every token issued so far invalid."""
        with self._lock:
            self.generation += 1

    def validate(self, auth_header, service, tenant):
        """Check a bearer token for ``service`` ("graph"|"teams"); return its claims.

        Raises ApiError 401 (code ``InvalidAuthenticationToken``) when the
        token is missing, malformed, badly signed, expired, revoked, for
        another audience or for another tenant.
        """
        def fail(msg):
            return ApiError(401, msg, "InvalidAuthenticationToken",
                            headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})
        if not auth_header or not auth_header.lower().startswith("bearer "):
            raise fail("Access token is empty.")
        token = auth_header[7:].strip()
        parts = token.split(".")
        if len(parts) != 3:
            raise fail("IDX14100: JWT is not well formed, there are no dots (.).")
        sig = hmac.new(self._key, ("%s.%s" % (parts[0], parts[1])).encode("ascii"), hashlib.sha256).digest()
        try:
            good = hmac.compare_digest(b64url_decode(parts[2]), sig)
            claims = json.loads(b64url_decode(parts[1]))
        except (ValueError, binascii.Error):
            raise fail("Access token validation failure. Invalid signature.")
        if not good:
            raise fail("Access token validation failure. Invalid signature.")
        if claims.get("exp", 0) <= time.time():
            raise fail("Lifetime validation failed, the token is expired.")
        if claims.get("xms_simgen") != self.generation:
            raise fail("Access token has been revoked.")
        aud = claims.get("aud", "")
        ok = (aud == TEAMS_AUDIENCE) if service == "teams" else (
            aud.startswith("https://graph.") or aud == "00000003-0000-0000-c000-000000000000")
        if not ok:
            raise fail("Access token validation failure. Invalid audience.")
        if claims.get("tid") != tenant.tenant_id:
            raise fail("Access token validation failure. Invalid tenant.")
        return claims

    # ---------------------------------------------------- token endpoint --

    def token_endpoint(self, sim, req, tenant_ref):
        """Serve ``POST /login/{tenant}/oauth2/v2.0/token``."""
        base = sim.base_url
        try:
            return self._token(sim, req, tenant_ref)
        except LoginError as err:
            return login_error_response(base, err)

    def _token(self, sim, req, tenant_ref):
        tenant = sim.tenant
        if req.method != "POST":
            raise LoginError(405, "invalid_request", 900561,
                             "The endpoint only accepts POST requests. Received a %s request." % req.method)
        ref = urllib.parse.unquote(tenant_ref).lower()
        if ref != tenant.tenant_id and ref not in {d["name"] for d in tenant.domains}:
            raise LoginError(400, "invalid_request", 90002,
                             "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are "
                             "signing into the correct cloud." % ref)
        ctype = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise LoginError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'grant_type'.")
        try:
            form = urllib.parse.parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            form = {}
        field = lambda k: (form.get(k) or [None])[0]
        basic_id = basic_secret = None
        auth = req.headers.get("Authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                raw = base64.b64decode(auth[6:].strip()).decode("utf-8")
                basic_id, _, basic_secret = raw.partition(":")
                basic_id = urllib.parse.unquote_plus(basic_id)
                basic_secret = urllib.parse.unquote_plus(basic_secret)
            except (ValueError, UnicodeDecodeError):
                raise LoginError(401, "invalid_client", 7000215, "Invalid client secret provided.")
        grant = field("grant_type")
        if not grant:
            raise LoginError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'grant_type'.")
        if grant != "client_credentials":
            raise LoginError(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type '%s'." % grant)
        client_id = (field("client_id") or basic_id or "").lower()
        if not client_id:
            raise LoginError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'client_id'.")
        app = tenant.apps.get(client_id)
        if app is None:
            raise LoginError(400, "unauthorized_client", 700016,
                             "Application with identifier '%s' was not found in the directory '%s'. This can "
                             "happen if the application has not been installed by the administrator of the "
                             "tenant or consented to by any user in the tenant." % (client_id, ref))
        scope = field("scope")
        if not scope:
            raise LoginError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'scope'.")
        audience = self._audience(scope)
        secret = field("client_secret") if field("client_secret") is not None else basic_secret
        assertion = field("client_assertion")
        if assertion is not None:
            if field("client_assertion_type") != ASSERTION_TYPE:
                raise LoginError(400, "invalid_request", 50027,
                                 "Invalid client_assertion_type; expected '%s'." % ASSERTION_TYPE)
            self._check_assertion(sim, app, assertion, ref)
        elif secret is not None:
            if not app["secret"] or not hmac.compare_digest(secret.encode("utf-8"), app["secret"].encode("utf-8")):
                raise LoginError(401, "invalid_client", 7000215,
                                 "Invalid client secret provided. Ensure the secret being sent in the request is "
                                 "the client secret value, not the client secret ID, for a secret added to app "
                                 "'%s'." % app["clientId"])
            if app["secretExpired"]:
                raise LoginError(401, "invalid_client", 7000222,
                                 "The provided client secret keys for app '%s' are expired. Visit the Azure "
                                 "portal to create new keys for your app." % app["clientId"])
        else:
            raise LoginError(401, "invalid_client", 7000218,
                             "The request body must contain the following parameter: 'client_assertion' or "
                             "'client_secret'.")
        lifetime = int(sim.tenant.settings["token_lifetime_s"])
        token = self.issue(tenant, app, audience, lifetime)
        return Response(200, {"token_type": "Bearer", "expires_in": lifetime,
                              "ext_expires_in": lifetime, "access_token": token})

    @staticmethod
    def _audience(scope):
        parts = scope.split()
        if len(parts) == 1:
            s = parts[0]
            if s == TEAMS_AUDIENCE + "/.default":
                return TEAMS_AUDIENCE
            if s.startswith("https://graph.") and s.endswith("/.default"):
                host = s[len("https://"):-len("/.default")]
                if host and "/" not in host:
                    return "https://" + host
            if s == "00000003-0000-0000-c000-000000000000/.default":
                return GRAPH_AUDIENCE
        raise LoginError(400, "invalid_scope", 70011,
                         "The provided request must include a 'scope' input parameter. The provided value for the "
                         "input parameter 'scope' isn't valid. The scope %s is not valid." % scope[:200])

    def _certs(self, app):
        out = []
        for pem in app["certificates"]:
            info = self._cert_cache.get(pem)
            if info is None:
                info = CertInfo(pem)
                self._cert_cache[pem] = info
            out.append(info)
        return out

    def _check_assertion(self, sim, app, assertion, tenant_ref):
        def bad_sig(reason):
            return LoginError(401, "invalid_client", 700027,
                              "Client assertion contains an invalid signature. [Reason - %s]" % reason)
        parts = assertion.split(".")
        if len(parts) != 3:
            raise LoginError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, binascii.Error):
            raise LoginError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise LoginError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
        alg = header.get("alg")
        if alg not in ("RS256", "PS256"):
            raise bad_sig("The algorithm '%s' is not supported." % alg)
        x5t, x5t256 = header.get("x5t"), header.get("x5t#S256")
        if not x5t and not x5t256:
            raise bad_sig("The key was not found., Thumbprint of key used by client: ''")
        cert = None
        for c in self._certs(app):
            if (x5t256 and c.x5t256 == x5t256) or (x5t and c.x5t == x5t):
                cert = c
                break
        if cert is None:
            raise bad_sig("The key was not found., Thumbprint of key used by client: '%s'" % (x5t256 or x5t))
        signing_input = ("%s.%s" % (parts[0], parts[1])).encode("ascii")
        try:
            if alg == "RS256":
                cert.key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            else:
                cert.key.verify(signature, signing_input,
                                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        except (InvalidSignature, ValueError, TypeError):
            raise bad_sig("The signature is not valid.")
        cid = app["clientId"]
        if str(claims.get("iss", "")).lower() != cid or str(claims.get("sub", "")).lower() != cid:
            raise LoginError(401, "invalid_client", 700021,
                             "Client assertion application identifier doesn't match 'client_id' parameter. "
                             "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/"
                             "develop/certificate-credentials .")
        allowed = set()
        for base in sim.base_urls():
            for t in [sim.tenant.tenant_id, tenant_ref] + [d["name"] for d in sim.tenant.domains]:
                allowed.add("%s/login/%s/oauth2/v2.0/token" % (base, t))
        aud = claims.get("aud")
        if isinstance(aud, list):
            aud = aud[0] if len(aud) == 1 else None
        if not isinstance(aud, str) or aud.lower() not in {a.lower() for a in allowed}:
            raise LoginError(401, "invalid_client", 700023,
                             "Client assertion audience claim does not match Realm issuer. Review the "
                             "documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/"
                             "certificate-credentials .")
        now = time.time()
        try:
            exp = float(claims.get("exp"))
            nbf = float(claims.get("nbf", now))
        except (TypeError, ValueError):
            raise LoginError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
        if exp <= now or nbf > now + 300:
            raise LoginError(401, "invalid_client", 700024,
                             "Client assertion is not within its valid time range. Current time: %s, assertion "
                             "valid from %s, expiry time of assertion %s." % (
                                 time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(now)),
                                 time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(nbf)),
                                 time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(exp))))
        jti = claims.get("jti")
        if not jti or not isinstance(jti, str):
            raise LoginError(401, "invalid_client", 50027, "JWT token is invalid or malformed: no 'jti' claim.")
        with self._lock:
            for k in [k for k, v in self._jti_seen.items() if v < now]:
                del self._jti_seen[k]
            key = (cid, jti)
            if key in self._jti_seen:
                raise LoginError(401, "invalid_client", 50027,
                                 "JWT token is invalid or malformed: the 'jti' claim has already been used.")
            self._jti_seen[key] = max(exp, now) + 600
