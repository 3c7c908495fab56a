#!/usr/bin/env bash
# make demo: the rollout against the built-in tenant simulator, with no tenant
# and no credentials. Starts a simulator, runs the playbook, runs it again to
# show that nothing changes, and stops the simulator.
set -u
cd "$(dirname "$0")/.." || exit 2
. scripts/lib-sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-demo.XXXXXX")
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT

echo "== starting the tenant simulator"
sim_start "$work" || exit 1
echo "   $SIM_URL (login, graph and teams services of a simulated tenant)"
sim_env
ansible_env "$work"
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3

playbook=playbooks/demo.yml
echo "== $playbook: first run"
ansible-playbook -i localhost, -c local "$playbook" || exit 1
echo "== $playbook: second run (expect changed=0)"
ansible-playbook -i localhost, -c local "$playbook" | tee "$work/second.log" || exit 1
if grep -Eq 'changed=[1-9]' "$work/second.log"; then
	echo "the second run changed something: the rollout is not idempotent" >&2
	exit 1
fi
echo "== done; the simulator is stopped"
