#!/usr/bin/env bash
# Benchmark of teams_pstn_usage_info: requests and wall time of the call-pattern
# audit of a generated tenant, against a local tenant simulator. Prints
# figures; never passes or fails on time.
#
#   scripts/bench_pstn_audit.sh [USERS] [WEEKS] [MAX_CONCURRENCY] [LATENCY_MS]
#
# Defaults: 5,000 users, 4 weeks, max_concurrency 8, and 50 ms added to every
# call-record page (the real service takes longer than the simulator to build
# a page, so that reading slices at once is what it is worth). Runs the built
# binary plugins/modules/teams_pstn_usage_info directly (make first): once with
# the default weekly slices, once with one 90-day query per source
# (slice_days 90), which shows what reading slices at once saves.
set -u
cd "$(dirname "$0")/.." || exit 2
users=${1:-5000}
weeks=${2:-4}
conc=${3:-8}
latency=${4:-50}
bin=plugins/modules/teams_pstn_usage_info
[ -x "$bin" ] || { echo "$bin is not built: run make" >&2; exit 2; }

. scripts/lib-sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-bench.XXXXXX")
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT

anchor=2025-01-06T00:00:00Z
t0=$(date +%s.%N)
/usr/bin/python3 tests/tenantsim/genfixture.py --users "$users" --sites $(( users / 250 + 1 )) \
	--numbers $(( users / 5 )) --weeks "$weeks" --seed 1 --anchor "$anchor" -o "$work/fixture.json" || exit 1
sim_start "$work" --fixture "$work/fixture.json" || exit 1
sim_env

ctl() {   # ctl METHOD PATH [JSON]
	/usr/bin/python3 - "$1" "$SIM_URL$2" "${3:-}" <<'PY' || exit 1
import sys, urllib.request
method, url, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                             headers={"Content-Type": "application/json"})
sys.stdout.write(urllib.request.urlopen(req, timeout=600).read().decode())
PY
}
# The call history is expanded in the background; wait until it is served.
ctl GET /_sim/state >/dev/null
/usr/bin/python3 - "$SIM_URL" <<'PY' || exit 1
import json, sys, time, urllib.request
for _ in range(1200):
    s = json.load(urllib.request.urlopen(sys.argv[1] + "/_sim/state", timeout=600))
    if isinstance(s.get("callRecords"), dict):
        break
    time.sleep(0.5)
PY
t1=$(date +%s.%N)
if [ "$latency" != 0 ]; then
	ctl POST /_sim/faults "[{\"match\": \"GET /graph/v1.0/communications/callRecords\", \"latency_ms\": $latency}]" >/dev/null
fi
expect=$(/usr/bin/python3 - "$work/fixture.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["_expected"]["audit"]
print("%d users: %d candidates, %d personal, %d without calls" % (a["users"], len(a["candidates"]),
                                                                 len(a["personal"]), len(a["noCalls"])))
PY
)
echo "teams_pstn_usage_info: $users users, $weeks weeks ($expect expected); tenant generated and loaded in $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}") s;" \
	"call-record pages delayed ${latency} ms; max_concurrency $conc"

run() {   # run LABEL SLICE_DAYS
	local label=$1 slice=$2 s e
	printf '{"end": "%s", "weeks": %d, "slice_days": %d, "max_concurrency": %d}\n' \
		"$anchor" "$weeks" "$slice" "$conc" >"$work/args.json"
	ctl DELETE /_sim/requests >/dev/null
	s=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$work/rss" "$bin" "$work/args.json" >"$work/out.json"
	e=$(date +%s.%N)
	ctl GET /_sim/requests >"$work/log.json"
	/usr/bin/python3 - "$label" "$s" "$e" "$work/out.json" "$work/log.json" "$work/fixture.json" "$work/rss" <<'PY'
import json, sys
label, s, e = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
out, log, fx = (json.load(open(p)) for p in sys.argv[4:7])
rss = open(sys.argv[7]).read().split()[-1]
if out.get("failed"):
    print("%s: FAILED: %s" % (label, out.get("msg")))
    sys.exit(1)
want = fx["_expected"]["audit"]
exact = (out["candidates"] == want["candidates"] and out["personal"] == want["personal"]
         and out["no_calls"] == want["noCalls"])
reqs = log["requests"]
by = lambda word: sum(1 for r in reqs if word in r["path"])
print("%s: %.2f s, %d requests (%d getPstnCalls, %d getDirectRoutingCalls, %d users, %d numbers, %d token); "
      "%d call records, %d users audited, %.0f MB at most; classification %s"
      % (label, e - s, len(reqs), by("getPstnCalls"), by("getDirectRoutingCalls"),
         sum(1 for r in reqs if r["path"].endswith("/v1.0/users")), by("numberAssignments"),
         sum(1 for r in reqs if r["service"] == "login"), out["calls"]["rows"], out["counts"]["users"],
         int(rss) / 1024,
         "exact" if exact else "DIFFERENT from the generator's"))
PY
}
run "weekly slices   " 7 || exit 1
run "one query (90 d)" 90 || exit 1
