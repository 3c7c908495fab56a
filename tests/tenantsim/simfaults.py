"""Fault injection, throttling and the request log of the tenant simulator.

* :class:`FaultRules` holds the scripted and random fault rules set by CLI
  flags or ``POST /_sim/faults`` and decides, per request, what to do to it.
* :class:`Throttle` is a token bucket per (app, tenant, service class).
* :class:`RequestLog` records every request (and every ``$batch`` inner
  request) with the status served, for ``GET /_sim/requests``.
"""

import collections
import math
import threading
import time

from simcommon import http_date

FAULT_KEYS = {"match", "times", "probability", "status", "retry_after", "drop",
              "latency_ms", "stall_s", "message", "code", "operation_failure", "body"}
# Keys that decide what happens to a request (at most one per rule).
# "body": a successful answer is served with this JSON body instead (a
# service whose answers changed shape).
EFFECT_KEYS = ("status", "drop", "stall_s", "operation_failure", "body")


class FaultDecision:
    """What to do to one request.

    ``action`` is None (serve normally, maybe after ``latency_ms``),
    ``"status"`` (answer ``status`` with the service error body),
    ``"drop"`` (``drop`` is ``"before"`` or ``"mid"``), ``"stall"`` or
    ``"opfail"`` (the number operation created by the request fails with
    ``message`` as its ``statusDetail``).  ``message``/``code`` override the
    error text and code of an injected status.
    """

    __slots__ = ("latency_ms", "action", "status", "retry_after", "drop", "stall_s", "message", "code", "body")

    def __init__(self):
        self.latency_ms = 0
        self.action = None
        self.status = None
        self.retry_after = None
        self.drop = None
        self.stall_s = 0
        self.message = None
        self.code = None
        self.body = None

    def retry_after_header(self):
        """The Retry-After header text, or None when the rule has none.

        ``"date:N"`` gives an HTTP-date N seconds ahead; any other text is sent
        as is (seconds, an HTTP-date, or deliberately invalid text).
        """
        ra = self.retry_after
        if ra is None:
            return None
        ra = str(ra)
        if ra.startswith("date:"):
            try:
                ahead = float(ra[5:])
            except ValueError:
                ahead = 1
            return http_date(time.time() + ahead)
        return ra


def validate_rule(rule):
    """Check and normalise one fault rule; raise ValueError naming the problem."""
    if not isinstance(rule, dict):
        raise ValueError("a fault rule must be a JSON object")
    unknown = set(rule) - FAULT_KEYS - {"id", "remaining"}
    if unknown:
        raise ValueError("unknown fault rule key(s): %s" % ", ".join(sorted(unknown)))
    match = rule.get("match")
    if not isinstance(match, str) or " " not in match.strip():
        raise ValueError("'match' must be \"METHOD PATH-PREFIX\", e.g. \"GET /graph/v1.0/users\"")
    method, prefix = match.strip().split(None, 1)
    if not prefix.startswith("/"):
        raise ValueError("the path prefix in 'match' must start with '/'")
    out = {"match": "%s %s" % (method.upper(), prefix), "method": method.upper(), "prefix": prefix}
    if rule.get("times") is not None:
        if not isinstance(rule["times"], int) or rule["times"] < 1:
            raise ValueError("'times' must be a positive integer")
        out["times"] = rule["times"]
        out["remaining"] = rule["times"]
    if rule.get("probability") is not None:
        p = rule["probability"]
        if not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError("'probability' must be a number from 0 to 1")
        out["probability"] = float(p)
    if rule.get("status") is not None:
        s = rule["status"]
        if not isinstance(s, int) or not 400 <= s <= 599:
            raise ValueError("'status' must be an HTTP error status (400-599)")
        out["status"] = s
    if "retry_after" in rule and rule["retry_after"] is not None:
        out["retry_after"] = str(rule["retry_after"])
    if rule.get("drop") is not None:
        if rule["drop"] not in ("before", "mid"):
            raise ValueError("'drop' must be \"before\" or \"mid\"")
        out["drop"] = rule["drop"]
    for key in ("message", "code", "operation_failure"):
        if rule.get(key) is not None:
            if not isinstance(rule[key], str) or not rule[key]:
                raise ValueError("'%s' must be a non-empty string" % key)
            out[key] = rule[key]
    lat = rule.get("latency_ms")
    if isinstance(lat, list):
        # [low, high]: a latency drawn uniformly from the range per request.
        if (len(lat) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in lat)
                or not 0 <= lat[0] <= lat[1]):
            raise ValueError("'latency_ms' must be a non-negative number or a [low, high] range")
        out["latency_ms"] = [lat[0], lat[1]]
    for key in ("stall_s",) if isinstance(lat, list) else ("latency_ms", "stall_s"):
        if rule.get(key) is not None:
            if not isinstance(rule[key], (int, float)) or rule[key] < 0:
                raise ValueError("'%s' must be a non-negative number" % key)
            out[key] = rule[key]
    if "body" in rule:
        if rule["body"] is None:
            raise ValueError("'body' must be the JSON body to serve")
        out["body"] = rule["body"]
    if sum(1 for k in EFFECT_KEYS if k in out) > 1:
        raise ValueError("a rule has at most one of 'status', 'drop', 'stall_s', 'operation_failure'")
    if not any(k in out for k in EFFECT_KEYS + ("latency_ms",)):
        raise ValueError("a rule needs one of 'status', 'drop', 'stall_s', 'operation_failure', 'latency_ms'")
    if ("message" in out or "code" in out) and "status" not in out:
        raise ValueError("'message' and 'code' go with 'status'")
    return out


