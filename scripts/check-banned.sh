#!/bin/sh
# Rejects the C functions STYLE.md bans, and stdout writers outside result.c
# (stdout carries exactly one JSON object,
# written by core_print_line()).
set -u
cd "$(dirname "$0")/.." || exit 2
status=0
hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|sscanf)[[:space:]]*\(' \
	core/*.c core/*.h modules/*.c 2>/dev/null)
if [ -n "$hits" ]; then
	echo "banned functions in use:"
	echo "$hits"
	status=1
fi
hits=$(grep -nE '(^|[^x])\bqsort[[:space:]]*\(' core/*.c modules/*.c 2>/dev/null | grep -v '^core/core\.c:')
if [ -n "$hits" ]; then
	echo "qsort() where xqsort() belongs (an empty array may have a NULL base):"
	echo "$hits"
	status=1
fi
hits=$(grep -nE '(\bprintf[[:space:]]*\(|\bputs[[:space:]]*\(|\bputchar[[:space:]]*\(|fprintf[[:space:]]*\([[:space:]]*std(out|err)|fputs[[:space:]]*\([^;]*std(out|err)|perror[[:space:]]*\()' \
	core/*.c modules/*.c 2>/dev/null | grep -v '^core/core\.c:')
if [ -n "$hits" ]; then
	echo "stdout/stderr writes outside core_print_line() in core/core.c:"
	echo "$hits"
	status=1
fi
if ! scripts/check-layers.sh; then
	echo "a core unit includes a header of a higher layer (docs/design/layers.md)"
	status=1
fi
exit $status
