#!/bin/sh
# Runs the kernel's checkpatch.pl (from Debian's linux-source-6.12) over the
# kernel driver and the headers it shares with the kernel. Fails on any
# error, warning or check.
set -eu
cd "$(dirname "$0")/.."
dir=build/checkpatch
if [ ! -f "$dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -n 1)
	if [ -z "$tarball" ]; then
		echo "checkpatch: no /usr/src/linux-source-6.12*.tar.xz; run scripts/install-deps.sh" >&2
		exit 1
	fi
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
fi
perl "$dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
	-f $(git ls-files 'kmod/*.c' 'kmod/*.h')
# The shared contract headers are also compiled in userspace, which has no
# BIT(); _Static_assert is C11 spelled the only way both sides accept.
perl "$dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,BIT_MACRO,CAMELCASE \
	-f include/uapi/drm/ares_accel.h $(ls include/ares/*.h | grep -v -e '/op_table.h$' -e '/ops.h$')
# The op table (op_table.h, and its rows and operand lists in ops.h) is
# X-macro lists, which checkpatch reads as expressions and statements;
# every other rule holds there too.
perl "$dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,BIT_MACRO,CAMELCASE,COMPLEX_MACRO \
	--ignore MACRO_ARG_REUSE,MACRO_ARG_UNUSED,TRAILING_SEMICOLON,MULTISTATEMENT_MACRO_USE_DO_WHILE \
	-f include/ares/op_table.h include/ares/ops.h
