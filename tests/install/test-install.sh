#!/bin/sh
# Host test of `make install` / `make uninstall` and `make install-dkms` /
# `make uninstall-dkms` into a DESTDIR (PREFIX=/opt/ares, to prove PREFIX
# is honoured):
#  - exactly the expected files and links are installed, SONAME links
#    point at the versioned libraries, the module is built for the kernel it
#    is installed under, the man pages format without groff warnings and
#    name every option and command the tools' usage lists, and every
#    function libaccel exports has a section-3 page;
#  - a program built only from the installed headers and pkg-config files
#    runs an ONNX model through the installed libraries and matches the
#    model's reference output; the installed tools run; the installed
#    Python package (`import ares` with Debian's python3) runs a model
#    through the installed libraries;
#  - the DKMS source tree holds dkms.conf and what the module build reads;
#  - uninstall leaves no file or link behind.
# Run by `make test-install` (part of `make test`), after the build.
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
kver=$(scripts/kernel-version.sh) || exit 1
udevdir=$(pkg-config --variable=udevdir udev 2>/dev/null || echo /lib/udev)
model=/usr/include/onnx/backend/test/data/node/test_add/model.onnx
prefix=/opt/ares
tmp=$(mktemp -d /tmp/ares-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
# The installed library's file name carries the version accel.h declares.
accel_ver=$(awk '/^#define ACCEL_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v == "" ? "" : ".") $3 } END { print v }' \
	libaccel/include/accel.h)
failures=0
fail() {
	echo "install: FAIL $1: $2"
	failures=$((failures + 1))
}
pass() {
	echo "install: PASS $1"
}

pyver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
pyext=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
pydir=${prefix#/}/lib/python$pyver/dist-packages/ares

# Files and links, relative to DESTDIR, "path" or "path -> target".
{
	for f in bin/accelctl bin/accel-run lib/libaccel.so.$accel_ver lib/libares_rt.so.1.0.0 \
		lib/pkgconfig/libaccel.pc lib/pkgconfig/ares_rt.pc include/drm/ares_accel.h \
		include/ares/accel.h include/ares/ares_rt.h \
		share/man/man1/accelctl.1 share/man/man1/accel-run.1 bin/ares-serve \
		share/man/man1/ares-serve.1 bin/ares-quantize share/man/man1/ares-quantize.1; do
		echo "${prefix#/}/$f"
	done
	for h in include/ares/*.h; do
		echo "${prefix#/}/include/ares/${h##*/}"
	done
	for m in libaccel/man/*.3; do
		echo "${prefix#/}/share/man/man3/${m##*/}"
	done
	echo "${prefix#/}/lib/libaccel.so -> libaccel.so.1"
	echo "${prefix#/}/lib/libaccel.so.1 -> libaccel.so.$accel_ver"
	echo "${prefix#/}/lib/libares_rt.so -> libares_rt.so.1"
	echo "${prefix#/}/lib/libares_rt.so.1 -> libares_rt.so.1.0.0"
	# The Python package, into Debian's dist-packages layout for PREFIX.
	for f in python/ares/*; do
		echo "$pydir/${f##*/}"
	done
	echo "$pydir/_ares$pyext"
	echo "lib/modules/$kver/updates/ares.ko"
	echo "lib/firmware/ares/ares-fw.bin"
	echo "${udevdir#/}/rules.d/60-ares.rules"
} | sort >"$tmp/expected"

listing() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort | while read -r p; do
		if [ -L "$p" ]; then
			echo "$p -> $(readlink "$p")"
		else
			echo "$p"
		fi
	done)
}

if ! make -s install DESTDIR="$dest" PREFIX="$prefix" >"$tmp/install.log" 2>&1; then
	fail make_install "make install failed: $(tail -5 "$tmp/install.log")"
	exit 1
fi
listing "$dest" >"$tmp/got"
if cmp -s "$tmp/expected" "$tmp/got"; then
	pass installed_file_list
else
	fail installed_file_list "differs from the expected list: $(diff "$tmp/expected" "$tmp/got" | grep '^[<>]' | tr '\n' ' ')"
fi

