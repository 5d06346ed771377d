#!/bin/sh
# Prints the newest installed Debian 6.12 kernel that has both an image and
# headers, e.g. "6.12.117+deb12-amd64". The build and the VM use the same one.
for d in $(ls -d /lib/modules/6.12.*+deb12-amd64 2>/dev/null | sort -V -r); do
	v=${d#/lib/modules/}
	if [ -e "/boot/vmlinuz-$v" ] && [ -d "$d/build" ]; then
		echo "$v"
		exit 0
	fi
done
echo "kernel-version: no linux-image-6.12.*+deb12-amd64-unsigned with headers installed; run scripts/install-deps.sh" >&2
exit 1
