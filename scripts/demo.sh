#!/usr/bin/env bash
# make demo: the multi-site Shared Calling rollout against the built-in tenant
# simulator, with no tenant and no credentials. Starts a simulator with the
# demo tenant (three offices, three number types, 300 users, some with
# personal numbers), rolls out, rolls out again to show changed=0, runs the
# compliance check, tells where its HTML report is, and stops the simulator.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
. scripts/lib-sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-demo.XXXXXX")
out=$ROOT/build/demo
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
rm -rf "$out/reports"

say() { printf '\n== %s\n' "$*"; }

say "starting the tenant simulator with the demo tenant"
/usr/bin/python3 tests/tenantsim/genfixture.py --demo -o "$work/demo.json" || exit 1
sim_start "$work" --fixture "$work/demo.json" || exit 1
echo "   $SIM_URL serves the login, Graph and Teams admin services of a simulated tenant"
sim_env
ansible_env "$work"
export ANSIBLE_STDOUT_CALLBACK=${ANSIBLE_STDOUT_CALLBACK:-default}
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false

inventory=playbooks/demo/inventory.yml
say "rollout: three sites from nothing"
ansible-playbook -i "$inventory" playbooks/rollout.yml | tee "$out/rollout-1.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

say "rollout again: nothing to change"
ansible-playbook -i "$inventory" playbooks/rollout.yml | tee "$out/rollout-2.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
if grep -Eq 'changed=[1-9]' "$out/rollout-2.log"; then
	echo "the second rollout changed something: it is not idempotent" >&2
	exit 1
fi

say "compliance: check and diff mode, nothing written"
ansible-playbook -i "$inventory" playbooks/compliance.yml \
	-e "shared_calling_report_dir=$out/reports" | tee "$out/compliance.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

say "done"
echo "   compliance report: $out/reports/contoso/report.html"
echo "   (also report.md, report.json and junit.xml beside it; run logs in $out)"
echo "   the simulator is stopped; run 'make demo' again to start over"
