#!/usr/bin/env bash
# Benchmark of the playbooks at scale: a 20-site Shared Calling rollout of one
# tenant of N users, run twice (the second run has nothing to change), then
# its compliance run, with ansible-playbook against a local tenant simulator.
# Prints figures; never passes or fails on time, fails only when a playbook
# fails.
#
#   scripts/bench_rollout.sh [USERS ...]        (default: 1000 10000 50000)
#
# Environment: BENCH_LATENCY_MS (latency added to every write, default 20).
#
# The tenant and its inventory come from scripts/bench_rollout_fixture.py: 20
# sites (emergency address, resource account, shared number, auto attendant,
# Shared Calling policy, a slice of the users each), the sites' objects not
# created yet, most users already with enterprise voice and the tenant-wide
# policies, so the first run creates every site and grants its policy to
# every user.
#
# Per size and per run it prints:
# - requests by service: Graph and Teams on the wire (a $batch counts once),
#   and sign-ins (token requests) apart, for the one tenant; the playbooks'
#   default token cache is in effect, under this run's temp dir
#   (XDG_CACHE_HOME), never ~/.cache: the script shows the file and its mode;
# - wall time, and the share of it spent in Ansible itself against the
#   modules. Method: the collection is put on the collections path as a copy
#   of this checkout made of symbolic links, in which every module binary is
#   replaced by a wrapper (a WANT_JSON bash script) that runs the real binary
#   on Ansible's arguments file and appends the binary's wall time
#   ($EPOCHREALTIME before and after) and CPU time (bash's `times`) to a log.
#   The tasks of one tenant run one after the other, so the modules' time is
#   the sum over that log, and Ansible's is the rest of the playbook's wall
#   time (bash's `time`): templating, task and loop handling, the module's
#   temp dir, copy and start, result handling, callbacks, and Ansible's own
#   modules (file, template). The wrapper's own
#   start (about 2 ms a task) counts as Ansible's; Ansible copies the small
#   wrapper instead of a binary of about 1 MB (a millisecond or so less than
#   in a normal run). CPU is split the same way: the playbook's user and
#   system time, children included, less the modules';
# - for the compliance run, its requests against one bulk read of the same
#   tenant by teams_shared_calling_info, run once directly on the sites'
#   policies ("= X.XX x one bulk read", sign-ins apart), and what the report
#   found (ok, drift, unknown, failed).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
sizes=${*:-1000 10000 50000}
latency=${BENCH_LATENCY_MS:-20}
files=tests/integration/targets/teams_user_voice/files
info=plugins/modules/teams_shared_calling_info
for stub in plugins/modules/*.py; do
	[ -x "${stub%.py}" ] || { echo "${stub%.py} is not built: run make" >&2; exit 2; }
done
command -v ansible-playbook >/dev/null || { echo "ansible-playbook is not installed: run make deps" >&2; exit 2; }

# sim_start, sim_env, sim_stop, ansible_env; sim_call, recap_changed.
. tests/scenarios/lib.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-bench.XXXXXX")
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT

ansible_env "$work"
export ANSIBLE_NOCOLOR=1
modlog=$work/modules.log

# The collection as links to this checkout, each module binary behind a
# timing wrapper (see above).
timed_collection() {
	local dst=$work/collections/ansible_collections/dialtone/teams_phone f name
	rm -f "$dst"
	mkdir -p "$dst/plugins/modules"
	for f in "$ROOT"/*; do
		[ "${f##*/}" = plugins ] || ln -s "$f" "$dst/"
	done
	for f in "$ROOT"/plugins/*; do
		[ "${f##*/}" = modules ] || ln -s "$f" "$dst/plugins/"
	done
	for f in "$ROOT"/plugins/modules/*; do
		name=${f##*/}
		if [ "${name%.py}" != "$name" ]; then
			ln -s "$f" "$dst/plugins/modules/"
			continue
		fi
		cat >"$dst/plugins/modules/$name" <<-SH
			#!/bin/bash
			# WANT_JSON
			t0=\$EPOCHREALTIME
			'$f' "\$1"
			rc=\$?
			t1=\$EPOCHREALTIME
			{ printf '%s %s %s %s\n' '$name' "\$t0" "\$t1" "\$rc"; times; } >>'$modlog'
			exit \$rc
		SH
		chmod 0755 "$dst/plugins/modules/$name"
	done
}
timed_collection

# play NAME PLAYBOOK [options...]: one ansible-playbook run with a fresh
# request log and module log; its wall and CPU time in $work/NAME.time.
play() {
	local name=$1 rc TIMEFORMAT='%R %U %S'
	shift
	sim_call DELETE /_sim/requests >/dev/null || return 1
	: >"$modlog"
	{ time ansible-playbook -i "$work/inv/inventory.yml" "$@" >"$work/$name.log" 2>&1; } 2>"$work/$name.time"
	rc=$?
	cp "$modlog" "$work/$name.modules"
	/usr/bin/python3 "$files/reqstats.py" "$SIM_URL" >"$work/$name.stats" || return 1
	if [ "$rc" != 0 ]; then
		echo "  $name: FAILED (ansible-playbook exit $rc):"
		grep -E '^(fatal|failed|FAILED|ERROR)|"msg"' "$work/$name.log" | head -n 20 | sed 's/^/    /'
		return 1
	fi
}

