#!/bin/sh
# Installs what building the debug guest kernel needs (make test-debug,
# scripts/build-debug-kernel.sh) on top of scripts/install-deps.sh: the
# kernel's own build tools. Kept apart so that machines that never build a
# kernel do not carry them. Safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
need=""
for p in linux-source-6.12 flex bison libelf-dev libssl-dev dwarves bc xz-utils; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
[ -z "$need" ] && exit 0
if [ -z "${ARES_SKIP_APT_UPDATE:-}" ]; then
	apt-get update -qq
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
