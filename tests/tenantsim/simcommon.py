"""Shared helpers of the tenant simulator: errors, responses, ids, time and E.164.

Every handler in the simulator returns a :class:`Response` or raises an
:class:`ApiError`.  The HTTP layer turns an ``ApiError`` into the error body of
the service the request was addressed to (Graph, Teams admin or Entra login),
so a handler only says *what* went wrong and with which status and code.
"""

import base64
import datetime
import email.utils
import json
import re
import uuid

# Well-known identifiers (docs/design/services.md#licence-ids, docs/design/services.md#resource-accounts, docs/design/auth.md#audiences).
TEAMS_AUDIENCE = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239"
GRAPH_AUDIENCE = "https://graph.microsoft.com"
AA_APPLICATION_ID = "ce933385-9390-45d1-9512-c8d228074e07"
CQ_APPLICATION_ID = "11cd3e2e-fccb-42ad-ad00-878b93575e07"
TNM_APPLICATION_ID = "045268c0-445e-4ac1-9157-d58f67b167d9"

SKU_MCOEV = "e43b5b99-8dfb-405f-9987-dc307f34bcbd"
SKU_VIRTUALUSER = "440eaaa8-b3e0-484b-a8be-62870b9ba70a"
SKU_MCOPSTNC = "47794cd0-f0e5-45c5-9033-2eb6b5fc84e0"

STATUS_TEXT = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
    405: "MethodNotAllowed", 409: "Conflict", 415: "UnsupportedMediaType", 412: "PreconditionFailed",
    423: "Locked", 424: "FailedDependency", 429: "TooManyRequests",
    500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class ApiError(Exception):
    """A failure answered with ``status`` and the service's own error shape.

    ``code`` is the service error code (Graph ``error.code``; on teams it
    defaults to the status name such as ``BadRequest``).  ``extra`` is merged
    into Graph's ``innerError`` (used by the 403 permission error).
    """

    def __init__(self, status, message, code=None, headers=None, extra=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or STATUS_TEXT.get(status, "UnknownError")
        self.headers = dict(headers or {})
        self.extra = extra


def bad_request(message, code="BadRequest"):
    """Shorthand for the most common failure, 400."""
    return ApiError(400, message, code)


def not_found(message, code="NotFound"):
    """Shorthand for 404."""
    return ApiError(404, message, code)


class Response:
    """An HTTP answer: status, headers and a body.

    ``body`` is either ``None`` (no body, Content-Length 0), ``bytes`` (sent as
    is) or any JSON-serialisable value (sent as ``application/json``).
    """

    __slots__ = ("status", "headers", "body")

    def __init__(self, status=200, body=None, headers=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def encoded(self):
        """Return (bytes, content_type or None) for the body."""
        if self.body is None:
            return b"", None
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body), self.headers.get("Content-Type")
        return (json.dumps(self.body, separators=(",", ":")).encode("utf-8"),
                "application/json; charset=utf-8")


def new_guid():
    """A new random GUID string (lower case)."""
    return str(uuid.uuid4())


def stable_guid(*parts):
    """A GUID derived from ``parts``; the same parts always give the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "tenantsim:" + "|".join(parts)))


def b64url(data):
    """Unpadded base64url of bytes or str."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    """Decode unpadded base64url text to bytes (raises ValueError)."""
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_guid(text):
    """True when ``text`` is a GUID string."""
    return isinstance(text, str) and bool(GUID_RE.match(text))


def iso_utc(ts, fraction=False):
    """ISO 8601 UTC text for a POSIX time (``Z`` suffix)."""
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    if fraction:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    """Parse an ISO 8601 date or date-time (``Z`` or offset; bare date = midnight UTC).

    Returns a POSIX time; raises ValueError on bad input.
    """
    text = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        text += "T00:00:00Z"
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    # Python 3.11 fromisoformat handles up to 6 fractional digits; trim 7.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def http_date(ts):
    """An RFC 7231 HTTP-date for a POSIX time."""
    return email.utils.formatdate(ts, usegmt=True)


# ---------------------------------------------------------------- E.164 ----

E164_RE = re.compile(r"^\+[1-9]\d{6,14}(;ext=\d{1,10})?$")

# Country calling codes used to guess the country of a Direct Routing number
# whose isoCountryCode is null (longest prefix wins).
CALLING_CODES = {
    "1": "US", "44": "GB", "49": "DE", "33": "FR", "31": "NL", "61": "AU",
    "64": "NZ", "81": "JP", "65": "SG", "353": "IE", "34": "ES", "39": "IT",
    "46": "SE", "47": "NO", "45": "DK", "41": "CH", "43": "AT", "32": "BE",
    "48": "PL", "420": "CZ", "36": "HU", "40": "RO", "351": "PT", "91": "IN",
}


def normalise_number(text):
    """Return ``text`` as ``+digits[;ext=N]`` (accepts a missing ``+`` and ``tel:``)."""
    if not isinstance(text, str):
        return None
    t = text.strip()
    if t.lower().startswith("tel:"):
        t = t[4:]
    ext = ""
    m = re.search(r";ext=(\d+)$", t, re.I)
    if m:
        ext = ";ext=" + m.group(1)
        t = t[:m.start()]
    digits = re.sub(r"[\s().-]", "", t)
    if not digits.startswith("+"):
        digits = "+" + digits
    return digits + ext


def valid_e164(text):
    """True for ``+`` followed by 7-15 digits, optional ``;ext=``."""
    return isinstance(text, str) and bool(E164_RE.match(text))


def number_base(text):
    """The number without its ``;ext=`` suffix."""
    return text.split(";", 1)[0]


def country_of_number(number):
    """Guess ISO country of an E.164 number from its calling code (or None)."""
    digits = number_base(number).lstrip("+")
    for n in (3, 2, 1):
        code = CALLING_CODES.get(digits[:n])
        if code:
            return code
    return None


TOLL_FREE_PREFIXES = ("+1800", "+1833", "+1844", "+1855", "+1866", "+1877",
                      "+1888", "+44800", "+44808")


def is_toll_free(number):
    """True for North American and UK toll-free numbers."""
    return number_base(number).startswith(TOLL_FREE_PREFIXES)