lib=$dest$prefix/lib
soname=$(readelf -d "$lib/libaccel.so.$accel_ver" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
rt_soname=$(readelf -d "$lib/libares_rt.so.1.0.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = libaccel.so.1 ] && [ "$rt_soname" = libares_rt.so.1 ]; then
	pass soname
else
	fail soname "SONAMEs are '$soname' and '$rt_soname', expected libaccel.so.1 and libares_rt.so.1"
fi
vermagic=$(modinfo -F vermagic "$dest/lib/modules/$kver/updates/ares.ko")
if [ "${vermagic%% *}" = "$kver" ]; then
	pass module_vermagic
else
	fail module_vermagic "installed ares.ko has vermagic '$vermagic', expected $kver"
fi
if cmp -s "$dest/lib/firmware/ares/ares-fw.bin" build/firmware/ares/ares-fw.bin; then
	pass firmware_image
else
	fail firmware_image "lib/firmware/ares/ares-fw.bin is not the built image"
fi
for m in accelctl accel-run ares-serve ares-quantize; do
	page=$dest$prefix/share/man/man1/$m.1
	if out=$(groff -man -ww -z "$page" 2>&1) && [ -z "$out" ] &&
		groff -man -Tascii -P-cbou "$page" 2>/dev/null | grep -q "^NAME$"; then
		pass "man_$m"
	else
		fail "man_$m" "groff -man -ww: $out"
	fi
done

# Every function the installed libaccel exports has a section-3 page (its
# own, or a .so link to the page of its family) that formats without groff
# warnings and names it in NAME and SYNOPSIS.
man=$dest$prefix/share/man
exported=$(nm -D --defined-only "$dest$prefix/lib/libaccel.so.$accel_ver" |
	awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
bad=""
for f in $exported; do
	page=$man/man3/$f.3
	if [ ! -f "$page" ]; then
		bad="$bad $f(no page)"
		continue
	fi
	out=$(cd "$man" && groff -s -man -ww -z "man3/$f.3" 2>&1)
	text=$(cd "$man" && groff -s -man -rHY=0 -Tascii -P-cbou "man3/$f.3" 2>/dev/null)
	if [ -n "$out" ]; then
		bad="$bad $f(groff: $out)"
	elif ! echo "$text" | sed -n '/^NAME$/,/^SYNOPSIS$/p' | grep -q -- "$f\b" ||
		! echo "$text" | sed -n '/^SYNOPSIS$/,/^DESCRIPTION$/p' | grep -q -- "$f("; then
		bad="$bad $f(not in NAME and SYNOPSIS)"
	fi
done
if [ -n "$exported" ] && [ -z "$bad" ]; then
	pass man3_every_libaccel_function
else
	fail man3_every_libaccel_function "exported: $(echo $exported | wc -w); bad:$bad"
fi

# Every option and command the tools' own usage lists is in their page.
for m in accelctl accel-run ares-serve ares-quantize; do
	usage=$(LD_LIBRARY_PATH=$dest$prefix/lib "$dest$prefix/bin/$m" --help 2>&1)
	page=$(groff -man -Tascii -P-cbou "$dest$prefix/share/man/man1/$m.1" 2>/dev/null)
	words=$(echo "$usage" | grep -o -- '--[a-z-]*\|-[a-z] \|accelctl [a-z]*' | sort -u)
	missing=""
	for w in $words; do
		case "$w" in accelctl) continue ;; esac
		echo "$page" | grep -q -- "$w" || missing="$missing $w"
	done
	if [ -n "$words" ] && [ -z "$missing" ]; then
		pass "man_${m}_covers_usage"
	else
		fail "man_${m}_covers_usage" "not in $m.1:$missing (usage: $usage)"
	fi
done

# The installed .pc files name the install paths...
pc=$dest$prefix/lib/pkgconfig
flags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs ares_rt libaccel 2>&1)
case "$flags" in
*"-I$prefix/include/ares"*"-L$prefix/lib"*) pass pkgconfig_paths ;;
*) fail pkgconfig_paths "pkg-config --cflags --libs ares_rt libaccel: '$flags'" ;;
esac
# ...and, relocated to the DESTDIR, build a program that runs.
mkdir -p "$tmp/pc"
for f in "$pc"/*.pc; do
	sed "s|^prefix=.*|prefix=$dest$prefix|" "$f" >"$tmp/pc/${f##*/}"
