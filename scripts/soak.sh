#!/usr/bin/env bash
# make soak: the demo rollout under the fault mix of a bad day at Microsoft,
# with three seeds. For each seed the simulator answers 20 % of requests
# with a server error (500, 502, 503, 504: 5 % each), 10 % with 429 (half
# with a Retry-After in seconds, half with an HTTP date), drops 2 % of the
# connections mid-answer, adds 50-300 ms of latency to every request, and
# revokes every token every REVOKE_EVERY seconds (default 20). The rollout
# is run until it completes (at most MAX_TRIES times, default 3), then once
# more; the final state is compared with a fault-free rollout's.
#
# Prints, per seed: converged (yes/no), tries, the second run's changed
# count, duplicates and orphans (figures, not timings). Exits non-zero unless
# every seed converged in one run, the second run changed nothing, and no
# duplicate, orphan or missing object was left.
#
#   scripts/soak.sh [SEED...]        (default seeds: 1 2 3)
#
# Waits run at DIALTONE_TEST_BACKOFF_SCALE (default 0.1 here): the retry
# decisions are the real ones, only the sleeping is shorter.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
. scripts/lib-sim.sh
seeds=${*:-1 2 3}
max_tries=${MAX_TRIES:-3}
revoke_every=${REVOKE_EVERY:-20}
export DIALTONE_TEST_BACKOFF_SCALE=${DIALTONE_TEST_BACKOFF_SCALE:-0.1}
export ANSIBLE_NOCOLOR=1
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-soak.XXXXXX")
out=$ROOT/build/soak
mkdir -p "$out"
revoker=""
stop_revoker() {
	if [ -n "$revoker" ]; then
		kill "$revoker" 2>/dev/null
		wait "$revoker" 2>/dev/null
	fi
	revoker=""
}
cleanup() {
	stop_revoker
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT

FAULTS='[
 {"match": "* /", "probability": 0.05, "status": 500},
 {"match": "* /", "probability": 0.05, "status": 502},
 {"match": "* /", "probability": 0.05, "status": 503, "retry_after": "1"},
 {"match": "* /", "probability": 0.05, "status": 504},
 {"match": "* /", "probability": 0.05, "status": 429, "retry_after": "1"},
 {"match": "* /", "probability": 0.05, "status": 429, "retry_after": "date:2"},
 {"match": "* /", "probability": 0.02, "drop": "mid"},
 {"match": "* /", "latency_ms": [50, 300]}
]'

sim_ctl() {   # sim_ctl METHOD PATH [JSON]
	curl -sS -f -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SIM_URL$2"
}
changed_of() {
	sed -n 's/^[^ ].* : ok=[0-9]* *changed=\([0-9]*\).*/\1/p' "$1" | awk '{s += $1} END {print s + 0}'
}

/usr/bin/python3 tests/tenantsim/genfixture.py --demo -o "$work/demo.json" || exit 1
ansible_env "$work"
inv=playbooks/demo/inventory.yml

# The fault-free rollout whose final state every seed must reach.
mkdir -p "$work/base"
sim_start "$work/base" --fixture "$work/demo.json" || exit 1
sim_env
if ! ansible-playbook -i "$inv" playbooks/rollout.yml >"$out/baseline.log" 2>&1; then
	echo "soak: the fault-free rollout failed (see $out/baseline.log)" >&2
	exit 1
fi
/usr/bin/python3 scripts/soak_state.py "$SIM_URL" >"$work/base.json" || exit 1
sim_stop

status=0
printf '%-6s %-10s %-6s %-16s %-11s %-8s %-8s %s\n' seed converged tries second-changed duplicates orphans missing requests
for seed in $seeds; do
	mkdir -p "$work/s$seed"
	sim_start "$work/s$seed" --fixture "$work/demo.json" --seed "$seed" || exit 1
	sim_env
	sim_ctl POST /_sim/faults "$FAULTS" >/dev/null || exit 1
	( while sleep "$revoke_every"; do
		curl -sS -f -X POST "$SIM_URL/_sim/revoke-tokens" >/dev/null 2>&1
	done ) &
	revoker=$!
	tries=0
	converged=no
	while [ "$tries" -lt "$max_tries" ]; do
		tries=$((tries + 1))
		if ansible-playbook -i "$inv" playbooks/rollout.yml >"$out/seed$seed-try$tries.log" 2>&1; then
			converged=yes
			break
		fi
	done
	second=-
	if [ "$converged" = yes ]; then
		if ansible-playbook -i "$inv" playbooks/rollout.yml >"$out/seed$seed-second.log" 2>&1; then
			second=$(changed_of "$out/seed$seed-second.log")
		else
			second=failed
		fi
	fi
	stop_revoker
	requests=$(sim_ctl GET /_sim/requests | /usr/bin/python3 -c 'import json,sys; c=json.load(sys.stdin)["counters"]; print("%d (%s)" % (c["total"], ", ".join("%s: %d" % kv for kv in sorted(c["by_status"].items()))))')
	sim_ctl DELETE /_sim/faults >/dev/null
	/usr/bin/python3 scripts/soak_state.py "$SIM_URL" >"$work/s$seed.json" || exit 1
	/usr/bin/python3 scripts/soak_state.py --compare "$work/base.json" "$work/s$seed.json" >"$out/seed$seed-compare.json"
	read -r dups orphans missing < <(/usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["duplicates"], c["orphans"], c["missing"])' "$out/seed$seed-compare.json")
	sim_stop
	printf '%-6s %-10s %-6s %-16s %-11s %-8s %-8s %s\n' "$seed" "$converged" "$tries" "$second" "$dups" "$orphans" "$missing" "$requests"
	if [ "$converged" != yes ] || [ "$tries" != 1 ] || [ "$second" != 0 ] || [ "$dups" != 0 ] ||
	    [ "$orphans" != 0 ] || [ "$missing" != 0 ]; then
		status=1
	fi
done
echo "logs and state comparisons: $out"
exit $status
