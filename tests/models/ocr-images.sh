#!/bin/sh
# ares-ocr's image formats and text layout, on the CPU path (no device
# needed): a line rendered as the main job renders it (make-inputs.py)
# and saved as 8-bit gray PNG, 16-bit gray PNG and JPEG reads back as the
# text; two boxes on one line and a line under them read in reading
# order ("LEFT RIGHT", newline, "BELOW"); a blank image warns and exits 3.
#
# Usage: tests/models/ocr-images.sh BUILD_DIR MODEL_CACHE
set -u
B=$1
cache=$2
TEXT="Ares NPU 2026"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0

/usr/bin/python3 tests/models/make-ocr-images.py "$T" "$TEXT" || exit 1

check() { # NAME IMAGE EXPECTED-TEXT
	if "$B/bin/ares-ocr" --cpu --expect "$3" "$cache/ocr/assets" "$T/$2" >"$T/log" 2>&1; then
		echo "ocr-images: PASS $1"
	else
		echo "ocr-images: FAIL $1:" >&2
		sed 's/^/    /' "$T/log" >&2
		failed=$((failed + 1))
	fi
}
check png_gray8_reads_line line-gray8.png "$TEXT"
check png_gray16_reads_line line-gray16.png "$TEXT"
check jpeg_reads_line line.jpg "$TEXT"
check two_boxes_two_lines_in_reading_order two-lines.png "LEFT RIGHT
BELOW"

"$B/bin/ares-ocr" --cpu "$cache/ocr/assets" "$T/blank.png" >"$T/log" 2>"$T/err"
rc=$?
if [ $rc -eq 3 ] && grep -q "warning: no text found in $T/blank.png" "$T/err"; then
	echo "ocr-images: PASS blank_image_warns_and_exits_3"
else
	echo "ocr-images: FAIL blank_image_warns_and_exits_3: exit $rc, stderr:" >&2
	sed 's/^/    /' "$T/err" >&2
	failed=$((failed + 1))
fi

# A damaged file is refused, naming the format and what is wrong.
head -c 200 "$T/line-gray8.png" >"$T/cut.png"
head -c 300 "$T/line.jpg" >"$T/cut.jpg"
printf 'hello\n' >"$T/text.txt"
for c in "cut.png:bad PNG image" "cut.jpg:bad JPEG image" "text.txt:not a PNG, JPEG or binary PPM"; do
	f=${c%%:*} msg=${c#*:}
	if "$B/bin/ares-ocr" --cpu "$cache/ocr/assets" "$T/$f" >"$T/log" 2>&1; then
		echo "ocr-images: FAIL refuses_$f: ares-ocr succeeded" >&2
		failed=$((failed + 1))
	elif grep -q "$msg" "$T/log"; then
		echo "ocr-images: PASS refuses_$f"
	else
		echo "ocr-images: FAIL refuses_$f: expected '$msg', got:" >&2
		sed 's/^/    /' "$T/log" >&2
		failed=$((failed + 1))
	fi
done
[ $failed = 0 ]