class FaultRules:
    """The fault rules in force, in the order they were added.

    Scripted rules (with ``times``) are tried first, in order: the first that
    matches is used and its count goes down by one.  Latency-only rules add
    their latency.  The remaining random rules share a single draw, so with
    ``503`` at 0.2 and ``429`` at 0.1 exactly 20 % and 10 % of requests get
    them.  A rule without ``times`` and ``probability`` always applies.
    """

    def __init__(self, rng):
        self._lock = threading.Lock()
        self._rules = []
        self._next_id = 1
        self.rng = rng

    def add(self, rules):
        """Validate and add one rule or a list; returns the stored rules."""
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list):
            raise ValueError("body must be a fault rule or a list of rules")
        checked = [validate_rule(r) for r in rules]
        with self._lock:
            for r in checked:
                r["id"] = self._next_id
                self._next_id += 1
                self._rules.append(r)
        return [self.public(r) for r in checked]

    @staticmethod
    def public(rule):
        """A rule as shown by ``GET /_sim/faults``."""
        return {k: v for k, v in rule.items() if k not in ("method", "prefix")}

    def list(self):
        """All rules still in force."""
        with self._lock:
            return [self.public(r) for r in self._rules]

    def clear(self):
        """Remove every rule."""
        with self._lock:
            self._rules = []

    @staticmethod
    def _matches(rule, method, path):
        return (rule["method"] in ("*", method)) and path.startswith(rule["prefix"])

    def _latency(self, value):
        """A rule's latency in ms: a number, or a draw from a [low, high] range."""
        if isinstance(value, list):
            return self.rng.uniform(value[0], value[1])
        return value

    def decide(self, method, path):
        """Return the :class:`FaultDecision` for one request."""
        d = FaultDecision()
        with self._lock:
            if not self._rules:
                return d
            chosen = None
            for r in self._rules:
                if "times" not in r or not self._matches(r, method, path):
                    continue
                if "probability" in r and self.rng.random() >= r["probability"]:
                    continue
                r["remaining"] -= 1
                chosen = r
                break
            self._rules = [r for r in self._rules if r.get("remaining", 1) > 0]
            for r in self._rules:
                if ("times" not in r and "latency_ms" in r and self._matches(r, method, path)
                        and not any(k in r for k in EFFECT_KEYS)):
                    if "probability" not in r or self.rng.random() < r["probability"]:
                        d.latency_ms += self._latency(r["latency_ms"])
            if chosen is None:
                draw = None
                acc = 0.0
                for r in self._rules:
                    if "times" in r or not self._matches(r, method, path):
                        continue
                    if not any(k in r for k in EFFECT_KEYS):
                        continue
                    p = r.get("probability", 1.0)
                    if p >= 1.0:
                        chosen = r
                        break
                    if draw is None:
                        draw = self.rng.random()
                    acc += p
                    if draw < acc:
                        chosen = r
                        break
            chosen_latency = self._latency(chosen.get("latency_ms", 0)) if chosen is not None else 0
        if chosen is not None:
            d.latency_ms += chosen_latency
            if "status" in chosen:
                d.action, d.status = "status", chosen["status"]
                d.retry_after = chosen.get("retry_after")
                d.message, d.code = chosen.get("message"), chosen.get("code")
            elif "operation_failure" in chosen:
                d.action, d.message = "opfail", chosen["operation_failure"]
            elif "body" in chosen:
                d.action, d.body = "body", chosen["body"]
            elif "drop" in chosen:
                d.action, d.drop = "drop", chosen["drop"]
            elif "stall_s" in chosen:
                d.action, d.stall_s = "stall", chosen["stall_s"]
        return d


# Published limits (docs/design/rules.md#thr-2): requests per second and bucket size.
DEFAULT_RATES = {
    "graph": {"rate": 13000.0, "burst": 130000.0},       # 130,000 / 10 s per app
    "graph_teams": {"rate": 30.0, "burst": 30.0},         # /admin/teams/*: Teams rows
    "callrecords": {"rate": 75.0, "burst": 1500.0},       # 1,500 / 20 s per app per tenant
    "teams": {"rate": 30.0, "burst": 30.0},               # 30 rps per app per tenant
}


def throttle_class(service, path):
    """The throttling class of a request path (below its service prefix)."""
    if service == "teams":
        return "teams"
    low = path.lower()
    if low.startswith("/v1.0/admin/teams") or low.startswith("/beta/admin/teams"):
        return "graph_teams"
    if "/communications/callrecords" in low:
        return "callrecords"
    return "graph"


class Throttle:
    """Token buckets keyed by (app, tenant, class); off unless enabled."""

    def __init__(self):
        self._lock = threading.Lock()
        self._buckets = {}
        self.enabled = False
        self.rates = {k: dict(v) for k, v in DEFAULT_RATES.items()}

    def configure(self, enabled=None, rates=None):
        """Switch throttling on/off and/or change rates (``{"teams":{"rate":..,"burst":..}}``)."""
        with self._lock:
            if enabled is not None:
                self.enabled = bool(enabled)
            if rates:
                for cls, val in rates.items():
                    if cls not in self.rates or not isinstance(val, dict):
                        raise ValueError("unknown throttle class '%s'" % cls)
                    for k in ("rate", "burst"):
                        if k in val:
                            if not isinstance(val[k], (int, float)) or val[k] <= 0:
                                raise ValueError("throttle %s.%s must be > 0" % (cls, k))
                            self.rates[cls][k] = float(val[k])
            self._buckets = {}

    def reset(self):
        """Back to off with the published rates."""
        with self._lock:
            self.enabled = False
            self.rates = {k: dict(v) for k, v in DEFAULT_RATES.items()}
            self._buckets = {}

    def take(self, app, tenant, cls):
        """Take one token; return 0 when allowed, else the seconds to wait (>= 1)."""
        if not self.enabled:
            return 0
        now = time.monotonic()
        with self._lock:
            conf = self.rates[cls]
            key = (app, tenant, cls)
            tokens, last = self._buckets.get(key, (conf["burst"], now))
            tokens = min(conf["burst"], tokens + (now - last) * conf["rate"])
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / conf["rate"]))

    def describe(self):
        """Current configuration, for ``GET /_sim/settings``."""
        with self._lock:
            return {"enabled": self.enabled, "rates": {k: dict(v) for k, v in self.rates.items()}}


class RequestLog:
    """Every request served (``/_sim/`` excluded), newest last.

    Entries: ``seq, service, method, path, query, status, time, fault`` plus
    ``retry_after`` when one was sent, ``batch: true`` for ``$batch`` inner
    requests, and the request ``body`` (only returned with ``bodies=1``).
    """

    def __init__(self, maxlen=200000):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=maxlen)
        self._seq = 0

    def add(self, entry):
        """Append an entry (a dict) and return its sequence number."""
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            return self._seq

    def clear(self):
        """Forget all entries (sequence numbers keep increasing)."""
        with self._lock:
            self._entries.clear()

    @staticmethod
    def is_write(e):
        """A write: a non-GET wire request to graph/teams, except an all-GET ``$batch``."""
        if e.get("batch") or e["service"] not in ("graph", "teams"):
            return False
        if e["method"] in ("GET", "HEAD", "OPTIONS"):
            return False
        if e.get("batch_all_get"):
            return False
        return True

    def query(self, since=0, bodies=False):
        """Entries after ``since`` and the counters over them."""
        with self._lock:
            entries = [e for e in self._entries if e["seq"] > since]
        out = []
        counters = {"total": 0, "writes": 0, "batch_inner": 0, "by_service": {}, "by_status": {}}
        for e in entries:
            item = {k: v for k, v in e.items() if k not in ("body", "batch_all_get")}
            if bodies:
                item["body"] = e.get("body")
            out.append(item)
            if e.get("batch"):
                counters["batch_inner"] += 1
                continue
            counters["total"] += 1
            if self.is_write(e):
                counters["writes"] += 1
            svc = e["service"]
            counters["by_service"][svc] = counters["by_service"].get(svc, 0) + 1
            st = str(e["status"])
            counters["by_status"][st] = counters["by_status"].get(st, 0) + 1
        return {"requests": out, "counters": counters}
