#!/usr/bin/env bash
# make bench: every benchmark, one after the other, against local tenant
# simulators. Each prints its figures (requests, requests in flight, wall
# time); none passes or fails on time.
set -u
cd "$(dirname "$0")/.." || exit 2
status=0
for b in scripts/bench_*.sh; do
	[ -x "$b" ] || continue
	printf '\n== %s\n' "$b"
	"$b" || status=1
done
exit $status
