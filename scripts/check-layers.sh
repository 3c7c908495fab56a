#!/usr/bin/env bash
# Each core unit includes only headers of its own layer or of a lower one
# (docs/design/layers.md): the core is a stack that only calls down.
set -u
cd "$(dirname "$0")/.." || exit 2
declare -A layer=(
	[core]=0 [buf]=0 [e164]=0 [jsonutil]=0 [cj]=0 [userindex]=0 [text]=0
	[args]=1 [aacodec]=1 [result]=1 [reconcile]=1 [http]=1 [wirelog]=1 [pace]=1 [snapshot]=1
	[auth]=2 [svc]=2 [svc_internal]=2 [argspec]=1
	[args_internal]=1 [argcoerce]=1 [argcheck]=1
	[graph]=3 [teamsadmin]=3 [routes]=3 [perm]=3
	[tenant]=4 [numbers]=4 [policies]=4 [callrecords]=4 [scrules]=4 [policyassign]=4 [probe]=4
	[module]=5 [module_main]=5 [modutil]=5
)
status=0
for f in core/*.c core/*.h; do
	unit=$(basename "${f%.*}")
	own=${layer[$unit]-}
	if [ -z "$own" ]; then
		echo "$f: unit '$unit' has no layer in scripts/check-layers.sh (and docs/design/layers.md)"
		status=1
		continue
	fi
	while read -r hdr; do
		dep=${hdr%.h}
		[ "$dep" = "$unit" ] && continue
		theirs=${layer[$dep]-}
		if [ -z "$theirs" ]; then
			echo "$f includes $hdr, which has no layer"
			status=1
		elif [ "$theirs" -gt "$own" ]; then
			echo "$f (layer $own) includes $hdr (layer $theirs): the core only calls down"
			status=1
		fi
	done < <(sed -nE 's/^#include "([a-z_0-9]+\.h)".*/\1/p' "$f")
done
exit $status
