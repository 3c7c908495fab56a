#!/usr/bin/env bash
# Benchmark at scale: teams_user_voice over every user of a generated tenant
# of whom known shares already comply (45 %: 30 % granted directly, 15 %
# through a group), then teams_shared_calling_info over the same tenant,
# against a local tenant simulator. Prints figures; never passes or fails on
# time.
#
#   scripts/bench_user_voice.sh [USERS ...]        (default: 1000 10000 50000)
#
# Environment: BENCH_CONCURRENCY (max_concurrency, default 8),
# BENCH_LATENCY_MS (latency added to every write, default 20, so that writes
# in flight overlap as they would on the real service), BENCH_ONLY=info
# (measure teams_shared_calling_info alone: the first teams_user_voice run
# still sets the tenant up, unmeasured; its second run and the 20-site
# compliance checks are left out).
#
# For each size, per run: requests and requests / floor (the floor: the bulk
# reads, plus one write per user and setting that differs on a first run),
# sign-ins, peak resident memory of the module, wall time, and the share of
# the wall time the module itself spent on the CPU. Then the user checks of a
# 20-site compliance run, reading the tenant per site and from the
# preflight's snapshot. Runs the built binaries under plugins/modules/
# directly (make first).
set -u
cd "$(dirname "$0")/.." || exit 2
sizes=${*:-1000 10000 50000}
conc=${BENCH_CONCURRENCY:-8}
latency=${BENCH_LATENCY_MS:-20}
only=${BENCH_ONLY:-}
case $only in
"" | info) ;;
*) echo "BENCH_ONLY=$only: accepted is info (or unset for every run)" >&2; exit 2 ;;
esac
uv=plugins/modules/teams_user_voice
info=plugins/modules/teams_shared_calling_info
files=tests/integration/targets/teams_user_voice/files
for b in "$uv" "$info"; do
	[ -x "$b" ] || { echo "$b is not built: run make" >&2; exit 2; }
done

. scripts/lib-sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-bench.XXXXXX")
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT


# run LABEL BINARY ARGS FLOOR_KEY: one module run, its figures on one line.
run() {
	local label=$1 bin=$2 args=$3 key=$4
	sim_call DELETE /_sim/requests >/dev/null || exit 1
	/usr/bin/python3 scripts/bench_measure.py "$bin" "$args" "$work/out.json" >"$work/measure.json" || exit 1
	/usr/bin/python3 "$files/reqstats.py" "$SIM_URL" --latency-ms "$latency" --expect "$work/expect.json" \
		>"$work/stats.json" || exit 1
	/usr/bin/python3 - "$label" "$key" "$work/out.json" "$work/stats.json" "$work/expect.json" \
		"$work/measure.json" <<'PY' || exit 1
import json, sys
label, key = sys.argv[1:3]
out, stats, exp, m = (json.load(open(p)) for p in sys.argv[3:7])
if out.get("failed"):
    print("%s: FAILED: %s" % (label, out.get("msg")))
    sys.exit(1)
floor = exp.get(key) or 0
what = ""
if "totals" in out:
    what = "changed %d of %d users, " % (out["totals"]["changed"], out["totals"]["users"])
elif "sites" in out:
    what = "%d sites, %d members, " % (len(out["sites"]), sum(len((s.get("users") or {}).get("members") or [])
                                                          for s in out["sites"]))
print("  %-22s %s%d requests (%d reads, %d $batch, %d writes)%s, %d sign-ins; "
      "peak RSS %.1f MiB; %.2f s, client CPU %d %%"
      % (label, what, stats["requests"], stats["reads"], stats["batches"], stats["writes"],
         " = %.2f x floor %d" % (stats["requests"] / floor, floor) if floor else "",
         stats["tokens"], m["max_rss_mib"], m["wall"], round(100 * m["cpu_share"])))
PY
}

