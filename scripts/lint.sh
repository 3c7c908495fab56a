#!/usr/bin/env bash
# make lint: yamllint on the collection's YAML and ansible-lint (production
# profile) on its roles and playbooks. Prints one "ok: ..." or "FAILED: ..."
# line per linter (the test runner counts them) and exits 1 on any finding.
set -u
cd "$(dirname "$0")/.." || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-lint.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0

yaml=(roles playbooks meta examples tests galaxy.yml execution-environment.yml .yamllint .ansible-lint)
if yamllint -s -f parsable "${yaml[@]}" >"$work/yamllint.txt" 2>&1; then
	echo "ok: yamllint ${yaml[*]}"
else
	cat "$work/yamllint.txt"
	echo "FAILED: yamllint: $(grep -c . "$work/yamllint.txt") findings"
	status=1
fi

# ansible-lint resolves the collection's own roles and modules by name.
mkdir -p "$work/collections/ansible_collections/dialtone"
ln -s "$(pwd)" "$work/collections/ansible_collections/dialtone/teams_phone"
if ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
	ANSIBLE_LOCAL_TEMP=$work/local NO_COLOR=1 \
	ansible-lint -q --nocolor --offline -p roles playbooks >"$work/ansible-lint.txt" 2>&1; then
	echo "ok: ansible-lint --profile production roles playbooks"
else
	cat "$work/ansible-lint.txt"
	echo "FAILED: ansible-lint: $(grep -c . "$work/ansible-lint.txt") findings"
	status=1
fi
exit $status
