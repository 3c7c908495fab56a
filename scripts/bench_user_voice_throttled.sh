#!/usr/bin/env bash
# Benchmark of teams_user_voice under throttling at Microsoft's published
# rates, default options (pacing on): the 2,000-user task of
# bench_grants.sh with the simulator's --throttle. Prints the share of
# requests answered 429 and the wall time over the floor (writes divided by
# the allowed rate); never passes or fails on time.
#
#   scripts/bench_user_voice_throttled.sh [USERS] [MAX_CONCURRENCY] [WRITE_LATENCY_MS]
set -u
cd "$(dirname "$0")/.." || exit 2
THROTTLE=1 exec scripts/bench_grants.sh "$@"
