#!/usr/bin/env bash
# The rollout roles and playbooks end to end on the demo tenant, in realistic
# mode (throttling, replication delays, light faults: see below):
#   rollout, rollout again (changed=0), compliance (no drift), drift made
#   behind the collection's back (reported exactly), a read failure (unknown,
#   never drift), export, and a rollout of the export (no change); the
#   preflight refusals with nothing written; the HTML report in headless
#   Chromium.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-scn.XXXXXX")
. tests/scenarios/lib.sh
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT
export DIALTONE_TEST_BACKOFF_SCALE=0.01
export ANSIBLE_NOCOLOR=1
out=$ROOT/tests/output/scenario-rollout
rm -rf "$out"
mkdir -p "$out"

/usr/bin/python3 tests/tenantsim/genfixture.py --demo -o "$work/demo.json" || exit 1
# Realistic mode: the service as it really behaves. Throttling at Microsoft's
# published rates, grants, new accounts and licences taking effect after a
# delay (seconds here, minutes to hours at Microsoft), and light random
# faults (throttling and unavailability, fixed seed) on every service.
# SCENARIO_FRIENDLY=1 turns it off, to tell a product bug from a fault.
if [ "${SCENARIO_FRIENDLY:-0}" = 1 ]; then
	realistic=()
else
	realistic=(--throttle --grant-delay 3 --replication-delay 3 --license-delay 3
		--seed 11 --fault-503 0.01 --fault-429 0.01 --retry-after 1)
fi
sim_start "$work" --fixture "$work/demo.json" "${realistic[@]}" || exit 1
sim_env
ansible_env "$work"
inv=playbooks/demo/inventory.yml
play() {   # play LOGNAME PLAYBOOK [options...]
	local log=$out/$1.log
	shift
	ansible-playbook -i "$inv" "$@" >"$log" 2>&1
}
report() {  # report FIELD...: a value from the last compliance report.json
	/usr/bin/python3 - "$out/reports/contoso/report.json" "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    print(eval(expr, {"r": r}))
PY
}

check "rollout of three sites from nothing" play rollout-1 playbooks/rollout.yml
sim_call GET '/_sim/requests?bodies=1' >"$work/wire-1.json"
wire() {   # wire EXPR: a value computed from the first rollout's request log
	/usr/bin/python3 - "$work/wire-1.json" "$1" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))["requests"]
assigns = [e for e in log if e["path"].endswith("/admin/teams/policy/userAssignments/assign")]
users_per_type = {}
for e in assigns:
    for a in (e.get("body") or {}).get("value") or []:
        users_per_type.setdefault(a["policyType"], []).append(len(e["body"]["value"]))
print(eval(sys.argv[2], {"log": log, "assigns": assigns, "per_type": users_per_type}))
PY
}
expect_eq "the policies reach users through Graph assign calls carrying several users each" \
	"$(wire "sorted(t for t, n in per_type.items() if max(n) > 1)")" \
	"['OnlineVoiceRoutingPolicy', 'TeamsEmergencyCallRoutingPolicy', 'TeamsSharedCallingRoutingPolicy']"
expect_eq "no grant goes one user at a time" \
	"$(wire "sum(1 for e in log if '/Skype.Policy/users/' in e['path'])")" 0
expect_eq "group grants carry priority" \
	"$(wire "all('priority' in (e.get('body') or {}) and 'Rank' not in (e.get('body') or {}) for e in log if '/groupPolicyAssignments/' in e['path'] and e['method'] in ('PUT', 'PATCH'))")" True
expect_eq "no Teams.User list uses filter=" \
	"$(wire "sum(1 for e in log if '/Teams.User/users' in e['path'] and 'filter=' in e['query'].replace('psfilter=', ''))")" 0
expect "the rollout signs in once per service (Graph, Teams) through the default token cache" \
	test "$(sim_logins)" -le 2
expect "the token cache is private to the user" \
	test "$(stat -c %a "$XDG_CACHE_HOME/dialtone/contoso.tokens")" = 600
sim_call DELETE /_sim/requests >/dev/null
check "a second rollout runs" play rollout-2 playbooks/rollout.yml
expect_eq "the second rollout changes nothing" "$(recap_changed "$out/rollout-2.log")" 0
expect_eq "and writes nothing" "$(sim_writes)" 0
expect_eq "and signs in to nothing while the tokens are valid" "$(sim_logins)" 0

sim_call DELETE /_sim/requests >/dev/null
check "compliance runs in check mode" play compliance-1 playbooks/compliance.yml -e "shared_calling_report_dir=$out/reports"
expect_eq "compliance of a fresh rollout finds no drift and nothing unknown" \
	"$(report "r['summary']['drift']" "r['summary']['unknown']" "r['summary']['failed']" | tr '\n' ' ')" \
	"0 0 0 "
expect "compliance covers every object of the three sites" \
	test "$(report "len([o for o in r['objects'] if o['site'] != '(tenant)'])")" -ge 18
