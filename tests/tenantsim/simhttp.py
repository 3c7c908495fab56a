"""HTTP layer of the tenant simulator: the server, the request pipeline and ``/_sim/``.

One :class:`Simulator` serves the three services on one loopback port:
``/login`` (Entra token endpoint), ``/graph`` (Microsoft Graph) and ``/teams``
(the Teams admin backend), plus the unauthenticated control API under
``/_sim/``.  Every request to a service goes through the same pipeline,
which ``$batch`` inner requests also use:

    fault rules -> bearer token check -> throttle -> handler -> request log

Use it in-process (tests) or through ``tenantsim.py`` (command line)::

    sim = Simulator(fixture=None, port=0)
    sim.start()            # serves in a background thread
    print(sim.base_url)    # http://127.0.0.1:PORT
    sim.stop()
"""

import gzip
import json
import os
import random
import socket
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import simgraph
import simteams
from simauth import Authority, LoginError, login_error_response
from simcommon import ApiError, Response, STATUS_TEXT, new_guid
from simfaults import FaultRules, RequestLog, Throttle, throttle_class
from simstate import DEFAULT_SETTINGS, Tenant

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(HERE, "fixtures", "default.json")
SETTING_KEYS = set(DEFAULT_SETTINGS) | {"throttle", "throttle_rates"}


def load_fixture_file(path=None):
    """Read a fixture file (the default tenant when ``path`` is None)."""
    with open(path or DEFAULT_FIXTURE, "r", encoding="utf-8") as f:
        return json.load(f)


class Request:
    """One request as a handler sees it.

    ``path`` is below the service prefix and percent-decoded (``/v1.0/users``);
    ``query`` maps each parameter to its last value (``+`` decodes to a
    space, as on the real services); ``base`` is the absolute URL of the
    service on this simulator (``http://127.0.0.1:PORT/graph``).
    """

    def __init__(self, sim, service, method, path, raw_query, headers, body, batch=False):
        self.sim = sim
        self.service = service
        self.method = method
        self.path = path
        self.raw_query = raw_query
        self.query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        self.headers = headers
        self.body = body or b""
        self.batch = batch
        self.claims = None
        self.operation_failure = None
        self.base = "%s/%s" % (sim.base_url, service)

    def json(self, required=True):
        """The body parsed as JSON (400 when it is not JSON or, if ``required``, absent)."""
        if not self.body.strip():
            if required:
                raise ApiError(400, "The request body is empty; a JSON body is required.")
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON.")

    def header(self, name, default=None):
        """A request header (case-insensitive)."""
        v = self.headers.get(name)
        return default if v is None else v


class _Headers(dict):
    """A case-insensitive header dict (used for ``$batch`` inner requests)."""

    def __init__(self, items=None):
        super().__init__()
        for k, v in (items or {}).items():
            self[k.lower()] = v

    def get(self, key, default=None):
        return super().get(key.lower(), default)


