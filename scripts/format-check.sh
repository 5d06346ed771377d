#!/bin/sh
# Fails listing every userspace C file whose layout differs from .clang-format.
set -eu
cd "$(dirname "$0")/.."
bad=0
for f in $(git ls-files '*.c' '*.h' | grep -v -e '^kmod/' -e '^include/'); do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format-check: $f differs from .clang-format (run: make format)" >&2
		bad=1
	fi
done
exit $bad
