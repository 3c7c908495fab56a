#!/usr/bin/env bash
# The fuzz layer of tests/run.sh: a short run (FUZZ_SECONDS, default 60) of
# tests/fuzz/fuzz.py against the sanitizer build in build/sanitize/bin.
cd "$(dirname "$0")/../.." || exit 2
exec /usr/bin/python3 tests/fuzz/fuzz.py --seconds "${FUZZ_SECONDS:-60}" \
	--modules build/sanitize/bin --out tests/output/fuzz
