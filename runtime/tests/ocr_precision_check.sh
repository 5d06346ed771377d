#!/bin/sh
# OCR in the reduced-precision mode reads what f32 reads: each line below
# (the line `make run` renders, then more with lowercase, digits and
# punctuation) is rendered as `make run` renders it
# (tests/models/make-inputs.py --image-only: DejaVu Sans 40 px), read by
# ares-ocr (detector, classifier, recognizer) in f32 and with --precision
# PREC; the two texts must be equal on every line, and on the line `make
# run` uses both must be the line rendered. (f32 itself misreads some
# lines, e.g. "flo0r" for "floor": the mode must read what f32 reads.)
# Usage: ocr_precision_check.sh BUILD OCR_ASSETS WORKDIR PREC [--cpu]
set -u
here=$(cd "$(dirname "$0")" && pwd)
B=$1 M=$2 T=$3 PREC=$4 WHERE=${5:-}
fail=0
i=0
mkdir -p "$T"
while IFS= read -r line; do
	i=$((i + 1))
	/usr/bin/python3 "$here/../../tests/models/make-inputs.py" "$T/$i" "$line" --image-only \
		>/dev/null || exit 1
	# shellcheck disable=SC2086 # WHERE is empty or one word
	f32=$("$B/bin/ares-ocr" $WHERE "$M" "$T/$i/text.ppm" | sed -n 's/^ares-ocr: text: //p')
	# shellcheck disable=SC2086
	red=$("$B/bin/ares-ocr" $WHERE --precision "$PREC" "$M" "$T/$i/text.ppm" |
		sed -n 's/^ares-ocr: text: //p')
	if [ "$red" = "$f32" ] && { [ $i -gt 1 ] || [ "$f32" = "$line" ]; }; then
		echo "ok   $PREC \"$line\": f32 and $PREC read \"$f32\""
	else
		echo "FAIL $PREC rendered \"$line\", f32 read \"$f32\", $PREC read \"$red\""
		fail=1
	fi
done <<'LINES'
Ares NPU 2026
hello world
the quick brown fox, 42 jumps!
pay $19.99 now
room 101; floor 7
x = (a + b) / 2
LINES
exit $fail
