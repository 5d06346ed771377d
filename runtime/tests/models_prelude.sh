# Shared start of the host scripts that test accel-run on generated models
# (run-cpu-tests.sh, run-graph-tests.sh, run-opset-tests.sh), sourced after
# setting GEN to the generator's name in this folder: sets B (the build
# folder, $1), HERE, T (a temporary folder removed on exit), RUN (accel-run)
# and fail, writes the models into T, and defines check.

B=${1:-build}
HERE=$(dirname "$0")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
RUN=$B/bin/accel-run

if ! /usr/bin/python3 "$HERE/$GEN.py" "$T" >"$T/gen.log" 2>&1; then
	echo "runtime: FAIL $GEN (python3-onnx from scripts/install-deps.sh)" >&2
	sed 's/^/    /' "$T/gen.log" >&2
	exit 1
fi

check() { # NAME, then a command whose success is the test
	name=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		echo "runtime: PASS $name"
	else
		echo "runtime: FAIL $name" >&2
		sed 's/^/    /' "$T/out" >&2
		fail=1
	fi
}
