#!/usr/bin/env bash
# Benchmark of teams_user_voice's writes: grant requests through Graph's
# policy assignment against one request per user and policy type, for one
# task over many users of whom known shares already comply (45 %: 30 %
# granted directly, 15 % through a group), against a local tenant simulator.
# Prints figures; never passes or fails on time.
#
#   scripts/bench_grants.sh [USERS] [MAX_CONCURRENCY] [WRITE_LATENCY_MS]
#
# Defaults: 2000 users, max_concurrency 8, 20 ms of latency added to every
# write (so that writes in flight overlap as they would on the real service).
# Runs the built binary plugins/modules/teams_user_voice directly (make first),
# twice: the first run writes what differs, the second only reads.
#
# With THROTTLE=1 in the environment the simulator throttles at Microsoft's
# published rates (--throttle: 30 requests/s per app per tenant on Teams) and
# the module runs with its default pacing; each run also prints the share of
# requests answered 429 and its wall time over the floor: the writes divided
# by the allowed rate (the least time the service lets them take).
set -u
cd "$(dirname "$0")/.." || exit 2
users=${1:-2000}
conc=${2:-8}
latency=${3:-20}
bin=plugins/modules/teams_user_voice
files=tests/integration/targets/teams_user_voice/files
[ -x "$bin" ] || { echo "$bin is not built: run make" >&2; exit 2; }

. scripts/lib-sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-bench.XXXXXX")
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 "$files/bench_fixture.py" --users "$users" --output "$work/fixture.json" \
	--expect "$work/expect.json" || exit 1
throttle=${THROTTLE:-0}
if [ "$throttle" = 1 ]; then
	sim_start "$work" --fixture "$work/fixture.json" --throttle || exit 1
else
	sim_start "$work" --fixture "$work/fixture.json" || exit 1
fi
sim_env

add_latency() {
	[ "$latency" != 0 ] || return 0
	sim_call POST /_sim/faults "[{\"match\": \"PATCH /teams/Skype.Policy/users\", \"latency_ms\": $latency},
		{\"match\": \"PUT /teams/Skype.TelephoneNumberMgmt\", \"latency_ms\": $latency},
		{\"match\": \"POST /graph/v1.0/admin/teams/policy/userAssignments\", \"latency_ms\": $latency}]" >/dev/null || exit 1
}
add_latency

/usr/bin/python3 - "$work/expect.json" "$conc" >"$work/args.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print(json.dumps({"users": e["upns"], "enterprise_voice": True, "shared_calling_policy": "SC-Bench",
                  "voice_routing_policy": "Global", "max_concurrency": int(sys.argv[2])}))
PY
# The same task with every grant sent one user and type at a time (the Teams
# admin route), for the before/after grant request count.
/usr/bin/python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); a["grant_batch_size"] = 0; print(json.dumps(a))' \
	"$work/args.json" >"$work/args-per-user.json" || exit 1

now() { date +%s.%N; }
run() {
	local label=$1 args=${2:-$work/args.json} t0 t1
	sim_call DELETE /_sim/requests >/dev/null || exit 1
	t0=$(now)
	"$bin" "$args" >"$work/out.json"
	t1=$(now)
	/usr/bin/python3 "$files/reqstats.py" "$SIM_URL" --latency-ms "$latency" --expect "$work/expect.json" \
		>"$work/stats.json" || exit 1
	/usr/bin/python3 - "$label" "$t0" "$t1" "$work/out.json" "$work/stats.json" "$work/expect.json" "$conc" \
		"$throttle" "$SIM_URL" <<'PY'
import json, sys, urllib.request
label, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
out, stats, exp = (json.load(open(p)) for p in sys.argv[4:7])
if sys.argv[8] == "1":
    log = json.load(urllib.request.urlopen(sys.argv[9] + "/_sim/requests"))["requests"]
    sent = [e for e in log if e["service"] in ("graph", "teams")]
    n429 = sum(1 for e in sent if e["status"] == 429)
    done = [e for e in sent if not e.get("batch") and e["method"] not in ("GET", "HEAD")
            and not e["path"].endswith("$batch") and 200 <= e["status"] < 300]
    rate = 30.0   # the Teams rows of the published limits (docs/design/pacing.md)
    floor = len(done) / rate
    print("%s: throttled at the published rates: %d of %d requests answered 429 (%.2f %%); "
          "%d writes / %g per s = floor %.1f s; wall / floor = %s"
          % (label, n429, len(sent), 100.0 * n429 / max(1, len(sent)), len(done), rate, floor,
             "%.3f" % ((t1 - t0) / floor) if floor else "n/a (no writes)"))
if out.get("failed"):
    print("%s: FAILED: %s" % (label, out.get("msg")))
    sys.exit(1)
t = out["totals"]
k = stats["writes_by_kind"]
print("%s: %.2f s, changed %d of %d users, %d requests to graph/teams (+%d tokens): "
      "%d reads (%d $batch carrying %d), %d writes, of which %d grant requests (%d per user and type, "
      "%d Graph assignment calls carrying %d grants)%s"
      % (label, t1 - t0, t["changed"], t["users"], stats["requests"], stats["tokens"], stats["reads"],
         stats["batches"], stats["batch_inner"], stats["writes"], k["grant"] + k["graph_assign"], k["grant"],
         k["graph_assign"], k["graph_assign_users"],
         ", at most %d writes in flight (max_concurrency %s)" % (stats["max_in_flight"], sys.argv[7])
         if "max_in_flight" in stats else ""))
PY
}

echo "teams_user_voice: $users users, $(/usr/bin/python3 -c "import json,sys; e=json.load(open(sys.argv[1])); print(', '.join('%s %d' % kv for kv in e['shares'].items()))" "$work/expect.json"); write latency ${latency} ms"
run "first run " || exit 1
run "second run" || exit 1
# Back to the untouched tenant, grants one request per user and type.
sim_call POST /_sim/reset "{}" >/dev/null || exit 1
add_latency
run "first run, grant_batch_size 0 (one grant request per user and type)" "$work/args-per-user.json" || exit 1
