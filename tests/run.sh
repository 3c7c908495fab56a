#!/usr/bin/env bash
# Runs the test layers of dialtone.teams_phone and ends with one line
# "N passed, N failed". Exit status 0 only when nothing failed.
#
#   tests/run.sh                 every layer
#   tests/run.sh unit sim        only the named layers
#     static       banned C functions and stdout writers
#     docs         each module's documentation stub against its argument table
#     lint         yamllint and ansible-lint on the roles and playbooks (make lint)
#     unit         Criterion suites of core/ (tests/unit)
#     sim          Criterion suites of core/ against the simulator (tests/sim)
#     simulator    the tenant simulator's own unittest suite
#     inputs       every module with null options and malformed names (tests/fuzz/inputs.py)
#     fuzz         a short argument and response fuzzing run of the sanitizer build
#                  (build/sanitize; FUZZ_SECONDS, default 60 here, 600 in make fuzz)
#     integration  each tests/integration/targets/NAME through ansible-playbook
#     scenarios    the roles and playbooks end to end (tests/scenarios/*.sh)
#     packaging    the Galaxy tarball builds, installs, documents and runs
#     secrets      no secret used by the tests appears in any test output
#     sanitizers   no AddressSanitizer/UBSan report from any process (SANITIZE=...)
#
# VALGRIND=1 runs the Criterion suites under valgrind. Logs: tests/output/.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
OUT=$ROOT/tests/output
mkdir -p "$OUT"
PYTHON=/usr/bin/python3

# Under make SANITIZE=..., every sanitizer report (modules run by Ansible
# included, whose stderr nobody reads) lands here; the last layer fails on any.
rm -rf "$OUT/sanitizers"
mkdir -p "$OUT/sanitizers"
export ASAN_OPTIONS="log_path=$OUT/sanitizers/asan:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$OUT/sanitizers/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

passed=0
failed=0
failures=()

note_pass() { passed=$((passed + ${1:-1})); }
note_fail() { failed=$((failed + ${2:-1})); failures+=("$1"); }

