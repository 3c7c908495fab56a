#!/usr/bin/python3
"""Argument and response fuzzer of the module binaries (make fuzz).

    tests/fuzz/fuzz.py [--seconds N] [--seed S] [--modules DIR] [--out DIR]

Starts the tenant simulator (127.0.0.1) and, in front of it, a mutating
proxy (127.0.0.1): every answer of every route, the token endpoint's
included, may come back truncated, as HTML, with values of the wrong type,
deeply nested, oversized, with another status, or with odd Retry-After,
Location, Content-Type, paging links and oversized headers. Then, until the
time is up, it runs module binaries (the sanitizer build with --modules)
with plausible arguments, and with fuzzed arguments built from each
module's --argument-spec table, against the proxy.

A run fails on a crash (signal), a hang, output that is not one JSON object,
an internal error ("BUG:"), a sanitizer report, or a test secret in the
output. Failing inputs are kept under --out. Prints one "ok: ..." or
"FAILED: ..." line per kind of check and exits 1 on any failure. No traffic
leaves 127.0.0.1: the proxy only talks to the simulator, and every link it
makes up points at 127.0.0.1.
"""
import argparse
import http.client
import http.server
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import fuzzlib

TENANT_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
CLIENT_ID = "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6e"
SECRET = "sim-Secret-4f9a7Qx2"

# Plausible arguments per module against the simulator's default tenant.
PLAUSIBLE = {
    "teams_tenant_info": [{}, {"gather": ["licenses", "numbers"]}],
    "teams_shared_calling_info": [{}, {"sites": ["Seattle"]}],
    "teams_pstn_usage_info": [{"weeks": 2}, {"weeks": 1, "sources": ["pstn"], "prices": {"teams_phone": 10}}],
    "teams_voice_routing_policy": [
        {"name": "SC-Fuzz", "pstn_usages": ["National"], "description": "fuzz"},
        {"name": "SC-Fuzz", "state": "absent"}],
    "teams_emergency_call_routing_policy": [
        {"name": "SC-Fuzz-E", "emergency_numbers": [{"dial_string": "911", "pstn_usage": "National"}]},
        {"name": "SC-Fuzz-E", "state": "absent"}],
    "teams_shared_policy": [
        {"name": "Fuzz", "resource_account": "fuzz-ra@contoso.com", "emergency_numbers": ["+14255550100"]},
        {"name": "Fuzz", "state": "absent"}],
    "teams_resource_account": [
        {"upn": "fuzz-ra@contoso.com", "display_name": "Fuzz RA", "usage_location": "US"},
        {"upn": "fuzz-ra@contoso.com", "state": "absent"}],
    "teams_phone_number": [
        {"number": "+14255550100", "assigned_to": "adele@contoso.com", "number_type": "direct_routing"},
        {"number": "+14255550101", "state": "absent"}],
    "teams_emergency_location": [
        {"description": "Fuzz HQ", "company_name": "Contoso", "house_number": "1", "street_name": "Main",
         "city": "Redmond", "state_or_province": "WA", "postal_code": "98052", "country": "US",
         "locations": [{"name": "Floor 1"}]}],
    "teams_user_voice": [
        {"users": ["adele@contoso.com", "alex@contoso.com"], "enterprise_voice": True,
         "voice_routing_policy": "Global"},
        {"group": "Sales", "rank": 1, "shared_calling_policy": "Fuzz"}],
    "teams_auto_attendant": [
        {"name": "Fuzz AA", "language": "en-US", "time_zone": "Pacific Standard Time",
         "greeting": "Hello", "menu": [{"key": "1", "action": "user", "target": "adele@contoso.com"}],
         "resource_accounts": ["fuzz-ra@contoso.com"]},
        {"name": "Fuzz AA", "state": "absent"}],
}

# Connection options that keep every run short.
FAST = {"timeout": 5, "max_retries": 1, "retry_max_wait": 3, "max_concurrency": 4, "wait_timeout": 3}


