# Sourced by the scripts that run something against the tenant simulator:
# starting and stopping one, and pointing the modules at it.
#
#   sim_start WORKDIR [simulator options...]   sets SIM_URL and SIM_PID
#   sim_env                                     exports the endpoints and the
#                                               simulator's default app
#   sim_stop
#   sim_call METHOD PATH [JSON]                 one call to the simulator (control API)
#
# The default app's secret below is the simulator's, published in its
# README; it grants nothing outside the simulator.

SIM_TENANT_ID=6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
SIM_CLIENT_ID=0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6e
SIM_CLIENT_SECRET=sim-Secret-4f9a7Qx2
SIM_PID=""
SIM_URL=""

sim_start() {
	local work=$1 root
	shift
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	rm -f "$work/sim.url"
	/usr/bin/python3 "$root/tests/tenantsim/tenantsim.py" --port 0 --url-file "$work/sim.url" \
		"$@" >"$work/sim.out" 2>"$work/sim.err" &
	SIM_PID=$!
	for _ in $(seq 1 150); do
		[ -s "$work/sim.url" ] && break
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$work/sim.url" ]; then
		echo "the tenant simulator did not start:" >&2
		cat "$work/sim.err" >&2
		SIM_PID=""
		return 1
	fi
	SIM_URL=$(cat "$work/sim.url")
}

sim_env() {
	export DIALTONE_LOGIN_ENDPOINT=$SIM_URL/login
	export DIALTONE_GRAPH_ENDPOINT=$SIM_URL/graph
	export DIALTONE_TEAMS_ENDPOINT=$SIM_URL/teams
	export AZURE_TENANT_ID=$SIM_TENANT_ID
	export AZURE_CLIENT_ID=$SIM_CLIENT_ID
	export AZURE_CLIENT_SECRET=$SIM_CLIENT_SECRET
}

sim_stop() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
	SIM_PID=""
}

# A private collections path in which ansible_collections/dialtone/teams_phone
# is this checkout, and the Ansible settings every script run uses.
ansible_env() {
	local work=$1 root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	mkdir -p "$work/collections/ansible_collections/dialtone"
	ln -sfn "$root" "$work/collections/ansible_collections/dialtone/teams_phone"
	export ANSIBLE_COLLECTIONS_PATH=$work/collections
	export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
	export ANSIBLE_LOCALHOST_WARNING=false
	export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
	export ANSIBLE_RETRY_FILES_ENABLED=false
	export ANSIBLE_LOCAL_TEMP=$work/ansible-local
	export ANSIBLE_REMOTE_TEMP=$work/ansible-remote
	# The playbooks' default token cache goes under the run's own folder.
	export XDG_CACHE_HOME=$work/cache
}

# sim_call METHOD PATH [JSON]: the simulator's control API.
sim_call() {
	curl -sS -f -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SIM_URL$2"
}
