#!/usr/bin/python3
"""tenantsim: a local Microsoft 365 tenant for dialtone.teams_phone.

Serves Entra login (/login), Microsoft Graph (/graph) and the Teams admin
backend (/teams) on one loopback port, plus the control API (/_sim/).
Prints its base URL on stdout (one line) and nothing else; exits cleanly on
SIGTERM or SIGINT.  See README.md beside this file.

    /usr/bin/python3 tests/tenantsim/tenantsim.py --port 0 --url-file /tmp/sim.url
"""

import argparse
import os
import signal
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simhttp import Simulator, load_fixture_file  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(prog="tenantsim.py", description="Local tenant simulator (loopback only).")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 picks a free one)")
    p.add_argument("--fixture", metavar="FILE", help="tenant fixture (JSON); the default tenant when omitted")
    p.add_argument("--url-file", metavar="FILE", help="write the base URL here (atomically) once listening")
    p.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate chain")
    p.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    p.add_argument("--seed", type=int, default=None, help="seed of random faults and batch response order")
    f = p.add_argument_group("faults (all services; never /_sim/)")
    f.add_argument("--fault-429", type=float, metavar="P", default=0, help="fraction of requests answered 429")
    for code in (500, 502, 503, 504):
        f.add_argument("--fault-%d" % code, type=float, metavar="P", default=0,
                       help="fraction of requests answered %d" % code)
    f.add_argument("--fault-drop", type=float, metavar="P", default=0,
                   help="fraction of connections dropped mid-response")
    f.add_argument("--retry-after", default="1", metavar="S",
                   help="Retry-After of injected 429/503: seconds, 'date:N' (HTTP date N s ahead) or 'none'")
    f.add_argument("--latency-ms", type=float, default=0, metavar="N", help="latency added to every request")
    f.add_argument("--throttle", action="store_true", help="token-bucket throttling with the published limits")
    d = p.add_argument_group("eventual consistency")
    d.add_argument("--token-lifetime", type=int, default=3599, metavar="S", help="access token lifetime")
    d.add_argument("--replication-delay", type=float, default=0, metavar="S",
                   help="a new resource account is unknown to Teams for S seconds")
    d.add_argument("--grant-delay", type=float, default=0, metavar="S", help="grants take effect after S seconds")
    d.add_argument("--license-delay", type=float, default=0, metavar="S",
                   help="licences provision (Success) after S seconds")
    d.add_argument("--lro-running", type=float, default=0, metavar="S",
                   help="number operations stay notStarted/running for S seconds")
    a = p.parse_args(argv)
    if bool(a.tls_cert) != bool(a.tls_key):
        p.error("--tls-cert and --tls-key go together")
    for name in ("fault_429", "fault_500", "fault_502", "fault_503", "fault_504", "fault_drop"):
        if not 0 <= getattr(a, name) <= 1:
            p.error("--%s must be between 0 and 1" % name.replace("_", "-"))
    return a


def cli_faults(a):
    """Fault rules for the command-line flags."""
    rules = []
    retry = None if a.retry_after.lower() == "none" else a.retry_after
    for code in (503, 429, 500, 502, 504):
        p = getattr(a, "fault_%d" % code)
        if p > 0:
            rule = {"match": "* /", "probability": p, "status": code}
            if code in (429, 503) and retry is not None:
                rule["retry_after"] = retry
            rules.append(rule)
    if a.fault_drop > 0:
        rules.append({"match": "* /", "probability": a.fault_drop, "drop": "mid"})
    if a.latency_ms > 0:
        rules.append({"match": "* /", "latency_ms": a.latency_ms})
    return rules


def write_atomically(path, text):
    """Write ``text`` to ``path`` via a temporary file and rename."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tenantsim-url-", dir=d)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    a = parse_args(argv)
    try:
        fixture = load_fixture_file(a.fixture)
    except (OSError, ValueError) as e:
        sys.stderr.write("tenantsim: cannot read fixture: %s\n" % e)
        return 2
    settings = {"token_lifetime_s": a.token_lifetime, "replication_delay_s": a.replication_delay,
                "grant_delay_s": a.grant_delay, "license_delay_s": a.license_delay,
                "lro_running_s": a.lro_running}
    try:
        sim = Simulator(fixture=fixture, port=a.port, tls_cert=a.tls_cert, tls_key=a.tls_key, seed=a.seed,
                        settings=settings, faults=cli_faults(a), throttle=a.throttle)
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write("tenantsim: cannot start: %s\n" % e)
        return 2

    def on_signal(signum, frame):
        threading.Thread(target=sim.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if a.url_file:
        write_atomically(a.url_file, sim.base_url + "\n")
    sys.stdout.write(sim.base_url + "\n")
    sys.stdout.flush()
    try:
        sim.serve_forever()
    finally:
        sim.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