# ---------------------------------------------------------------- mutations --

def deep(n, leaf=1):
    return "[" * n + json.dumps(leaf) + "]" * n


def odd_value(rng):
    return rng.choice([
        None, 0, -1, 2 ** 63, -2 ** 63, 1e308, -1e308, 0.5, True, False, "", " ", "\u202e", "\x00",
        "x" * rng.choice([300, 5000, 70000, 1 << 20]), [], {}, [None], {"": None}, [[[[[]]]]],
        "9999999999999999999999", "0000-00-00T00:00:00Z", "not-a-guid", "eyJhbGciOiJub25lIn0.eyJ9.",
    ])


def mutate_json(rng, doc, base):
    """One structural mutation somewhere in doc."""
    nodes = []

    def walk(x, parent, key):
        nodes.append((parent, key, x))
        if isinstance(x, dict):
            for k, v in list(x.items()):
                walk(v, x, k)
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, x, i)
    walk(doc, None, None)
    parent, key, node = rng.choice(nodes)
    choice = rng.random()
    if choice < 0.6 and parent is not None:
        parent[key] = odd_value(rng)
    elif choice < 0.7 and isinstance(node, list) and node:
        node.extend(json.loads(json.dumps(node)))          # every record twice
    elif choice < 0.8 and isinstance(node, dict):
        node["@odata.nextLink"] = rng.choice([
            base + "/graph/v1.0/users?$skiptoken=x", "http://127.0.0.1:1/next", "", "/relative?x=1",
            base + "/graph/" + "a" * 9000, None, 5, "http://127.0.0.1:1/" + "\r\nX: 1"])
    elif isinstance(node, dict) and node:
        del node[rng.choice(list(node))]
    elif parent is not None:
        parent[key] = odd_value(rng)
    return doc


