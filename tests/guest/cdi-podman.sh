#!/bin/sh
# Runs podman (crun) in the guest with the CDI spec SPEC installed:
#   unshare -m tests/guest/cdi-podman.sh WORKDIR SPEC PODMAN-ARGS...
# The guest's root is read-only 9p with a tmpfs on /tmp, so in this mount
# namespace /run becomes a tmpfs holding the spec in /run/cdi (a folder
# podman 4.3 reads specs from; /etc/cdi is read-only here), /dev/shm a
# tmpfs for podman's lock memory, and cgroup2 is mounted for crun; podman's
# storage, run root and temporary files go to WORKDIR.
set -eu
work=$1
spec=$2
shift 2
mount -t tmpfs run /run
mkdir -p /run/cdi /dev/shm "$work/tmp"
cp "$spec" /run/cdi/ares.json
mountpoint -q /dev/shm || mount -t tmpfs shm /dev/shm
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup
exec podman --root "$work/storage" --runroot "$work/runroot" --tmpdir "$work/tmp" \
	--storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime crun "$@"
