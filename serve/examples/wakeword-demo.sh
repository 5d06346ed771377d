#!/bin/sh
# The wake-word example end to end: espeak-ng speaks phrases with and
# without "hey jarvis", ares-serve serves the openWakeWord models, and
# wakeword.py must detect the phrase in every clip that has it and in no
# other. Prints each clip's score; exits non-zero on a wrong verdict.
# Usage: wakeword-demo.sh [BUILD_DIR] [DEVICE]   (models: ARES_MODEL_CACHE)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${1:-$root/build}
device=${2:-cpu}
cache=${ARES_MODEL_CACHE:-$root/build/models}
T=$(mktemp -d /tmp/wakeword.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"
	rm -rf "$T"
}
trap cleanup EXIT
"$here/make-oww-repo.sh" "$cache" "$T/repo" "$device" || exit 1
"$B/bin/ares-serve" --model-repository "$T/repo" --port 0 --port-file "$T/port" \
	--device "$device" 2>"$T/serve.log" &
pid=$!
i=0
while [ ! -s "$T/port" ]; do
	i=$((i + 1))
	if [ $i -gt 1200 ] || ! kill -0 $pid 2>/dev/null; then
		cat "$T/serve.log" >&2
		exit 1
	fi
	sleep 0.1
done
url=http://127.0.0.1:$(cat "$T/port")
# yes: clips that contain the phrase; no: clips that do not.
fail=0
n=0
while IFS='|' read -r want voice speed text; do
	n=$((n + 1))
	espeak-ng -v "$voice" -s "$speed" -w "$T/clip$n.wav" "$text" || exit 1
	line=$(/usr/bin/python3 "$here/wakeword.py" --url "$url" --head hey_jarvis "$T/clip$n.wav") ||
		exit 1
	case $want,$line in
	yes,*" DETECTED" | no,*"not detected") verdict=PASS ;;
	*) verdict=FAIL fail=$((fail + 1)) ;;
	esac
	echo "$verdict wakeword ($want) \"$text\" [$voice, $speed wpm]: ${line#*: }"
done <<'CLIPS'
yes|en-us|175|hey jarvis
yes|en|150|hey jarvis
yes|en-us|140|hey jarvis, what time is it
yes|en-gb-x-rp|160|hey jarvis, turn on the lights
no|en-us|175|good morning
no|en|150|turn on the kitchen light
no|en-us|175|the weather is nice today
no|en-us|160|hello there, how are you
no|en-us|175|hey travis
CLIPS
echo "wakeword: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
