#!/bin/sh
# Checks that libaccel exports exactly its public API: every ACCEL_API
# function of libaccel/include/accel.h is named in a version node of
# libaccel/libaccel.map, the map names nothing else, and the built library's
# dynamic symbol table (nm -D) defines exactly those functions. A function
# added to the header but not to the map, or a helper that leaked out, fails
# the build with its name.
#
# Usage: scripts/check-libaccel-exports.sh HEADER MAP LIBRARY
set -eu
header=$1
map=$2
lib=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Declarations may wrap after the return type: drop comments and
# preprocessor lines, then take the identifier before the "(" of each
# ACCEL_API declaration.
perl -0777 -ne 's{/\*.*?\*/}{}gs; s{^[ \t]*#.*$}{}gm;
	print "$1\n" while /\bACCEL_API\b[^;(]*?\b([A-Za-z_]\w*)\s*\(/g' "$header" |
	sort -u >"$tmp/header"
# The map's names: lines "name;" inside the global: parts, no wildcards.
sed 's,/\*.*\*/,,' "$map" | grep -E '^[[:space:]]*[A-Za-z_*][A-Za-z0-9_*]*;' |
	sed 's/[[:space:]]//g; s/;$//' | grep -v '^\*$' | sort >"$tmp/map.all"
sort -u "$tmp/map.all" >"$tmp/map"
nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "W" || $2 == "D" || $2 == "B" || $2 == "R" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/lib"

status=0
if grep -q '[*?]' "$tmp/map"; then
	echo "$map: a pattern instead of a name: $(grep '[*?]' "$tmp/map" | tr '\n' ' ')" >&2
	status=1
fi
dups=$(uniq -d "$tmp/map.all")
if [ -n "$dups" ]; then
	echo "$map: listed in more than one node: $dups" >&2
	status=1
fi
missing=$(comm -23 "$tmp/header" "$tmp/map")
if [ -n "$missing" ]; then
	echo "$map: ACCEL_API functions of $header not listed: $missing" >&2
	status=1
fi
extra=$(comm -13 "$tmp/header" "$tmp/map")
if [ -n "$extra" ]; then
	echo "$map: names no ACCEL_API function of $header: $extra" >&2
	status=1
fi
unlisted=$(comm -13 "$tmp/map" "$tmp/lib")
if [ -n "$unlisted" ]; then
	echo "$lib: exports symbols the map does not list: $unlisted" >&2
	status=1
fi
absent=$(comm -23 "$tmp/map" "$tmp/lib")
if [ -n "$absent" ]; then
	echo "$lib: does not define listed functions: $absent" >&2
	status=1
fi
exit $status
