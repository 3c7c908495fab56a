#!/usr/bin/env bash
# The collection as users get it: build the Galaxy tarball from this checkout
# (modules already built by make), install it into a private path, show every
# module's documentation with ansible-doc, and run a module from the installed
# copy against the tenant simulator. Prints one line per check; exit 0 when
# all passed.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
. scripts/lib-sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-pkg.XXXXXX")
cleanup() {
	sim_stop
	rm -rf "$work"
}
trap cleanup EXIT
status=0
check() {
	local what=$1
	shift
	if "$@" >"$work/last.log" 2>&1; then
		echo "ok: $what"
	else
		echo "FAILED: $what"
		sed 's/^/    /' "$work/last.log"
		status=1
	fi
}

export ANSIBLE_LOCAL_TEMP=$work/ansible-local
export ANSIBLE_NOCOLOR=1
check "ansible-galaxy collection build" \
	ansible-galaxy collection build --output-path "$work" "$ROOT"
tarball=$(ls "$work"/dialtone-teams_phone-*.tar.gz 2>/dev/null | head -n 1)
check "the tarball holds no object files, test output or build tree" \
	sh -c "! tar -tzf '$tarball' | grep -E '(\\.o|\\.a)\$|^tests/output/|^build/'"
check "the tarball holds every built module" \
	sh -c "for m in $(sed -n 's/^    - \(teams_[a-z_]*\).*/\1/p' meta/runtime.yml | tr '\n' ' '); do tar -tzf '$tarball' | grep -qx \"plugins/modules/\$m\" || { echo \"missing \$m\"; exit 1; }; done"
check "ansible-galaxy collection install" \
	ansible-galaxy collection install -p "$work/installed" "$tarball"
export ANSIBLE_COLLECTIONS_PATH=$work/installed
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

for m in $(sed -n 's/^    - \(teams_[a-z_]*\).*/\1/p' meta/runtime.yml); do
	[ -f "plugins/modules/$m.py" ] || continue
	check "ansible-doc dialtone.teams_phone.$m" \
		sh -c "ansible-doc dialtone.teams_phone.$m | grep -q 'OPTIONS'"
done

sim_start "$work" || exit 1
sim_env
check "teams_tenant_info runs from the installed collection" \
	sh -c "ansible localhost -c local -e ansible_python_interpreter=/usr/bin/python3 \
		-m dialtone.teams_phone.teams_tenant_info -a 'gather=licenses' | grep -q PHONESYSTEM_VIRTUALUSER"
exit $status