expect_eq "compliance wrote nothing to the tenant" "$(sim_writes)" 0
expect_eq "and reports no change" "$(recap_changed "$out/compliance-1.log")" 0
expect_eq "compliance read the users' voice configurations once for the three sites" \
	"$(sim_count_path /admin/teams/userConfigurations)" 1
expect "and removed the tenant snapshot" test ! -e "$XDG_CACHE_HOME/dialtone/contoso.snapshot"
for f in report.json report.md report.html junit.xml; do
	expect "compliance wrote $f" test -s "$out/reports/contoso/$f"
done
# Compliance reads the tenant once: the preflight's bulk read, written to its
# snapshot, serves every site's check, the links of the auto attendants
# included (docs/design/snapshot.md).
compliance_requests=$(sim_requests)
sim_call DELETE /_sim/requests >/dev/null
check "one bulk read of the tenant" \
	ansible -i "$inv" contoso -m dialtone.teams_phone.teams_shared_calling_info -o
bulk_requests=$(sim_requests)
echo "    compliance of 3 sites: $compliance_requests requests; one bulk read: $bulk_requests"
expect "compliance of the three sites costs at most 1.1 x one bulk read ($compliance_requests vs $bulk_requests)" \
	test $((compliance_requests * 10)) -le $((bulk_requests * 11))

# Drift behind the collection's back, as an administrator would make it.
sim_call POST /_sim/edit '{"kind":"policy","type":"TeamsSharedCallingRoutingPolicy","identity":"SC-Seattle","set":{"Description":"edited in the admin center"}}' >/dev/null
sim_call POST /_sim/edit '{"kind":"number","telephoneNumber":"+13125550100","set":{"locationId":null}}' >/dev/null
sim_call DELETE /_sim/requests >/dev/null
check "compliance runs on the drifted tenant" play compliance-2 playbooks/compliance.yml -e "shared_calling_report_dir=$out/reports"
expect_eq "exactly the two drifted objects are reported as drift" \
	"$(report "sorted((o['site'], o['object']) for o in r['objects'] if o['state'] == 'drift')")" \
	"[('chicago', 'shared number'), ('seattle', 'Shared Calling policy')]"
expect_eq "the policy drift shows the description before and after" \
	"$(report "[(d['before'].get('Description'), d['after'].get('Description')) for o in r['objects'] if o['state'] == 'drift' and o['site'] == 'seattle' for d in ([o['diff']] if isinstance(o['diff'], dict) else o['diff'])]")" \
	"[('edited in the admin center', 'Seattle office, shared main line')]"
expect_eq "the number drift shows the emergency location missing and wanted" \
	"$(report "[(d['before'].get('locationId'), d['after'].get('locationId') is not None) for o in r['objects'] if o['state'] == 'drift' and o['site'] == 'chicago' for d in ([o['diff']] if isinstance(o['diff'], dict) else o['diff'])]")" \
	"[(None, True)]"
expect_eq "compliance with drift wrote nothing" "$(sim_writes)" 0
cp "$out/reports/contoso/report.json" "$work/report-snapshot.json"
check "compliance on the drifted tenant without the snapshot" play compliance-2-direct \
	playbooks/compliance.yml -e "shared_calling_report_dir=$work/direct" -e shared_calling_snapshot=
expect_eq "reading every site from the tenant finds the same as reading the snapshot" \
	"$(/usr/bin/python3 - "$work/report-snapshot.json" "$work/direct/contoso/report.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for r in (a, b):
    r.pop("generated", None)
print(a == b)
PY
)" True
check "the drift fails the run when asked" \
	sh -c "! ansible-playbook -i '$inv' playbooks/compliance.yml -e shared_calling_report_dir='$work/r' -e shared_calling_fail_on_drift=true > '$out/compliance-fail.log' 2>&1 && grep -q '2 objects drifted' '$out/compliance-fail.log'"

# A rollout repairs the drift, and compliance agrees.
check "a rollout repairs the drift" play rollout-repair playbooks/rollout.yml
expect_eq "the repair changes exactly the two drifted objects" "$(recap_changed "$out/rollout-repair.log")" 2
check "compliance after the repair" play compliance-repaired playbooks/compliance.yml -e "shared_calling_report_dir=$out/reports"
expect_eq "finds no drift" "$(report "r['summary']['drift']")" 0

# A read that fails is unknown, never drift.
sim_call POST /_sim/faults '{"match":"GET /teams/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy","times":1000,"status":500}' >/dev/null
check "compliance runs while policy reads fail" play compliance-3 playbooks/compliance.yml -e "shared_calling_report_dir=$out/reports"
expect_eq "unreadable policies are unknown" \
	"$(report "sorted(set(o['state'] for o in r['objects'] if o['object'] == 'Shared Calling policy'))")" \
	"['unknown']"
