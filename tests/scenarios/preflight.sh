#!/usr/bin/env bash
# The plan-level preflight and compliance on the demo tenant:
#   --check --diff of the whole rollout on a fresh tenant (succeeds, no
#   writes); each of the seed article's six common mistakes written into one
#   site of the plan (refused before the first write, the message naming the
#   mistake and the site, in --check too); several mistakes at once (all
#   listed); a group site with personal_number: fail (group members
#   checked); then a rollout, several drifts at different levels made
#   behind the collection's back (each reported with its field, expected and
#   actual value), the repair, and a group site rolled out (enterprise voice
#   on for every member).
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
out=$ROOT/tests/output/scenario-preflight
rm -rf "$out"
mkdir -p "$out"

/usr/bin/python3 tests/tenantsim/genfixture.py --demo -o "$work/demo.json" || exit 1
sim_start "$work" --fixture "$work/demo.json" || exit 1
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

# The quickstart's "check for yourself" on a fresh tenant.
sim_call DELETE /_sim/requests >/dev/null
check "rollout --check --diff on the fresh demo tenant succeeds" play check-fresh playbooks/rollout.yml --check --diff
expect_eq "and writes nothing" "$(sim_writes)" 0
expect "it shows the resource accounts it would create" grep -q 'sc-redmond@contoso.com' "$out/check-fresh.log"

# The seed article's six common mistakes, one at a time, in an otherwise good plan.
names=("" "no emergency address" "personal number" "voice routing policy" "not licensed" "pay-as-you-go" "callback number")
for m in 1 2 3 4 5 6; do
	site=$(/usr/bin/python3 tests/scenarios/mistake_plan.py "$m" "$work/mistake$m.yml") || exit 1
	sim_call DELETE /_sim/requests >/dev/null
	check "mistake $m (${names[$m]}): the rollout is refused" \
		sh -c "! ansible-playbook -i '$inv' playbooks/rollout.yml -e @'$work/mistake$m.yml' > '$out/mistake$m.log' 2>&1"
	expect "mistake $m: the message names the mistake and the site '$site'" \
		grep -q "site '$site', seed article mistake $m " "$out/mistake$m.log"
	expect_eq "mistake $m: nothing was written" "$(sim_writes)" 0
	check "mistake $m: --check --diff shows the same problem" \
		sh -c "! ansible-playbook -i '$inv' playbooks/rollout.yml --check --diff -e @'$work/mistake$m.yml' > '$out/mistake$m-check.log' 2>&1 && \
		       grep -q \"site '$site', seed article mistake $m \" '$out/mistake$m-check.log'"
	expect_eq "mistake $m: the check wrote nothing" "$(sim_writes)" 0
done

# Several mistakes in several sites: every one listed at once.
/usr/bin/python3 - "$work/many.yml" <<'PY'
import sys, yaml
plan = yaml.safe_load(open("playbooks/demo/host_vars/contoso.yml"))
s = {x["name"]: x for x in plan["shared_calling_sites"]}
s["seattle"]["emergency_address"] = {"description": "Seattle annex"}
s["chicago"]["resource_account"].pop("licenses")
s["redmond"]["resource_account"].pop("voice_routing_policy")
s["chicago"]["users"]["members"] = ["user101@contoso.com", "user001@contoso.com"]
yaml.safe_dump(plan, open(sys.argv[1], "w"), sort_keys=False)
PY
sim_call DELETE /_sim/requests >/dev/null
check "a plan with three mistakes in three sites and a user in two sites is refused" \
	sh -c "! ansible-playbook -i '$inv' playbooks/rollout.yml -e @'$work/many.yml' > '$out/many.log' 2>&1"
for want in "site 'seattle', seed article mistake 1 " "site 'chicago', seed article mistake 4 " "site 'redmond', seed article mistake 3 " "site 'chicago': 'user001@contoso.com' is a member of site 'seattle' too" "the plan has 4 problems"; do
	expect "the refusal lists \"$want\"" grep -q "$want" "$out/many.log"
done
expect_eq "the refused plan wrote nothing" "$(sim_writes)" 0

# A group site: the group's members are checked like direct members.
group=$(/usr/bin/python3 -c "import json,sys; print([g['id'] for g in json.load(open(sys.argv[1]))['groups'] if g['displayName'].startswith('Seattle')][0])" "$work/demo.json")
/usr/bin/python3 - "$work/group.yml" "$group" fail <<'PY'
import sys, yaml
plan = yaml.safe_load(open("playbooks/demo/host_vars/contoso.yml"))
s = {x["name"]: x for x in plan["shared_calling_sites"]}
s["seattle"]["users"] = {"group": {"id": sys.argv[2], "rank": 1}, "voice_routing_policy": "SC-Users-NoPstn",
                         "emergency_call_routing_policy": "SC-ECRP-CallingPlan", "personal_number": sys.argv[3]}
yaml.safe_dump(plan, open(sys.argv[1], "w"), sort_keys=False)
PY
sim_call DELETE /_sim/requests >/dev/null
check "a group site with personal_number: fail and members with personal numbers is refused" \
	sh -c "! ansible-playbook -i '$inv' playbooks/rollout.yml -e @'$work/group.yml' > '$out/group-fail.log' 2>&1 && \
	       grep -q \"site 'seattle', seed article mistake 2 .*'user006@contoso.com'\" '$out/group-fail.log'"
expect_eq "the refused group site wrote nothing" "$(sim_writes)" 0

