# Sourced by scenario scripts: one "ok: ..." or "FAILED: ..." line per check,
# which tests/run.sh counts; a scenario exits 0 only when every check passed.
# Each scenario runs in its own work dir with its own simulator.

. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib-sim.sh"
SCENARIO_STATUS=0

# check WHAT COMMAND...: runs COMMAND, prints ok/FAILED and, on failure, its output.
check() {
	local what=$1
	shift
	if "$@" >"$work/last.log" 2>&1; then
		echo "ok: $what"
	else
		echo "FAILED: $what"
		sed 's/^/    /' "$work/last.log" | tail -n 60
		SCENARIO_STATUS=1
	fi
}

# expect WHAT CONDITION-COMMAND...: like check, for a test of state already gathered.
expect() {
	check "$@"
}

# expect_eq WHAT ACTUAL WANTED: ok when equal, else both are shown.
expect_eq() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAILED: $1"
		echo "    got:  $2"
		echo "    want: $3"
		SCENARIO_STATUS=1
	fi
}

# Number of write requests the simulator has logged since its log was cleared.
sim_writes() {
	sim_call GET /_sim/requests | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["writes"])'
}

# Sign-ins (token requests) in the simulator's request log.
sim_logins() {
	sim_call GET /_sim/requests | /usr/bin/python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin)["requests"] if e["service"] == "login"))'
}

# Requests (inside $batch too) whose path contains $1 and that the simulator
# handled, in its log: a request it faulted or throttled was not handled, and
# the client's retry of it is the same read.
sim_count_path() {
	sim_call GET /_sim/requests | /usr/bin/python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin)["requests"] if sys.argv[1] in e["path"] and not e.get("fault") and e.get("status") != 429))' "$1"
}

# Requests to Graph and Teams (sign-ins left out) the simulator handled, in
# its log: a $batch counts once, as it is one request on the wire; a request
# it faulted or throttled was not handled, and the client's retry of it is the
# same read.
sim_requests() {
	sim_call GET /_sim/requests | /usr/bin/python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin)["requests"] if e["service"] != "login" and not e.get("batch") and not e.get("fault") and e.get("status") != 429))'
}

# "changed=N" summed over every host of an ansible-playbook log.
recap_changed() {
	sed -n 's/^[^ ].* : ok=[0-9]* *changed=\([0-9]*\).*/\1/p' "$1" | awk '{s += $1} END {print s + 0}'
}