done
if flags=$(PKG_CONFIG_PATH=$tmp/pc pkg-config --cflags --libs ares_rt libaccel) &&
	# shellcheck disable=SC2086
	${CC:-cc} -std=c11 -Wall -Wextra -Werror -o "$tmp/user" tests/install/pkgconfig_user.c \
		$flags >"$tmp/cc.log" 2>&1; then
	pass build_against_installed_pkgconfig
else
	fail build_against_installed_pkgconfig "cc with '$flags': $(cat "$tmp/cc.log")"
fi
if [ -x "$tmp/user" ]; then
	resolved=$(LD_LIBRARY_PATH=$lib ldd "$tmp/user" | grep -E 'lib(accel|ares_rt)\.so')
	if LD_LIBRARY_PATH=$lib "$tmp/user" "$model" >"$tmp/run.log" 2>&1 &&
		[ "$(echo "$resolved" | grep -c "=> $lib/")" = 2 ]; then
		pass run_against_installed_libraries
	else
		fail run_against_installed_libraries "$(cat "$tmp/run.log"); resolved: $resolved"
	fi
fi
if LD_LIBRARY_PATH=$lib "$dest$prefix/bin/accelctl" --help >/dev/null &&
	LD_LIBRARY_PATH=$lib "$dest$prefix/bin/accel-run" "$model" --cpu >"$tmp/ar.log" 2>&1; then
	pass installed_tools_run
else
	fail installed_tools_run "accelctl --help or accel-run --cpu failed: $(cat "$tmp/ar.log")"
fi

# The installed Python package imports with Debian's python3 and runs a
# model through the installed libraries (its RUNPATH reaches PREFIX/lib).
cat >"$tmp/py_user.py" <<'PY'
import sys
import numpy as np
import ares
model, dest = sys.argv[1], sys.argv[2]
assert ares.__file__.startswith(dest), ares.__file__
s = ares.Session(model, device="cpu")
rng = np.random.default_rng(1)
x, y = (rng.standard_normal((3, 4, 5), dtype=np.float32) for _ in range(2))
(out,) = s.run(None, {"x": x, "y": y})
assert (out == x + y).all(), "sum differs from x + y"
libs = {l.split()[-1] for l in open("/proc/self/maps") if "libares_rt" in l or "libaccel" in l}
assert len(libs) == 2 and all(l.startswith(dest) for l in libs), libs
PY
if (cd "$tmp" && PYTHONPATH="$dest/$pydir/.." PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 \
	"$tmp/py_user.py" "$model" "$dest" >"$tmp/py.log" 2>&1); then
	pass python_import_installed
else
	fail python_import_installed "$(cat "$tmp/py.log")"
fi

# The DKMS source tree.
dkms=$tmp/dkms
if make -s install-dkms DESTDIR="$dkms" >"$tmp/dkms.log" 2>&1; then
	src=$(ls -d "$dkms"/usr/src/ares-* 2>/dev/null)
	ver=${src##*/ares-}
	missing=""
	for f in dkms.conf Kbuild kmod/Kbuild include/uapi/drm/ares_accel.h \
		$(cd "$root" && ls kmod/*.c kmod/*.h include/ares/*.h | grep -v '\.mod\.c$'); do
		[ -f "$src/$f" ] || missing="$missing $f"
	done
	if [ -n "$src" ] && [ -z "$missing" ] && grep -qx "PACKAGE_VERSION=\"$ver\"" "$src/dkms.conf" &&
		! ls "$src"/kmod/*.o "$src"/kmod/*.ko "$src"/kmod/*.mod.c >/dev/null 2>&1; then
		pass dkms_source_tree
	else
		fail dkms_source_tree "in '$src': missing$missing, or build products or no version"
	fi
	make -s uninstall-dkms DESTDIR="$dkms" >>"$tmp/dkms.log" 2>&1
	if [ -z "$(listing "$dkms")" ]; then
		pass uninstall_dkms_leaves_nothing
	else
		fail uninstall_dkms_leaves_nothing "left: $(listing "$dkms" | tr '\n' ' ')"
	fi
else
	fail dkms_source_tree "make install-dkms failed: $(tail -5 "$tmp/dkms.log")"
fi

if make -s uninstall DESTDIR="$dest" PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1 &&
	[ -z "$(listing "$dest")" ]; then
	pass uninstall_leaves_nothing
else
	fail uninstall_leaves_nothing "left: $(listing "$dest" | tr '\n' ' ') $(tail -3 "$tmp/uninstall.log")"
fi
[ $failures -eq 0 ]