layers=("$@")
[ ${#layers[@]} -eq 0 ] && layers=(static docs lint unit sim simulator inputs fuzz integration scenarios packaging secrets sanitizers)

# Criterion prints "[====] Synthesis: Tested: N | Passing: P | Failing: F | Crashing: C".
run_criterion() {
	local bin=$1 name log line p f c
	name=$(basename "$bin")
	log=$OUT/$name.log
	if [ "${VALGRIND:-}" = 1 ]; then
		valgrind --quiet --trace-children=yes --trace-children-skip='*python*' --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --suppressions="$ROOT/tests/valgrind.supp" \
			"$bin" --jobs 1 >"$log" 2>&1
	else
		"$bin" >"$log" 2>&1
	fi
	local rc=$?
	line=$(grep -a 'Synthesis:' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		note_fail "$name: no Criterion summary (exit $rc), see $log"
		return
	fi
	p=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$line")
	f=$(sed -E 's/.*Failing: ([0-9]+).*/\1/' <<<"$line")
	c=$(sed -E 's/.*Crashing: ([0-9]+).*/\1/' <<<"$line")
	note_pass "$p"
	if [ "$f" -gt 0 ] || [ "$c" -gt 0 ]; then
		note_fail "$name: $f failing, $c crashing, see $log" $((f > 0 ? f : c))
	elif [ $rc -ne 0 ]; then
		note_fail "$name: exit $rc (valgrind or sanitizer report?), see $log"
	fi
	printf '%-34s %s\n' "$name" "${line#*Synthesis: }"
}

layer_static() {
	if scripts/check-banned.sh >"$OUT/static.log" 2>&1; then
		note_pass; echo "static: banned functions: none"
	else
		note_fail "static: banned functions, see $OUT/static.log"; cat "$OUT/static.log"
	fi
	if /usr/bin/python3 scripts/wire_doc.py --check >"$OUT/static-wire.log" 2>&1; then
		note_pass; echo "static: docs/wire.md matches the route table"
	else
		note_fail "static: docs/wire.md differs from core/routes.c, see $OUT/static-wire.log"
		cat "$OUT/static-wire.log"
	fi
}

layer_criterion() {
	local dir=$1 src bin
	for src in "$dir"/test_*.c; do
		[ -e "$src" ] || continue
		bin=build/tests/$(basename "$src" .c)
		if [ ! -x "$bin" ]; then
			note_fail "$bin was not built"
			continue
		fi
		run_criterion "$bin"
	done
}

# Each module's ansible-doc documentation against its own argument table.
layer_docs() {
	local log=$OUT/docs.log line p f
	$PYTHON tests/docs/check_docs.py >"$log" 2>&1
	line=$(grep -a '^docs: ' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		note_fail "docs: no summary, see $log"
		return
	fi
	echo "$line"
	read -r _ p _ f _ <<<"$line"
	note_pass "$p"
	[ "$f" -gt 0 ] && { note_fail "docs: $f modules differ from their documentation, see $log" "$f"; grep -v '^docs: ' "$log" | sed 's|^|    |'; }
	return 0
}

layer_simulator() {
	local log=$OUT/simulator.log line
	[ -d tests/tenantsim ] || return
	$PYTHON tests/tenantsim/run_tests.py >"$log" 2>&1
	line=$(grep -a '^simulator: ' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		note_fail "simulator suite: no summary, see $log"
		return
	fi
	echo "$line"
	read -r _ p _ f _ <<<"$line"
	note_pass "$p"
	[ "$f" -gt 0 ] && note_fail "simulator suite: $f failed, see $log" "$f"
	return 0
}

layer_integration() {
	local t name
	for t in tests/integration/targets/*/; do
		[ -d "$t" ] || continue
		name=$(basename "$t")
		if tests/integration/run-target.sh "$name" >"$OUT/integration-$name.log" 2>&1; then
			note_pass; printf '%-34s ok\n' "integration/$name"
		else
			note_fail "integration/$name, see $OUT/integration-$name.log"
			printf '%-34s FAILED\n' "integration/$name"
		fi
	done
}

# A script printing one "ok: ..." or "FAILED: ..." line per check.
layer_checks() {
	local name=$1 script=$2 log n f rc
	log=$OUT/$name.log
	"$script" >"$log" 2>&1
	rc=$?
	n=$(grep -c '^ok: ' "$log")
	f=$(grep -c '^FAILED: ' "$log")
	note_pass "$n"
	[ "$f" -gt 0 ] && note_fail "$name: $f checks failed, see $log" "$f"
	[ "$f" -eq 0 ] && [ "$rc" -ne 0 ] && note_fail "$name: exit $rc, see $log" && f=1
	printf '%-34s %s\n' "$name" "$n ok, $f failed"
	grep '^FAILED: ' "$log" | sed "s|^|    |"
	return 0
}

# The sanitizer build lives in build/sanitize, apart from the normal one.
layer_fuzz() {
	if ! make --no-print-directory fuzz-build >"$OUT/fuzz-build.log" 2>&1; then
		note_fail "fuzz: the sanitizer build failed, see $OUT/fuzz-build.log"
		return
	fi
	layer_checks fuzz tests/fuzz/fuzz-run.sh
}

layer_scenarios() {
	local s
	for s in tests/scenarios/*.sh; do
		[ "$(basename "$s")" = lib.sh ] && continue
		layer_checks "scenario-$(basename "$s" .sh)" "$s"
	done
}

# No sanitizer report from any process of the run.
layer_sanitizers() {
	local reports
	reports=$(find "$OUT/sanitizers" -type f 2>/dev/null | head -n 20)
	if [ -z "$reports" ]; then
		note_pass; echo "sanitizers: no report"
	else
		note_fail "sanitizers: reports in $OUT/sanitizers: $(echo "$reports" | tr '\n' ' ')"
		head -n 30 $reports
	fi
}

# Every secret the tests use; none may appear in any log or artifact.
layer_secrets() {
	local s hits=""
	for s in sim-Secret-4f9a7Qx2 sim-Secret-readonly-8k2 test-Cert-Pass-71c 'unit-Secret-9Zx+/=&' \
		unit-Svc-Secret-3Kq8 wrong-Secret-0000 wrong-Secret-x9 sim-Secret-nouserwrite-5c1; do
		hits+=$(grep -rlaF -- "$s" "$OUT" --exclude=secrets.log 2>/dev/null)
	done
	if [ -z "$hits" ]; then
		note_pass; echo "secrets: no test secret in tests/output"
	else
		echo "$hits" >"$OUT/secrets.log"
		note_fail "secrets: a test secret appears in: $(tr '\n' ' ' <"$OUT/secrets.log")"
	fi
}

for layer in "${layers[@]}"; do
	case $layer in
	static) layer_static ;;
	docs) layer_docs ;;
	lint) layer_checks lint scripts/lint.sh ;;
	unit) layer_criterion tests/unit ;;
	sim) layer_criterion tests/sim ;;
	simulator) layer_simulator ;;
	inputs) layer_checks inputs tests/fuzz/inputs.py ;;
	fuzz) layer_fuzz ;;
	integration) layer_integration ;;
	packaging) layer_checks packaging tests/packaging/run.sh ;;
	scenarios) layer_scenarios ;;
	secrets) layer_secrets ;;
	sanitizers) layer_sanitizers ;;
	*) echo "unknown layer '$layer'"; exit 2 ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
