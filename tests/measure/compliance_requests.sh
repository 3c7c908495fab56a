#!/usr/bin/env bash
# Requests of a whole compliance run (playbooks/compliance.yml) against one
# bulk read of teams_shared_calling_info over the same tenant, on the demo
# tenant grown to N Direct Routing sites (default 20), each with an auto
# attendant and 15 users. Rolls the sites out first, then counts, with and
# without the tenant snapshot. Prints figures; passes or fails on nothing but
# the runs themselves.
#
#   tests/measure/compliance_requests.sh [SITES]
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
sites=${1:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-compl.XXXXXX")
. tests/scenarios/lib.sh
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT
export DIALTONE_TEST_BACKOFF_SCALE=0.01
export ANSIBLE_NOCOLOR=1

/usr/bin/python3 tests/tenantsim/genfixture.py --demo -o "$work/demo.json" || exit 1
/usr/bin/python3 - "$work/demo.json" "$sites" <<'PY' || exit 1
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
fx = json.load(open(path))
for s in fx["skus"]:
    if s["skuPartNumber"] == "PHONESYSTEM_VIRTUALUSER":
        s["enabled"] = max(s["enabled"], n + 5)
json.dump(fx, open(path, "w"))
PY
mkdir -p "$work/inv/host_vars"
cp playbooks/demo/inventory.yml "$work/inv/inventory.yml"
/usr/bin/python3 - "$work/inv/host_vars/contoso.yml" "$sites" <<'PY' || exit 1
import sys
path, n = sys.argv[1], int(sys.argv[2])
out = ["shared_calling_voice_routing_policies:",
       "  - {name: SC-Users-NoPstn, pstn_usages: []}",
       "  - {name: SC-DR, pstn_usages: [US-DR]}",
       "shared_calling_emergency_call_routing_policies:",
       "  - name: SC-ECRP-DirectRouting",
       "    enhanced_emergency_services: true",
       "    emergency_numbers: [{dial_string: '911', pstn_usage: US-DR}]",
       "shared_calling_sites:"]
per = 300 // n
for i in range(n):
    first, last = i * per + 1, (i + 1) * per
    out += ["  - name: site%02d" % i,
            "    emergency_address: {description: Redmond office}",
            "    emergency_location: Floor %d" % i,
            "    resource_account: {upn: sc-site%02d@contoso.com, display_name: Site %02d, usage_location: US, "
            "licenses: [PHONESYSTEM_VIRTUALUSER], voice_routing_policy: SC-DR}" % (i, i),
            "    number: {number: '+1425555%04d', type: direct_routing}" % (2000 + i),
            "    auto_attendant: {name: Site %02d main line, time_zone: Pacific Standard Time, "
            "greeting: Welcome., dial_by_name: true}" % i,
            "    policy: {name: SC-Site%02d}" % i,
            "    users:",
            "      members: \"{{ query('ansible.builtin.sequence', 'start=%d end=%d format=user%%03d@contoso.com') }}\"" % (first, last),
            "      voice_routing_policy: SC-Users-NoPstn",
            "      emergency_call_routing_policy: SC-ECRP-DirectRouting"]
open(path, "w").write("\n".join(out) + "\n")
PY
sim_start "$work" --fixture "$work/demo.json" || exit 1
sim_env
ansible_env "$work"
inv=$work/inv/inventory.yml

ansible-playbook -i "$inv" playbooks/rollout.yml >"$work/rollout.log" 2>&1 ||
	{ echo "the rollout of $sites sites failed:"; tail -n 40 "$work/rollout.log"; exit 1; }
for mode in snapshot direct; do
	extra=()
	[ "$mode" = direct ] && extra=(-e shared_calling_snapshot=)
	sim_call DELETE /_sim/requests >/dev/null
	ansible-playbook -i "$inv" playbooks/compliance.yml -e "shared_calling_report_dir=$work/r-$mode" \
		"${extra[@]}" >"$work/compliance-$mode.log" 2>&1 ||
		{ echo "compliance ($mode) failed:"; tail -n 40 "$work/compliance-$mode.log"; exit 1; }
	eval "req_$mode=$(sim_requests)"
	grep -o '[0-9]* sites, [0-9]* objects: .*"' "$work/compliance-$mode.log" | head -1
done
sim_call DELETE /_sim/requests >/dev/null
ansible -i "$inv" contoso -m dialtone.teams_phone.teams_shared_calling_info -o >"$work/info.log" 2>&1 ||
	{ echo "teams_shared_calling_info failed:"; tail -n 20 "$work/info.log"; exit 1; }
bulk=$(sim_requests)
same=$(/usr/bin/python3 - "$work/r-snapshot/contoso/report.json" "$work/r-direct/contoso/report.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for r in (a, b):
    r.pop("generated", None)
print("the same" if a == b else "DIFFERENT")
PY
)
echo "$sites sites, requests to Graph and Teams (a \$batch counted once, sign-ins left out):"
echo "  compliance from the tenant snapshot:  $req_snapshot"
echo "  compliance reading the tenant per site: $req_direct"
echo "  one bulk read (teams_shared_calling_info): $bulk"
echo "  ratio snapshot / bulk: $(/usr/bin/python3 -c "print(round($req_snapshot / $bulk, 2))")"
echo "  reports with and without the snapshot: $same"