# figures NAME LABEL [BULK_STATS]: the figures of one run, on two or three lines.
figures() {
	/usr/bin/python3 - "$work/$1" "$2" "$(recap_changed "$work/$1.log")" "${3:-}" "$work/reports" <<'PY'
import collections, json, os, re, sys
base, label, changed, bulk, reports = sys.argv[1:6]
stats = json.load(open(base + ".stats"))
wall, user, sys_ = (float(x) for x in open(base + ".time").read().split()[-3:])

def seconds(t):  # bash `times`: 0m1.250s
    m, s = re.fullmatch(r"(\d+)m([\d.]+)s", t).groups()
    return 60 * int(m) + float(s)

lines = open(base + ".modules").read().splitlines()
runs, per = 0, collections.defaultdict(lambda: [0, 0.0])
mod_wall = mod_cpu = 0.0
for i in range(0, len(lines) - 2, 3):
    name, t0, t1, _ = lines[i].split()
    u, s = lines[i + 2].split()          # the children's user and system time
    runs += 1
    mod_wall += float(t1) - float(t0)
    mod_cpu += seconds(u) + seconds(s)
    per[name][0] += 1
    per[name][1] += float(t1) - float(t0)
svc = stats["by_service"]
print("  %-22s changed=%s; requests: Graph %d, Teams %d (%d $batch carrying %d); sign-ins %d (1 tenant)"
      % (label, changed, svc["graph"], svc["teams"], stats["batches"], stats["batch_inner"], stats["tokens"]))
print("  %-22s %.1f s: Ansible %d %% (%.1f s), modules %d %% (%.1f s, %d runs); CPU: Ansible %.1f s, modules %.1f s"
      % ("", wall, round(100 * (wall - mod_wall) / wall), wall - mod_wall, round(100 * mod_wall / wall), mod_wall,
         runs, user + sys_ - mod_cpu, mod_cpu))
top = sorted(per.items(), key=lambda kv: -kv[1][1])[:3]
print("  %-22s slowest modules: %s" % ("", ", ".join("%s %.1f s (%d runs)" % (n, t, c) for n, (c, t) in top)))
if bulk:
    b = json.load(open(bulk))
    r = json.load(open(os.path.join(reports, "contoso", "report.json")))["summary"]
    print("  %-22s %d requests = %.2f x one bulk read (%d); report: ok %s, drift %s, unknown %s, failed %s"
          % ("", stats["requests"], stats["requests"] / b["requests"], b["requests"],
             r.get("ok"), r.get("drift"), r.get("unknown"), r.get("failed")))
PY
}

# The playbooks' default token cache, under this run's XDG_CACHE_HOME.
token_cache() {
	local f=$XDG_CACHE_HOME/dialtone/contoso.tokens
	if [ -f "$f" ]; then
		echo "  token cache            in effect: \$TMPDIR/${f#"$work"/} (mode $(stat -c %a "$f")), not ~/.cache"
	else
		echo "  token cache            NOT in effect: no $f after the rollout"
	fi
}

status=0
for users in $sizes; do
	sim_stop
	rm -rf "$work/inv" "$work/reports" "$XDG_CACHE_HOME"
	t0=$EPOCHREALTIME
	/usr/bin/python3 scripts/bench_rollout_fixture.py --users "$users" --fixture "$work/fixture.json" \
		--inventory "$work/inv" --expect "$work/expect.json" || exit 1
	sim_start "$work" --fixture "$work/fixture.json" || exit 1
	sim_env
	t1=$EPOCHREALTIME
	if [ "$latency" != 0 ]; then
		rules=""
		for m in "PUT /" "PATCH /" "DELETE /" "POST /teams/" "POST /graph/v1.0/admin/" "POST /graph/v1.0/users/"; do
			rules="$rules${rules:+, }{\"match\": \"$m\", \"latency_ms\": $latency}"
		done
		sim_call POST /_sim/faults "[$rules]" >/dev/null || exit 1
	fi
	/usr/bin/python3 - "$work/expect.json" "$latency" "$(awk "BEGIN {printf \"%.1f\", $t1 - $t0}")" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print("\n%d users, %d sites of %d users (%s); write latency %s ms; tenant generated and loaded in %s s"
      % (e["users"], e["sites"], -(-e["users"] // e["sites"]),
         ", ".join("%s %d" % kv for kv in e["shares"].items()), sys.argv[2], sys.argv[3]))
PY
	if ! play rollout-1 playbooks/rollout.yml; then
		status=1
		continue
	fi
	figures rollout-1 "rollout, 1st run"
	token_cache
	if play rollout-2 playbooks/rollout.yml; then
		figures rollout-2 "rollout, 2nd run"
	else
		status=1
	fi
	if play compliance playbooks/compliance.yml -e "shared_calling_report_dir=$work/reports"; then
		# One bulk read of the same tenant, run directly (no token cache).
		/usr/bin/python3 -c 'import json, sys; print(json.dumps({"sites": json.load(open(sys.argv[1]))["policies"]}))' \
			"$work/expect.json" >"$work/info.json"
		sim_call DELETE /_sim/requests >/dev/null || exit 1
		/usr/bin/python3 scripts/bench_measure.py "$info" "$work/info.json" "$work/info.out" >"$work/info.measure" || exit 1
		/usr/bin/python3 "$files/reqstats.py" "$SIM_URL" >"$work/bulk.stats" || exit 1
		figures compliance "compliance" "$work/bulk.stats"
		/usr/bin/python3 - "$work/bulk.stats" "$work/info.measure" "$work/info.out" <<'PY' || status=1
import json, sys
s, m, out = (json.load(open(p)) for p in sys.argv[1:4])
if out.get("failed"):
    print("  one bulk read: FAILED: %s" % out.get("msg"))
    sys.exit(1)
print("  %-22s %d sites, %d members: requests: Graph %d, Teams %d; sign-ins %d (no cache); %.1f s"
      % ("one bulk read (info)", len(out["sites"]), out["counts"]["members"], s["by_service"]["graph"],
         s["by_service"]["teams"], s["tokens"], m["wall"]))
PY
	else
		status=1
	fi
done
exit $status