# The demo rollout, then drift at several levels behind the collection's back.
check "rollout of the three sites" play rollout-1 playbooks/rollout.yml
sim_call DELETE /_sim/requests >/dev/null
check "a second rollout runs" play rollout-2 playbooks/rollout.yml
expect_eq "the second rollout changes nothing" "$(recap_changed "$out/rollout-2.log")" 0
expect_eq "and writes nothing" "$(sim_writes)" 0

sim_call POST /_sim/edit '{"kind":"policy","type":"OnlineVoiceRoutingPolicy","identity":"SC-Users-NoPstn","set":{"Description":"edited"}}' >/dev/null
sim_call POST /_sim/edit '{"kind":"user","id":"sc-chicago@contoso.com","set":{"displayName":"Chicago (edited)"}}' >/dev/null
sim_call POST /_sim/edit '{"kind":"number","telephoneNumber":"+13125550100","set":{"locationId":null}}' >/dev/null
sim_call POST /_sim/edit '{"kind":"policy","type":"TeamsSharedCallingRoutingPolicy","identity":"SC-Chicago","set":{"EmergencyNumbers":[]}}' >/dev/null
sim_call POST /_sim/edit '{"kind":"user","id":"user105@contoso.com","set":{"isEnterpriseVoiceEnabled":false}}' >/dev/null
# An administrator removes one user's grant (a real write, as the admin center makes it).
check "a user's grant is removed behind the collection's back" \
	ansible localhost -m dialtone.teams_phone.teams_user_voice -a '{"users": ["user110@contoso.com"], "shared_calling_policy": "", "wait": true}'
sim_call DELETE /_sim/requests >/dev/null
check "compliance runs on the drifted tenant" play compliance-drift playbooks/compliance.yml -e "shared_calling_report_dir=$out/reports"
expect_eq "every drift is reported, each at its own level, and nothing is pending" \
	"$(report "sorted((o['site'], o['object']) for o in r['objects'] if o['state'] == 'drift')" "r['summary']['pending']")" \
	"[('(tenant)', 'voice routing policy'), ('chicago', 'Shared Calling policy'), ('chicago', 'resource account'), ('chicago', 'shared number'), ('chicago', 'users')]
0"
expect_eq "each drift names the field, the expected and the actual value" \
	"$(report "sorted((o['object'], c['field'], c['expected'] is not None, c['actual']) for o in r['objects'] if o['state'] == 'drift' for c in o['changes'])")" \
	"[('Shared Calling policy', 'EmergencyNumbers', True, []), ('resource account', 'displayName', True, 'Chicago (edited)'), ('shared number', 'locationId', True, None), ('users', 'user105@contoso.com: isEnterpriseVoiceEnabled', True, False), ('users', 'user110@contoso.com: TeamsSharedCallingRoutingPolicy', True, 'Global'), ('voice routing policy', 'Description', True, 'edited')]"
expect_eq "compliance wrote nothing" "$(sim_writes)" 0
check "a rollout repairs every drift" play rollout-repair playbooks/rollout.yml
check "compliance after the repair" play compliance-repaired playbooks/compliance.yml -e "shared_calling_report_dir=$out/reports"
expect_eq "finds no drift, nothing pending or unknown" \
	"$(report "r['summary']['drift']" "r['summary']['pending']" "r['summary']['unknown']" | tr '\n' ' ')" "0 0 0 "

# A group site rolled out: personal numbers released, enterprise voice on for every member.
/usr/bin/python3 - "$work/group.yml" "$group" remove <<'PY'
import sys, yaml
plan = yaml.safe_load(open("playbooks/demo/host_vars/contoso.yml"))
s = {x["name"]: x for x in plan["shared_calling_sites"]}
s["seattle"]["users"] = {"group": {"id": sys.argv[2], "rank": 1}, "voice_routing_policy": "SC-Users-NoPstn",
                         "emergency_call_routing_policy": "SC-ECRP-CallingPlan", "personal_number": sys.argv[3]}
yaml.safe_dump(plan, open(sys.argv[1], "w"), sort_keys=False)
PY
# Two members with enterprise voice turned off since: the group site turns it on for them.
for u in user003 user050; do
	sim_call POST /_sim/edit "{\"kind\":\"user\",\"id\":\"$u@contoso.com\",\"set\":{\"isEnterpriseVoiceEnabled\":false}}" >/dev/null
done
check "a group site rolls out" play group-rollout playbooks/rollout.yml -e "@$work/group.yml"
sim_call GET /_sim/state >"$work/state.json"
expect_eq "every member of the group has enterprise voice on and no personal number" \
	"$(/usr/bin/python3 - "$work/state.json" "$work/demo.json" <<'PY'
import json, sys
st, fx = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
members = [g for g in fx["groups"] if g["displayName"].startswith("Seattle")][0]["members"]
users = {u["id"]: u for u in st["users"]} if isinstance(st["users"], list) else st["users"]
off = [m for m in members if not users[m].get("isEnterpriseVoiceEnabled")]
nums = [n for n in (st["numbers"] if isinstance(st["numbers"], list) else st["numbers"].values())
        if n.get("assignedTo") in members or n.get("assignmentTargetId") in members]
print(len(members), len(off), len(nums))
PY
)" "100 0 0"
sim_call DELETE /_sim/requests >/dev/null
check "the group site again" play group-rollout-2 playbooks/rollout.yml -e "@$work/group.yml"
expect_eq "changes nothing" "$(recap_changed "$out/group-rollout-2.log")" 0
expect_eq "and writes nothing" "$(sim_writes)" 0

exit $SCENARIO_STATUS