expect_eq "an unknown object is not counted as drift" "$(report "r['summary']['drift']")" 0
sim_call DELETE /_sim/faults >/dev/null

# Headless Chromium reads the HTML report as a person would.
if command -v chromium >/dev/null; then
	chrome() {
		timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$work/chromium" "$@"
	}
	check "the HTML report renders in headless Chromium" \
		chrome --window-size=1280,1600 --screenshot="$out/report.png" "file://$out/reports/contoso/report.html"
	expect "the screenshot was taken" test -s "$out/report.png"
	chrome --dump-dom "file://$out/reports/contoso/report.html" >"$out/report-dom.html" 2>/dev/null
	for s in seattle chicago redmond "Shared Calling policy" unknown drift; do
		expect "the rendered report shows '$s'" grep -q "$s" "$out/report-dom.html"
	done
else
	echo "FAILED: chromium is not installed (make deps installs it)"
fi

# Export, then roll the export out: nothing to change.
check "export writes the tenant as rollout variables" \
	ansible-playbook -i "$inv" playbooks/export.yml -e "shared_calling_export_dir=$out/export"
expect "the export holds the three sites" \
	/usr/bin/python3 -c "import yaml,sys; d=yaml.safe_load(open('$out/export/contoso.yml')); sys.exit(sorted(s['policy']['name'] for s in d['shared_calling_sites']) != ['SC-Chicago','SC-Redmond','SC-Seattle'])"
expect "the export keeps the plan's site labels and personal_number" \
	/usr/bin/python3 -c "import yaml,sys; d=yaml.safe_load(open('$out/export/contoso.yml')); s={x['name']: x for x in d['shared_calling_sites']}; sys.exit(sorted(s) != ['chicago','redmond','seattle'] or s['seattle']['users']['personal_number'] != 'keep')"
sim_call DELETE /_sim/requests >/dev/null
check "a rollout of the export runs" play rollout-export playbooks/rollout.yml -e "@$out/export/contoso.yml"
expect_eq "the rollout of the export changes nothing" "$(recap_changed "$out/rollout-export.log")" 0
expect_eq "and writes nothing" "$(sim_writes)" 0

# Preflight refusals: each stops the run before the first write.
cat >"$work/dup.yml" <<'YML'
shared_calling_sites:
  - name: one
    emergency_address: {description: Seattle office}
    resource_account: {upn: sc-one@contoso.com, usage_location: US}
    number: {number: "+12065550100", type: calling_plan}
    policy: {name: SC-One, emergency_numbers: ["+12065550101"]}
  - name: two
    emergency_address: {description: Chicago office}
    resource_account: {upn: sc-two@contoso.com, usage_location: US}
    number: {number: "+13125550100", type: operator_connect}
    policy: {name: SC-Two, emergency_numbers: ["+1 206 555 0101"]}
YML
sim_call DELETE /_sim/requests >/dev/null
check "preflight refuses a number used by two sites" \
	sh -c "! ansible-playbook -i '$inv' playbooks/rollout.yml -e @'$work/dup.yml' > '$out/preflight-dup.log' 2>&1 && \
	       grep -q 'numbers used twice across sites' '$out/preflight-dup.log' && grep -q '+12065550101' '$out/preflight-dup.log'"
expect_eq "the refused rollout wrote nothing" "$(sim_writes)" 0

/usr/bin/python3 - "$work/demo.json" "$work/short.json" <<'PY'
import json, sys
fx = json.load(open(sys.argv[1]))
for s in fx["skus"]:
    if s["skuPartNumber"] == "PHONESYSTEM_VIRTUALUSER":
        s["enabled"] = 2
json.dump(fx, open(sys.argv[2], "w"))
PY
sim_call POST /_sim/fixture "@$work/short.json" >/dev/null
sim_call DELETE /_sim/requests >/dev/null
check "preflight refuses when the licence pool is too small for every site" \
	sh -c "! ansible-playbook -i '$inv' playbooks/rollout.yml > '$out/preflight-licences.log' 2>&1 && \
	       grep -q 'PHONESYSTEM_VIRTUALUSER needs 3 more, 2 free' '$out/preflight-licences.log'"
expect_eq "the refused rollout wrote nothing" "$(sim_writes)" 0

cat >"$work/bad.yml" <<'YML'
shared_calling_sites:
  - name: incomplete
    emergency_address: {description: Seattle office}
    number: {number: "+12065550100", type: calling_plan}
    policy: {name: SC-X}
YML
check "preflight refuses an incomplete site, naming what is missing" \
	sh -c "! ansible-playbook -i '$inv' playbooks/rollout.yml -e @'$work/bad.yml' > '$out/preflight-bad.log' 2>&1 && \
	       grep -q 'shared_calling_site_resource_account' '$out/preflight-bad.log'"
expect_eq "the refused rollout wrote nothing" "$(sim_writes)" 0

exit $SCENARIO_STATUS