# compliance: the user checks of a 20-site compliance run (teams_user_voice in
# check mode over 20 slices of the users), reading the tenant for each site,
# then from the snapshot the preflight writes; requests against one bulk read
# of teams_shared_calling_info.
compliance() {
	local mode i
	/usr/bin/python3 - "$work" <<'PY' || return 1
import json, sys
w = sys.argv[1]
args = json.load(open(w + "/uv.json"))
upns = args["users"]
for i in range(20):
    part = dict(args, users=upns[i::20], _ansible_check_mode=True)
    json.dump(part, open("%s/site%d.json" % (w, i), "w"))
    json.dump(dict(part, snapshot=w + "/users.snapshot"), open("%s/site%d-snap.json" % (w, i), "w"))
json.dump({"sites": [], "fail_on_problem": False, "snapshot": w + "/users.snapshot"}, open(w + "/pre.json", "w"))
PY
	for mode in tenant snapshot; do
		sim_call DELETE /_sim/requests >/dev/null || exit 1
		if [ "$mode" = snapshot ]; then
			plugins/modules/teams_rollout_preflight "$work/pre.json" >"$work/out.json" || return 1
		fi
		for i in $(seq 0 19); do
			if [ "$mode" = snapshot ]; then
				"$uv" "$work/site$i-snap.json" >"$work/out.json"
			else
				"$uv" "$work/site$i.json" >"$work/out.json"
			fi
			grep -q '"failed":true' "$work/out.json" && { echo "  compliance: FAILED: $(head -c 300 "$work/out.json")"; return 1; }
		done
		/usr/bin/python3 - "$SIM_URL" "$work/expect.json" "$mode" <<'PY' || return 1
import json, sys, urllib.request
url, exp, mode = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
log = json.load(urllib.request.urlopen(url + "/_sim/requests?since=0"))["requests"]
wire = [e for e in log if not e.get("batch") and e["service"] in ("graph", "teams")]
pages = sum(1 for e in log if "/admin/teams/userConfigurations" in e["path"])
print("  %-22s %d requests (%d for user configurations, %d sign-ins) = %.2f x one bulk read (%d)"
      % ("20-site checks, " + mode, len(wire), pages, sum(1 for e in log if e["service"] == "login"),
         len(wire) / exp["info_reads"], exp["info_reads"]))
PY
	done
}

status=0
for users in $sizes; do
	sim_stop
	/usr/bin/python3 "$files/bench_fixture.py" --users "$users" --output "$work/fixture.json" \
		--expect "$work/expect.json" || exit 1
	sim_start "$work" --fixture "$work/fixture.json" || exit 1
	sim_env
	if [ "$latency" != 0 ]; then
		sim_call POST /_sim/faults "[{\"match\": \"PATCH /teams/Skype.Policy/users\", \"latency_ms\": $latency},
			{\"match\": \"PUT /teams/Skype.TelephoneNumberMgmt\", \"latency_ms\": $latency}]" >/dev/null || exit 1
	fi
	/usr/bin/python3 - "$work/expect.json" "$conc" >"$work/uv.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print(json.dumps({"users": e["upns"], "enterprise_voice": True, "shared_calling_policy": "SC-Bench",
                  "voice_routing_policy": "Global", "max_concurrency": int(sys.argv[2])}))
PY
	echo '{"sites": ["SC-Bench"]}' >"$work/info.json"
	echo "$users users ($(/usr/bin/python3 -c "import json,sys; e=json.load(open(sys.argv[1])); print(', '.join('%s %d' % kv for kv in e['shares'].items()))" "$work/expect.json")); write latency ${latency} ms, max_concurrency $conc"
	if [ "$only" = info ]; then
		"$uv" "$work/uv.json" >"$work/out.json" || { echo "  teams_user_voice: FAILED: $(head -c 300 "$work/out.json")"; exit 1; }
		run "shared_calling_info" "$info" "$work/info.json" info_reads || status=1
		continue
	fi
	run "teams_user_voice 1st" "$uv" "$work/uv.json" budget || status=1
	run "teams_user_voice 2nd" "$uv" "$work/uv.json" reads || status=1
	run "shared_calling_info" "$info" "$work/info.json" info_reads || status=1
	compliance || status=1
done
exit $status
