# Sourced by containers.sh (its root, ctl, model, pci_of, jobs_only_on,
# pass and fail): accelctl cdi generate, then Debian's podman with crun
# running containers from that spec, on a root filesystem built here from
# this build tree and the host's shared libraries (no image registry).

cdi_work=/tmp/cdi-test

# busybox, accel-run, accelctl and ares-gemm-demo with libaccel, libares_rt
# and the shared libraries they load, and the model.
cdi_make_rootfs() {
	r=$cdi_work/rootfs
	mkdir -p "$r/bin" "$r/ares/bin" "$r/ares/lib" "$r/dev" "$r/proc" "$r/sys" "$r/tmp" "$r/etc" ||
		return 1
	cp /bin/busybox "$r/bin/busybox" || return 1
	for t in sh ls cat grep; do ln -sf busybox "$r/bin/$t"; done
	for t in accel-run accelctl ares-gemm-demo; do
		cp "$root/build/bin/$t" "$r/ares/bin/" || return 1
	done
	cp "$root"/build/lib/*.so.1 "$r/ares/lib/" || return 1
	for lib in $(ldd "$root/build/bin/accel-run" "$root/build/bin/accelctl" \
		"$root/build/bin/ares-gemm-demo" |
		awk '/=> \// {print $3} /^[[:space:]]*\/lib64\// {print $1}' | grep -v "^$root" | sort -u); do
		mkdir -p "$r$(dirname "$lib")" && cp -L "$lib" "$r$lib" || return 1
	done
	cp "$model" "$r/model.onnx"
}

# podman run --rm on the rootfs with ARGS before it and the shell script
# $CTR in the container.
cdi_run() {
	unshare -m "$root/tests/guest/cdi-podman.sh" "$cdi_work" "$cdi_work/ares.json" \
		run --rm --network none "$@" --rootfs "$cdi_work/rootfs" /bin/sh -c "$CTR" 2>&1
}

cdi_tests() {
	spec=$cdi_work/ares.json
	mkdir -p "$cdi_work"
	# The by-path links udev makes (udev/60-ares.rules), if it has not.
	for k in 0 1; do
		link=/dev/accel/by-path/pci-$(pci_of $k)-accel
		[ -e "$link" ] || { mkdir -p /dev/accel/by-path && ln -s ../accel$k "$link"; }
	done

	if out=$("$ctl" cdi generate --output "$spec" 2>&1) &&
		out=$(/usr/bin/python3 "$root/tests/guest/cdi_spec_check.py" "$spec" \
			"$(pci_of 0)" "$(pci_of 1)" 2>&1); then
		pass cdi_generate_spec
	else
		fail cdi_generate_spec "spec $spec does not describe accel0 and accel1: $out"
	fi
	out=$("$ctl" cdi bogus 2>&1)
	rc=$?
	[ $rc -eq 2 ] || fail cdi_generate_usage "accelctl cdi bogus: expected exit 2, got $rc: $out"

	if ! out=$(cdi_make_rootfs 2>&1); then
		fail cdi_podman "cannot build the container's rootfs: $out"
		return
	fi

	# One device: only its node and by-path node, one device visible, and
	# the job lands on accel1 (counted by the driver outside the container).
	CTR='ls /dev/accel /dev/accel/by-path; echo "env=$ARES_VISIBLE_DEVICES";
/ares/bin/accelctl visible && /ares/bin/accel-run /model.onnx --device 0 --no-fallback'
	out=$(jobs_only_on 1 cdi_run --device ares.dev/npu=1)
	rc=$?
	by1=pci-$(pci_of 1)-accel
	if [ $rc -eq 0 ] && echo "$out" | grep -qx accel1 && ! echo "$out" | grep -q 'accel0' &&
		echo "$out" | grep -qx "$by1" && echo "$out" | grep -qx 'env=all' &&
		echo "$out" | grep -q '1 of 1 Ares devices visible' &&
		echo "$out" | grep -q '^0 .*/dev/accel/accel1 '; then
		pass cdi_podman_one_device
	else
		fail cdi_podman_one_device "--device ares.dev/npu=1: expected accel1 alone, its by-path node, one visible device and its job on accel1, got: $out"
	fi

	CTR='ls /dev/accel 2>&1; /ares/bin/accelctl visible; echo "visible-exit=$?"'
	out=$(cdi_run)
	if echo "$out" | grep -q 'ls: /dev/accel: No such file' && echo "$out" | grep -q 'visible-exit=3'; then
		pass cdi_podman_no_device
	else
		fail cdi_podman_no_device "no --device: expected no /dev/accel and accelctl visible exit 3, got: $out"
	fi

	CTR='/ares/bin/accelctl visible'
	out=$(cdi_run --device ares.dev/npu=all)
	if echo "$out" | grep -q '2 of 2 Ares devices visible'; then
		pass cdi_podman_all
	else
		fail cdi_podman_all "--device ares.dev/npu=all: expected both devices, got: $out"
	fi
}

cdi_tests