def mutate(rng, status, headers, body, base):
    """Returns (status, headers, body, note) with one or two mutations."""
    notes = []
    for _ in range(rng.choice([1, 1, 2])):
        r = rng.random()
        if r < 0.12:
            cut = rng.randrange(0, max(1, len(body)))
            body = body[:cut]
            notes.append("truncated at %d" % cut)
        elif r < 0.20:
            body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", "text/html")]
            notes.append("html")
        elif r < 0.45:
            try:
                doc = json.loads(body.decode("utf-8"))
                body = json.dumps(mutate_json(rng, doc, base)).encode("utf-8")
                notes.append("json value")
            except (ValueError, UnicodeDecodeError, RecursionError):
                body = b"{"
                notes.append("broken json")
        elif r < 0.50:
            body = deep(rng.choice([1000, 100000])).encode()
            notes.append("deeply nested")
        elif r < 0.54:
            body = b'{"value": [' + b",".join([b'{"id": "%d"}' % i for i in range(200000)]) + b"]}"
            notes.append("oversized")
        elif r < 0.58:
            body = rng.choice([b"", b"null", b"[]", b"0", b'"x"', b"true", b"\xff\xfe", b'{"value": null}',
                               b'{"value": {}}', b'{"error": 5}', b'{"error": {"code": [], "message": {}}}'])
            notes.append("wrong type %r" % body[:20])
        elif r < 0.68:
            status = rng.choice([200, 201, 202, 204, 301, 302, 400, 401, 403, 404, 409, 429, 500, 503, 599, 100])
            notes.append("status %d" % status)
        elif r < 0.78:
            ra = rng.choice(["99999999999999999999", "-1", "abc", "0", "1", "1e9", "", "2147483648",
                             "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "3.5"])
            status = rng.choice([429, 503, status])
            headers = [(k, v) for k, v in headers if k.lower() != "retry-after"] + [("Retry-After", ra)]
            notes.append("Retry-After %r status %d" % (ra, status))
        elif r < 0.84:
            loc = rng.choice(["http://127.0.0.1:1/x", "/../../../etc/passwd", "", "a" * 20000,
                              base + "/teams/op/1", "javascript:alert(1)", "http://[::1", "\u202e"])
            headers = [(k, v) for k, v in headers if k.lower() != "location"] + [("Location", loc)]
            status = rng.choice([status, 202, 201, 302])
            notes.append("Location %r" % loc[:40])
        elif r < 0.90:
            ct = rng.choice(["text/plain", "application/json; charset=ebcdic", "", "application/xml",
                             "application/json\x00"])
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", ct)]
            notes.append("Content-Type %r" % ct)
        elif r < 0.95:
            big = rng.choice([(40, 50000), (5, 90000), (1, 200000)])
            headers = headers + [("X-Fuzz-%d" % i, "h" * big[1]) for i in range(big[0])]
            notes.append("headers %dx%d" % big)
        else:
            notes.append("drop")
            return status, headers, None, "; ".join(notes)
    return status, headers, body, "; ".join(notes)


# -------------------------------------------------------------------- proxy --

class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sim_port, rate, seed):
        super().__init__(("127.0.0.1", 0), Handler)
        self.sim_port = sim_port
        self.rate = rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.log = []

    def handle_error(self, request, client_address):
        pass  # a module that gave up on a connection is not news

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.server_address[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.sim_port, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        try:
            conn.request(self.command, self.path, body=body or None, headers=hdrs)
            r = conn.getresponse()
            status, headers, data = r.status, [(k, v) for k, v in r.getheaders()
                                               if k.lower() not in ("transfer-encoding", "connection",
                                                                    "content-length")], r.read()
        except (OSError, http.client.HTTPException):
            status, headers, data = 502, [("Content-Type", "text/plain")], b"proxy: simulator unreachable"
        finally:
            conn.close()
        with self.server.lock:
            hit = self.server.rng.random() < self.server.rate
            seed = self.server.rng.randrange(1 << 30)
        note = ""
        if hit:
            status, headers, data, note = mutate(random.Random(seed), status, headers, data, self.server.base)
            with self.server.lock:
                self.server.log.append("%s %s: %s" % (self.command, self.path[:120], note))
        if data is None:
            # A connection dropped mid-answer.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"val")
            self.close_connection = True
            return
        try:
            self.send_response_only(status)
            for k, v in headers:
                self.send_header(k, v.replace("\r", "").replace("\n", ""))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD" and status not in (204, 304) and status >= 200:
                self.wfile.write(data)
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_one


# ---------------------------------------------------------------- arguments --

def fuzz_value(rng, opt, depth=0):
    """A value for opt: mostly of its type, often odd."""
    r = rng.random()
    if r < 0.25:
        return odd_value(rng)
    t = opt["type"]
    if opt.get("choices") and r < 0.5:
        cs = opt["choices"].split("|")
        return [rng.choice(cs)] if t == "list" else rng.choice(cs + ["NOPE", ""])
    if t == "bool":
        return rng.choice([True, False, "yes", "no", "maybe", 2])
    if t == "int":
        return rng.choice([0, 1, -1, 5, 2 ** 31, 2 ** 53, 2 ** 64, "12", "1_000", "x", 1.5,
                           opt.get("min", 0), opt.get("max", 10)])
    if t == "float":
        return rng.choice([0.0, -1.0, 1e308, "nan", "inf", "1e3", 5])
    if t == "dict":
        if opt.get("options") and depth < 3:
            return {o["name"]: fuzz_value(rng, o, depth + 1) for o in opt["options"] if rng.random() < 0.7}
        return rng.choice([{}, {"a": 1}, "a=1 b=2", "{bad", "nonsense", {"x" * 100: [1]}])
    if t == "list":
        if opt.get("options") and depth < 3:
            return [{o["name"]: fuzz_value(rng, o, depth + 1) for o in opt["options"] if rng.random() < 0.7}
                    for _ in range(rng.choice([0, 1, 2, 40]))]
        return rng.choice([[], ["a"], ["a", "a"], "a,b", [["x"]], ["adele@contoso.com"] * rng.choice([1, 300]),
                           [str(i) for i in range(5)], [None, 1]])
    return rng.choice(["Seattle", "adele@contoso.com", "+14255550100", "Global", "Tag:SC-Fuzz", "a" * 257,
                       "Seattle\r\nX-Injected: 1", "../../Global", "\u202eabc", "caf\u00e9", "x" * 70000,
                       "$HOME/x", "~/x", "%s%n%x", "'; DROP TABLE", "\ud7ff"])


def fuzz_args(rng, spec):
    args = {}
    for o in spec:
        if o["no_log"] or o["name"] in ("tenant_id", "client_id", "login_endpoint", "graph_endpoint",
                                        "teams_endpoint", "ca_path", "token_cache", "certificate_path"):
            continue
        if o["required"] or rng.random() < 0.3:
            args[o["name"]] = fuzz_value(rng, o) if rng.random() < 0.8 else fuzzlib.plausible(o)
    if rng.random() < 0.1:
        args["bogus_option"] = 1
    return args


def raw_args(rng):
    return rng.choice([b"", b"{", b"[]", b"null", b'{"a":', b"\xff\xfe{}", deep(50000, {}).encode(),
                       b'{"name": "\\ud800"}', b'{"name": NaN}', b'{"_ansible_check_mode": "maybe"}',
                       b'{"name": ' + b'"' + b"x" * (2 << 20) + b'"}'])


# ------------------------------------------------------------------- runner --

def start_sim(work):
    url_file = os.path.join(work, "sim.url")
    p = subprocess.Popen([sys.executable, os.path.join(fuzzlib.ROOT, "tests", "tenantsim", "tenantsim.py"),
                          "--port", "0", "--url-file", url_file, "--token-lifetime", "3600"],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "sim.err"), "w"),
                         start_new_session=True)
    for _ in range(300):
        if os.path.exists(url_file) and os.path.getsize(url_file):
            break
        if p.poll() is not None:
            raise SystemExit("the simulator did not start")
        time.sleep(0.1)
    url = open(url_file).read().strip()
    return p, int(url.rsplit(":", 1)[1].split("/")[0])