class Simulator:
    """The simulator: tenant state, settings, faults, throttle, log and server."""

    def __init__(self, fixture=None, port=0, tls_cert=None, tls_key=None, seed=None,
                 settings=None, faults=None, throttle=False, host="127.0.0.1"):
        self.rng = random.Random(seed)
        self.baseline_fixture = fixture if fixture is not None else load_fixture_file()
        self.baseline_settings = dict(settings or {})
        self.baseline_faults = list(faults or [])
        self.baseline_throttle = bool(throttle)
        self.state_lock = threading.RLock()
        self.auth = Authority()
        self.faults = FaultRules(self.rng)
        self.throttle = Throttle()
        self.log = RequestLog()
        self.stop_event = threading.Event()
        self.tenant = Tenant.from_fixture(self.baseline_fixture, self.baseline_settings)
        self._apply_baseline_knobs()
        self.ssl_context = None
        if tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls_cert, tls_key)
            self.ssl_context = ctx
        self.httpd = _Server((host, port), _Handler, self)
        self.port = self.httpd.server_address[1]
        scheme = "https" if self.ssl_context else "http"
        self.base_url = "%s://%s:%d" % (scheme, host, self.port)
        self._thread = None

    def base_urls(self):
        """Base URLs a client may use to reach this simulator (for assertion ``aud``)."""
        scheme = "https" if self.ssl_context else "http"
        return [self.base_url, "%s://localhost:%d" % (scheme, self.port)]

    def _apply_baseline_knobs(self):
        self.faults.clear()
        if self.baseline_faults:
            self.faults.add(self.baseline_faults)
        self.throttle.reset()
        self.throttle.configure(enabled=self.baseline_throttle)

    # ------------------------------------------------------------ running --

    def start(self):
        """Serve in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="tenantsim", daemon=True)
        self._thread.start()
        self.tenant.prepare_in_background()
        return self

    def serve_forever(self):
        """Serve in the calling thread until :meth:`shutdown`."""
        self.tenant.prepare_in_background()
        self.httpd.serve_forever()

    def shutdown(self):
        """Stop serving (safe from any thread but the serving one)."""
        self.stop_event.set()
        self.httpd.shutdown()

    def stop(self):
        """Stop serving and close the socket."""
        self.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(5)

    # ---------------------------------------------------------- responses --

    def error_response(self, req_or_service, err, headers=None):
        """The service-shaped error body for an :class:`ApiError`."""
        service = req_or_service if isinstance(req_or_service, str) else req_or_service.service
        hdrs = dict(err.headers)
        if service == "graph":
            crid = None
            if not isinstance(req_or_service, str):
                crid = req_or_service.header("client-request-id")
            rid = new_guid()
            inner = {}
            if err.extra:
                inner.update(err.extra)
            inner.update({"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
                          "request-id": rid, "client-request-id": crid or rid})
            hdrs.setdefault("request-id", rid)
            hdrs.setdefault("client-request-id", crid or rid)
            body = {"error": {"code": err.code, "message": err.message, "innerError": inner}}
        elif service == "login":
            le = LoginError(err.status, "temporarily_unavailable" if err.status >= 500 else "invalid_request",
                            90033 if err.status >= 500 else 900144, err.message)
            resp = login_error_response(self.base_url, le)
            resp.headers.update(hdrs)
            return resp
        else:
            body = {"error": {"code": err.code, "message": err.message}}
        return Response(err.status, body, hdrs)

    def fault_error(self, service, status):
        """The ApiError used for an injected status."""
        texts = {429: ("TooManyRequests", "Too many requests. Please retry after the time in Retry-After."),
                 500: ("UnknownError", "An internal server error occurred."),
                 502: ("BadGateway", "Bad gateway."),
                 503: ("serviceNotAvailable", "Service is unavailable. Please try again."),
                 504: ("GatewayTimeout", "The gateway timed out.")}
        code, msg = texts.get(status, (STATUS_TEXT.get(status, "UnknownError"), "Injected fault."))
        if service == "teams":
            code = STATUS_TEXT.get(status, code)
        return ApiError(status, msg, code)

    # ------------------------------------------------------------ pipeline --

    def handle(self, req, decision=None):
        """Run one service request through auth, throttle and its handler.

        Returns (Response, fault) where fault is None, "status" or "throttle".
        """
        if decision is not None and decision.action == "status":
            err = self.fault_error(req.service, decision.status)
            if decision.message:
                err.message = decision.message
            if decision.code:
                err.code = decision.code
            ra = decision.retry_after_header()
            if ra is not None:
                err.headers["Retry-After"] = ra
            return self.error_response(req, err), "status"
        req.operation_failure = decision.message if decision is not None and decision.action == "opfail" else None
        try:
            if req.service == "login":
                return self._login(req), None
            tenant = self.tenant
            if not req.batch:
                req.claims = self.auth.validate(req.header("Authorization"), req.service, tenant)
            if req.body.strip() and not (req.header("Content-Type") or "").lower().startswith("application/json"):
                raise ApiError(415, "A request body must be sent with 'Content-Type: application/json'.",
                               "UnsupportedMediaType" if req.service == "teams" else "BadRequest")
            if req.service == "graph" and simgraph.is_batch(req):
                # The batch itself is not throttled; each inner request is.
                return simgraph.batch(self, req), None
            wait = self.throttle.take(req.claims.get("appid"), req.claims.get("tid"),
                                      throttle_class(req.service, req.path))
            if wait:
                err = self.fault_error(req.service, 429)
                err.headers["Retry-After"] = str(wait)
                return self.error_response(req, err), "throttle"
            if req.service == "graph":
                with self.state_lock:
                    return simgraph.handle(self, self.tenant, req), None
            with self.state_lock:
                return simteams.handle(self, self.tenant, req), None
        except ApiError as err:
            return self.error_response(req, err), None

    def _login(self, req):
        parts = req.path.strip("/").split("/")
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            with self.state_lock:
                return self.auth.token_endpoint(self, req, parts[0])
        raise ApiError(404, "The requested login endpoint is not served by the simulator.")

    def dispatch_inner(self, parent, method, path, raw_query, headers, body):
        """Serve one ``$batch`` inner request through faults, throttle and handlers."""
        req = Request(self, "graph", method, path, raw_query, _Headers(headers), body, batch=True)
        req.claims = parent.claims
        full = "/graph" + path
        decision = self.faults.decide(method, full)
        if decision.latency_ms:
            self.stop_event.wait(decision.latency_ms / 1000.0)
        if decision.action in ("drop", "stall"):
            decision.action, decision.status = "status", 503
        resp, fault = self.handle(req, decision)
        if decision.action == "opfail" and resp.status == 202:
            fault = "operation_failure"
        self.log_request("graph", method, full, raw_query, resp.status, fault,
                         _logged_body(body, "graph"), batch=True, retry_after=resp.headers.get("Retry-After"))
        return resp

    def log_request(self, service, method, path, raw_query, status, fault, body, batch=False,
                    retry_after=None, batch_all_get=False):
        """Append one entry to the request log."""
        entry = {"service": service, "method": method, "path": path,
                 "query": urllib.parse.unquote_plus(raw_query) if raw_query else "",
                 "status": status, "time": round(time.time(), 6), "fault": fault, "body": body}
        if retry_after is not None:
            entry["retry_after"] = retry_after
        if batch:
            entry["batch"] = True
        if batch_all_get:
            entry["batch_all_get"] = True
        self.log.add(entry)

    # ---------------------------------------------------------- /_sim/ API --

    def control(self, method, path, raw_query, body):
        """Serve the unauthenticated control API under ``/_sim/``."""
        q = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        def payload():
            try:
                return json.loads(body) if body.strip() else None
            except ValueError:
                raise ApiError(400, "body is not valid JSON")
        try:
            if path == "/_sim/reset" and method == "POST":
                self.reset()
                return Response(200, {"reset": True})
            if path == "/_sim/fixture" and method == "POST":
                fx = payload()
                try:
                    tenant = Tenant.from_fixture(fx, self.baseline_settings)
                except (ValueError, KeyError, TypeError) as e:
                    raise ApiError(400, "bad fixture: %s" % e)
                tenant.prepare_in_background()
                with self.state_lock:
                    self.baseline_fixture = fx
                    self.tenant = tenant
                return Response(200, {"loaded": True, "users": len(tenant.users), "numbers": len(tenant.numbers)})
            if path == "/_sim/state" and method == "GET":
                with self.state_lock:
                    return Response(200, self.tenant.dump())
            if path == "/_sim/requests":
                if method == "GET":
                    try:
                        since = int(q.get("since", "0") or 0)
                    except ValueError:
                        raise ApiError(400, "since must be an integer")
                    return Response(200, self.log.query(since, q.get("bodies") in ("1", "true")))
                if method == "DELETE":
                    self.log.clear()
                    return Response(204)
            if path == "/_sim/faults":
                if method == "POST":
                    try:
                        added = self.faults.add(payload())
                    except ValueError as e:
                        raise ApiError(400, str(e))
                    return Response(200, {"faults": added})
                if method == "GET":
                    return Response(200, {"faults": self.faults.list()})
                if method == "DELETE":
                    self.faults.clear()
                    return Response(204)
            if path == "/_sim/settings":
                if method == "POST":
                    return Response(200, self.apply_settings(payload() or {}))
                if method == "GET":
                    return Response(200, self.describe_settings())
            if path == "/_sim/edit" and method == "POST":
                with self.state_lock:
                    return Response(200, self.tenant.edit(payload() or {}))
            if path == "/_sim/revoke-tokens" and method == "POST":
                self.auth.revoke_all()
                return Response(200, {"revoked": True, "generation": self.auth.generation})
            parts = path.strip("/").split("/")
            if len(parts) == 4 and parts[1] == "apps" and parts[3] == "certificates" and method == "POST":
                data = payload() or {}
                pem = data.get("pem")
                if not isinstance(pem, str) or "BEGIN CERTIFICATE" not in pem:
                    raise ApiError(400, "body must be {\"pem\": \"-----BEGIN CERTIFICATE-----...\"}")
                with self.state_lock:
                    app = self.tenant.apps.get(parts[2].lower())
                    if app is None:
                        raise ApiError(404, "no app '%s' in the fixture" % parts[2])
                    try:
                        from simauth import CertInfo
                        info = CertInfo(pem)
                    except ValueError as e:
                        raise ApiError(400, "bad certificate: %s" % e)
                    app["certificates"].append(pem)
                return Response(200, {"clientId": app["clientId"], "x5t": info.x5t, "x5t#S256": info.x5t256,
                                      "certificates": len(app["certificates"])})
            raise ApiError(404, "no control endpoint %s %s" % (method, path))
        except ApiError as err:
            return Response(err.status, {"error": {"code": err.code, "message": err.message}})

    def reset(self):
        """Back to the baseline fixture, settings and faults; clear the log."""
        tenant = Tenant.from_fixture(self.baseline_fixture, self.baseline_settings)
        tenant.prepare_in_background()
        with self.state_lock:
            self.tenant = tenant
            self._apply_baseline_knobs()
        self.log.clear()

    def apply_settings(self, data):
        """``POST /_sim/settings``: change delay and throttle knobs."""
        if not isinstance(data, dict):
            raise ApiError(400, "settings body must be a JSON object")
        unknown = set(data) - SETTING_KEYS
        if unknown:
            raise ApiError(400, "unknown setting(s): %s; known: %s" % (
                ", ".join(sorted(unknown)), ", ".join(sorted(SETTING_KEYS))))
        with self.state_lock:
            for k, v in data.items():
                if k == "policy_assign_refused_types":
                    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                        raise ApiError(400, "setting %s must be a list of policy type names" % k)
                    self.tenant.settings[k] = list(v)
                elif k in DEFAULT_SETTINGS:
                    if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                        raise ApiError(400, "setting %s must be a non-negative number" % k)
                    self.tenant.settings[k] = v
            try:
                self.throttle.configure(enabled=data.get("throttle"), rates=data.get("throttle_rates"))
            except ValueError as e:
                raise ApiError(400, str(e))
        return self.describe_settings()

    def describe_settings(self):
        """The current knobs."""
        out = dict(self.tenant.settings)
        t = self.throttle.describe()
        out["throttle"] = t["enabled"]
        out["throttle_rates"] = t["rates"]
        return out


def _logged_body(body, service):
    """The request body as logged: JSON when it parses, else text; never a login body."""
    if service == "login":
        return "<redacted>"
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that does the TLS handshake in the worker thread."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, handler, sim):
        self.sim = sim
        super().__init__(addr, handler)

    def process_request_thread(self, request, client_address):
        try:
            if self.sim.ssl_context is not None:
                request.settimeout(10)
                request = self.sim.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            self.finish_request(request, client_address)
        except (OSError, ssl.SSLError):
            pass
        except Exception:  # pragma: no cover - logged to stderr only
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, runs the pipeline, writes the answer (keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "tenantsim/1.0"
    timeout = 120

    def setup(self):
        super().setup()
        try:
            # Headers and body go out in separate writes; without this, Nagle's
            # algorithm and delayed ACKs add ~40 ms per keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):
        """Silence the default per-request stderr lines."""

    def _read_body(self):
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self):
        sim = self.server.sim
        url = urllib.parse.urlsplit(self.path)
        raw_path, raw_query = url.path, url.query
        method = self.command
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if raw_path.startswith("/_sim/") or raw_path == "/_sim":
            self._write(sim.control(method, raw_path, raw_query, body))
            return
        service = raw_path.split("/", 2)[1] if raw_path.count("/") >= 1 else ""
        if service not in ("login", "graph", "teams"):
            resp = Response(404, {"error": {"code": "NotFound",
                                            "message": "Unknown service path '%s'; use /login, /graph or /teams."
                                                       % raw_path}})
            sim.log_request("unknown", method, raw_path, raw_query, 404, None, _logged_body(body, "unknown"))
            self._write(resp)
            return
        sub = urllib.parse.unquote(raw_path[len(service) + 1:]) or "/"
        decision = sim.faults.decide(method, raw_path)
        if decision.latency_ms:
            sim.stop_event.wait(decision.latency_ms / 1000.0)
        logged = _logged_body(body, service)
        if decision.action == "drop" and decision.drop == "before":
            sim.log_request(service, method, raw_path, raw_query, 0, "drop", logged)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        fault = None
        if decision.action == "stall":
            sim.stop_event.wait(decision.stall_s)
            fault = "stall"
        req = Request(sim, service, method, sub, raw_query, self.headers, body)
        resp, f = sim.handle(req, decision if decision.action in ("status", "opfail") else None)
        if decision.action == "body" and 200 <= resp.status < 300:
            resp.body, f = decision.body, "body"
        if decision.action == "opfail" and resp.status == 202:
            f = "operation_failure"
        fault = f or fault
        if decision.action == "drop":
            sim.log_request(service, method, raw_path, raw_query, 0, "drop", logged)
            self._write(resp, service, cut=True)
            return
        batch_all_get = False
        if service == "graph" and simgraph.is_batch(req):
            batch_all_get = simgraph.batch_all_get(req)
        sim.log_request(service, method, raw_path, raw_query, resp.status, fault, logged,
                        retry_after=resp.headers.get("Retry-After"), batch_all_get=batch_all_get)
        self._write(resp, service)

    def _write(self, resp, service=None, cut=False):
        data, ctype = resp.encoded()
        headers = dict(resp.headers)
        if ctype and "Content-Type" not in headers:
            headers["Content-Type"] = ctype
        if (service == "teams" and data and "gzip" in (self.headers.get("Accept-Encoding") or "").lower()):
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        try:
            self.send_response(resp.status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            if cut:
                self.send_header("Connection", "keep-alive")
            self.end_headers()
            if cut:
                self.wfile.write(data[:max(1, len(data) // 2)])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve
