#!/bin/sh
# Prints the path under which the QEMU guest (scripts/vm-run.sh) sees the
# ONNX model MODEL, copying it first when the guest cannot see it where it
# is. The guest shares the host's root at the same paths, except /tmp,
# /dev, /proc and /sys, which are its own; this tree is shared at its own
# path wherever it is (vm-run.sh mounts it separately, so a clone in /tmp
# is visible too). A model elsewhere under /tmp, /dev, /proc or /sys (or
# reached through a symbolic link into them) is copied, with the
# external-data files its tensors name, into DEST, the run's folder in
# this tree.
# A relative MODEL is taken from the current directory.
#
# Usage: scripts/stage-model.sh MODEL DEST
# Exit status: 0, or 2 with the reason on stderr (no such file, not
# readable, an external-data file missing or outside the model's folder).
set -u
model=$1
dest=$2
if [ ! -e "$model" ]; then
	echo "main job: MODEL=$model: no such file" >&2
	exit 2
fi
if [ ! -f "$model" ] || [ ! -r "$model" ]; then
	echo "main job: MODEL=$model: not a readable file" >&2
	exit 2
fi
abs=$(realpath -e -- "$model") || exit 2
tree=$(cd "$(dirname "$0")/.." && pwd -P)
case "$abs" in
"$tree"/*)
	printf '%s\n' "$abs"
	exit 0
	;;
/tmp/* | /dev/* | /proc/* | /sys/*) ;;
*)
	printf '%s\n' "$abs"
	exit 0
	;;
esac
# The external-data files the model's tensors name (onnx, Debian's
# python3-onnx, reads the graph without loading the data).
files=$(/usr/bin/python3 - "$abs" <<'PY'
import sys

import onnx

m = onnx.load(sys.argv[1], load_external_data=False)
seen = set()


def tensors(g):
    yield from g.initializer
    for n in g.node:
        for a in n.attribute:
            if a.HasField("t"):
                yield a.t
            yield from a.tensors
            if a.HasField("g"):
                yield from tensors(a.g)
            for sg in a.graphs:
                yield from tensors(sg)


for t in tensors(m.graph):
    if t.data_location == onnx.TensorProto.EXTERNAL:
        for e in t.external_data:
            if e.key == "location" and e.value not in seen:
                seen.add(e.value)
                print(e.value)
PY
) || {
	echo "main job: MODEL=$model: onnx cannot read it as a model" >&2
	exit 2
}
src_dir=$(dirname "$abs")
rm -rf "$dest"
mkdir -p "$dest" || exit 2
cp -- "$abs" "$dest/" || exit 2
printf '%s\n' "$files" | while IFS= read -r f; do
	[ -n "$f" ] || continue
	case "$f" in
	/* | ../* | */../* | ..)
		echo "main job: MODEL=$model: external data \"$f\" is outside the model's folder" >&2
		exit 2
		;;
	esac
	if [ ! -f "$src_dir/$f" ]; then
		echo "main job: MODEL=$model: its external data file $src_dir/$f is missing" >&2
		exit 2
	fi
	mkdir -p "$dest/$(dirname "$f")" && cp -- "$src_dir/$f" "$dest/$f" || exit 2
done || exit 2
echo "main job: the guest has its own /tmp: copied $abs${files:+ and its external data} into $dest" >&2
printf '%s\n' "$dest/$(basename "$abs")"
