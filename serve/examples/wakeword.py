#!/usr/bin/python3
"""Wake-word detection through ares-serve: the openWakeWord pipeline, each
stage a model the server serves (Debian's python3 and numpy only).

  audio (16 kHz, int16 scale) -> melspectrogram -> /10 + 2
    -> embedding of every 76-frame window, 8 frames (80 ms) apart
    -> wake-word head on every 16 consecutive embeddings (1.28 s) -> score

A clip is detected when its highest score passes the threshold (0.5, as
openWakeWord's default). The clip is padded with a second of silence on
each side so the first and last words get full windows.

usage: wakeword.py [--url URL] [--head NAME] [--threshold T] WAV...
prints one line per clip: its file, highest score, detected or not.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request
import wave

import numpy as np

RATE = 16000


def read_wav(path):
    """16-bit PCM WAV, mono or the first channel, resampled to 16 kHz."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            sys.exit("%s: %d-byte samples; 16-bit PCM expected" % (path, w.getsampwidth()))
        rate, ch = w.getframerate(), w.getnchannels()
        a = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32)
    a = a[::ch]
    if rate != RATE:
        # Band-limited resampling through the spectrum: drop (or zero-pad)
        # the bins above the new Nyquist frequency.
        n = int(round(len(a) * RATE / rate))
        spec = np.fft.rfft(a)
        keep = n // 2 + 1
        spec = spec[:keep] if len(spec) >= keep else np.pad(spec, (0, keep - len(spec)))
        a = (np.fft.irfft(spec, n) * (n / len(a))).astype(np.float32)
    return a


def infer(url, model, name, x):
    body = json.dumps({"inputs": [{"name": name, "shape": list(x.shape), "datatype": "FP32",
                                   "data": x.ravel().tolist()}]}).encode()
    req = urllib.request.Request("%s/v2/models/%s/infer" % (url, model), data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            out = json.loads(r.read())["outputs"][0]
    except urllib.error.HTTPError as e:
        sys.exit("%s: HTTP %d: %s" % (model, e.code, e.read().decode(errors="replace")))
    return np.array(out["data"], dtype=np.float32).reshape(out["shape"])


def input_name(url, model):
    with urllib.request.urlopen("%s/v2/models/%s" % (url, model), timeout=60) as r:
        return json.loads(r.read())["inputs"][0]["name"]


def scores(url, head, audio):
    audio = np.concatenate([np.zeros(RATE, np.float32), audio, np.zeros(RATE, np.float32)])
    mel = infer(url, "melspectrogram", input_name(url, "melspectrogram"), audio[None])
    mel = mel.reshape(-1, 32) / 10.0 + 2.0
    starts = range(0, mel.shape[0] - 76 + 1, 8)
    windows = np.stack([mel[s:s + 76] for s in starts])[..., None]
    emb = infer(url, "embedding", input_name(url, "embedding"), windows).reshape(-1, 96)
    head_in = input_name(url, head)
    return [float(infer(url, head, head_in, emb[j - 16:j][None]).ravel()[0])
            for j in range(16, emb.shape[0] + 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--head", default="hey_jarvis")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("wav", nargs="+")
    a = ap.parse_args()
    for path in a.wav:
        s = scores(a.url, a.head, read_wav(path))
        best = max(s) if s else 0.0
        print("%s: %s %.4f %s" % (path, a.head, best,
                                  "DETECTED" if best >= a.threshold else "not detected"))


if __name__ == "__main__":
    main()