def sanitizer_reports(d):
    return [os.path.join(d, f) for f in os.listdir(d)] if os.path.isdir(d) else []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 600)))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", time.time())))
    ap.add_argument("--modules", default=fuzzlib.module_dir())
    ap.add_argument("--out", default=os.path.join(fuzzlib.ROOT, "tests", "output", "fuzz"))
    ap.add_argument("--rate", type=float, default=0.3, help="fraction of answers mutated")
    opts = ap.parse_args()
    os.environ["MODULE_DIR"] = opts.modules
    rng = random.Random(opts.seed)
    shutil.rmtree(opts.out, ignore_errors=True)
    os.makedirs(opts.out)
    work = tempfile.mkdtemp(prefix="dialtone-fuzz.")
    san = os.path.join(work, "sanitizers")
    os.makedirs(san)
    print("fuzz: seed %d, %.0f s, modules %s" % (opts.seed, opts.seconds, opts.modules))

    sim, sim_port = start_sim(work)
    proxy = Proxy(sim_port, opts.rate, opts.seed)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    env = fuzzlib.base_env(proxy.base)
    env["DIALTONE_LOGIN_ENDPOINT"] = proxy.base + "/login"
    env["DIALTONE_GRAPH_ENDPOINT"] = proxy.base + "/graph"
    env["DIALTONE_TEAMS_ENDPOINT"] = proxy.base + "/teams"
    env.update({"AZURE_TENANT_ID": TENANT_ID, "AZURE_CLIENT_ID": CLIENT_ID, "AZURE_CLIENT_SECRET": SECRET,
                "DIALTONE_TEST_BACKOFF_SCALE": "0.01",
                "ASAN_OPTIONS": "log_path=%s/asan:detect_leaks=1:abort_on_error=0" % san,
                "UBSAN_OPTIONS": "log_path=%s/ubsan:print_stacktrace=1" % san})

    mods = fuzzlib.modules()
    specs = {m: fuzzlib.argspec(m) for m in mods}
    counts = {"responses": 0, "arguments": 0, "raw": 0}
    failures = {"crash": [], "hang": [], "output": [], "internal": [], "sanitizer": [], "secret": []}
    deadline = time.monotonic() + opts.seconds
    n = 0
    try:
        while time.monotonic() < deadline:
            n += 1
            mod = rng.choice(mods)
            kind = rng.choices(["responses", "arguments", "raw"], [6, 3, 1])[0]
            if kind == "responses":
                args = dict(rng.choice(PLAUSIBLE.get(mod, [{}])))
            elif kind == "arguments":
                args = fuzz_args(rng, specs[mod])
            else:
                args = None
            if args is not None:
                known = {o["name"] for o in specs[mod]}
                args.update({k: v for k, v in FAST.items() if k in known and rng.random() < 0.9})
                args["_ansible_check_mode"] = rng.random() < 0.4
                args["_ansible_diff"] = rng.random() < 0.5
                args["_ansible_module_name"] = mod
            with proxy.lock:
                proxy.log.clear()
            before = set(sanitizer_reports(san))
            res = fuzzlib.run_module(mod, raw_args(rng) if args is None else args, env=env,
                                     timeout=90)
            counts[kind] += 1
            why = fuzzlib.problem(res)
            new = sorted(set(sanitizer_reports(san)) - before)
            out = res["stdout"] + res["stderr"]
            kind_of = None
            if res["hang"]:
                kind_of = "hang"
            elif res["signal"] or (why and why.startswith("exit status")):
                kind_of = "crash"
            elif new or (why and why.startswith("sanitizer")):
                kind_of = "sanitizer"
            elif why and why.startswith("internal"):
                kind_of = "internal"
            elif why:
                kind_of = "output"
            elif SECRET.encode() in out:
                kind_of, why = "secret", "the client secret appears in the output"
            if kind_of:
                case = os.path.join(opts.out, "%s-%04d-%s" % (kind_of, n, mod))
                os.makedirs(case)
                with open(os.path.join(case, "args.json"), "wb") as f:
                    f.write(raw_args(random.Random(0)) if args is None else
                            json.dumps(args, ensure_ascii=False).encode("utf-8", "surrogatepass"))
                with open(os.path.join(case, "mutations.txt"), "w") as f:
                    f.write("\n".join(proxy.log) + "\n")
                with open(os.path.join(case, "stdout"), "wb") as f:
                    f.write(res["stdout"].replace(SECRET.encode(), b"<secret>"))
                with open(os.path.join(case, "stderr"), "wb") as f:
                    f.write(res["stderr"].replace(SECRET.encode(), b"<secret>"))
                for r in new:
                    shutil.copy(r, case)
                failures[kind_of].append("%s (%s): %s" % (mod, kind, (why or "see " + case)[:300]))
    finally:
        proxy.shutdown()
        os.killpg(sim.pid, signal.SIGTERM)
        sim.wait()
        shutil.rmtree(work, ignore_errors=True)

    total = sum(counts.values())
    print("fuzz: %d runs (%d with mutated answers, %d with fuzzed arguments, %d with malformed input)"
          % (total, counts["responses"], counts["arguments"], counts["raw"]))
    labels = {"crash": "no crash", "hang": "no hang", "output": "one JSON object on stdout every run",
              "internal": "no internal error (BUG)", "sanitizer": "no sanitizer report",
              "secret": "no secret in any output"}
    bad = 0
    for k, label in labels.items():
        if failures[k]:
            bad += 1
            print("FAILED: %s: %d runs, e.g. %s (inputs under %s)" % (label, len(failures[k]),
                                                                     failures[k][0], opts.out))
            for f in failures[k][1:6]:
                print("    " + f)
        else:
            print("ok: %s (%d runs)" % (label, total))
    if total == 0:
        print("FAILED: no run completed")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
