#!/usr/bin/env bash
# Runs one integration target against its own tenant simulator:
#   tests/integration/run-target.sh NAME [ansible-playbook options]
# The target's tasks/main.yml runs on localhost (connection local) with the
# collection from this checkout; the simulator loads targets/NAME/fixture.json
# when it exists, else its default tenant. Variables for the tasks:
#   sim_url      the simulator's base URL (control API at {{ sim_url }}/_sim/)
#   target_dir   the target's folder
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
name=${1:?usage: run-target.sh NAME}
shift
target=$ROOT/tests/integration/targets/$name
[ -f "$target/tasks/main.yml" ] || { echo "no target $name"; exit 2; }

. scripts/lib-sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-it.XXXXXX")
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT

fixture=()
[ -f "$target/fixture.json" ] && fixture=(--fixture "$target/fixture.json")
# shellcheck disable=SC2086
sim_start "$work" "${fixture[@]}" ${SIM_ARGS:-} || exit 1
url=$SIM_URL
sim_env
ansible_env "$work"
export DIALTONE_TEST_BACKOFF_SCALE=${DIALTONE_TEST_BACKOFF_SCALE:-0.01}
export ANSIBLE_NOCOLOR=1

cat >"$work/play.yml" <<PLAY
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: /usr/bin/python3
    sim_url: "$url"
    target_dir: "$target"
    work_dir: "$work"
  tasks:
    - ansible.builtin.include_tasks: "$target/tasks/main.yml"
PLAY
ansible-playbook -i localhost, "$work/play.yml" "$@"
