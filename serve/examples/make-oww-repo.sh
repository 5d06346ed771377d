#!/bin/sh
# Writes an ares-serve model repository for the openWakeWord pipeline from
# the models scripts/fetch-models.sh fetched: melspectrogram, embedding
# (batched: the client sends all of a clip's windows in one request) and
# the wake-word heads as exported (batch dim 1: run one request at a time).
# Model files are symlinks into the cache; configs are written here.
# Usage: make-oww-repo.sh MODEL_CACHE DIR [DEVICE]   (DEVICE: cpu, auto, N)
set -eu
cache=${1:?usage: make-oww-repo.sh MODEL_CACHE DIR [DEVICE]}
dir=${2:?usage: make-oww-repo.sh MODEL_CACHE DIR [DEVICE]}
device=${3:-auto}
case $device in cpu | auto) device="\"$device\"" ;; esac
m=$cache/oww/models
mkdir -p "$dir"
model() { # NAME FILE CONFIG
	mkdir -p "$dir/$1"
	ln -sf "$m/$2" "$dir/$1/model.onnx"
	echo "$3" >"$dir/$1/config.json"
}
model melspectrogram melspectrogram.onnx "{\"device\": $device, \"instances\": 1}"
model embedding embedding_model.onnx \
	"{\"device\": $device, \"max_batch\": 64, \"max_delay_us\": 1000, \"pad_batch\": false}"
for head in hey_jarvis alexa hey_mycroft; do
	model $head ${head}_v0.1.onnx "{\"device\": $device, \"instances\": 2}"
done
