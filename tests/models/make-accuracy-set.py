#!/usr/bin/python3
"""Writes the real inputs that reduced-precision accuracy is judged on, into
OUTDIR, deterministically (nothing here is committed; run it into build/):

  ocr/lines.tsv        NNN, font, size, text of each rendered line
  ocr/img/NNN.ppm      the line rendered as `make run` renders its line
                       (make-inputs.py's render(), black on white), in one of
                       several DejaVu fonts and sizes
  ocr/{det,rec,cls}/NNN/x.npy   the model inputs make-inputs.py makes from it:
                       a sample folder per line, the layout ares-quantize
                       takes as its calibration set
  wake/clips.tsv       NNN, expected wake word (or "-"), voice, text
  wake/NNN.npy         espeak-ng speech in 4 s (enough embeddings for the
                       timer head's 34), 16 kHz, int16 scale, [1, samples]:
                       the wake phrases of the openWakeWord heads, and
                       sentences that are none of them
  vad/speech/NNN/, vad/silence/NNN/   silero_vad inputs (input, sr, h, c):
                       512-sample chunks of espeak-ng speech, and of silence
                       with a little noise

Usage: make-accuracy-set.py OUTDIR
"""
import importlib.util
import math
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("make_inputs", os.path.join(HERE, "make-inputs.py"))
mi = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mi)

DEJAVU = "/usr/share/fonts/truetype/dejavu/"
FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Bold.ttf"]
SIZES = [32, 40, 48]
LINES = [
    "the quick brown fox jumps over 12 lazy dogs.",
    "invoice no. 4471, due 2026-12-31",
    "call me at 555-0199, ext. 42!",
    "total: 1,234.56 (tax incl.)",
    "meet at 9:30, room 7b; bring notes?",
    "version 3.14.159 released",
    "pack my box with five dozen jugs",
    "e-mail: ares@example.org",
    "50% off, today only!",
    "sphinx of black quartz, judge my vow",
    "order #8812: 3 items shipped",
    "temperature is 21.5 degrees",
    "page 17 of 240",
    "how vexingly quick daft zebras jump",
    "a/b testing, round 2",
    "the year 1999 was long ago",
    "lot 66 [sold] for 4,900",
    "zip code 90210; state: ca",
    "waltz, bad nymph, for quick jigs vex",
    "ratio 16:9 at 60 fps",
    "keep calm & carry on",
    "step 4 - tighten 8 bolts",
    "np 2026: ares reads text",
    "just 7 km to go...",
]

WAKE = [
    ("alexa", "alexa"),
    ("hey_jarvis", "hey jarvis"),
    ("hey_mycroft", "hey mycroft"),
    ("hey_rhasspy", "hey rhasspy"),
    ("timer", "set a timer for ten minutes"),
    ("weather", "what is the weather today"),
]
OTHER = [
    "the train leaves at noon",
    "please pass the salt",
    "it is raining again",
    "open the window a little",
    "my favourite colour is green",
]
VOICES = [("en", 160), ("en-us", 140), ("en+f3", 175)]
SR = 16000


def save(path, arr):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, arr)


def ocr(out):
    rows = []
    for i, text in enumerate(LINES):
        font = FONTS[i % len(FONTS)]
        size = SIZES[(i // len(FONTS)) % len(SIZES)]
        img, box = mi.render(text, DEJAVU + font, size)
        name = "%03d" % i
        os.makedirs(os.path.join(out, "img"), exist_ok=True)
        img.save(os.path.join(out, "img", name + ".ppm"))
        save(os.path.join(out, "det", name, "x.npy"), mi.det_input(img))
        crop = img.crop(box)
        rec_w = max(320, math.ceil(48 * crop.width / crop.height))
        save(os.path.join(out, "rec", name, "x.npy"), mi.line_input(crop, rec_w, rec_w))
        save(os.path.join(out, "cls", name, "x.npy"), mi.line_input(crop, 192, 192))
        rows.append("%s\t%s\t%d\t%s" % (name, font, size, text))
    with open(os.path.join(out, "lines.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def speak(text, voice, speed):
    """espeak-ng's speech for TEXT at 16 kHz, floats in [-1, 1]."""
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", tmp.name, text],
                       check=True)
        with wave.open(tmp.name) as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32)
    pcm /= 32768.0
    n = int(round(pcm.size * SR / rate))
    return np.interp(np.arange(n) * rate / SR, np.arange(pcm.size), pcm).astype(np.float32)


def clip(speech, seconds=4.0):
    """SPEECH centred in SECONDS of quiet noise, as openWakeWord hears it."""
    rng = np.random.default_rng(len(speech))
    n = int(seconds * SR)
    a = (0.002 * rng.standard_normal(max(n, speech.size + SR // 4))).astype(np.float32)
    start = (a.size - speech.size) // 2
    a[start:start + speech.size] += speech
    return a


def wake(out):
    rows, k = [], 0
    for word, text in WAKE + [("-", t) for t in OTHER]:
        for voice, speed in VOICES:
            a = clip(speak(text, voice, speed))
            save(os.path.join(out, "%03d.npy" % k), (a * 32767 * 0.8)[None].astype(np.float32))
            rows.append("%03d\t%s\t%s/%d\t%s" % (k, word, voice, speed, text))
            k += 1
    with open(os.path.join(out, "clips.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def vad_sample(path, chunk):
    save(os.path.join(path, "input.npy"), chunk[None].astype(np.float32))
    save(os.path.join(path, "sr.npy"), np.array(16000, np.int64))
    save(os.path.join(path, "h.npy"), np.zeros((2, 1, 64), np.float32))
    save(os.path.join(path, "c.npy"), np.zeros((2, 1, 64), np.float32))


def vad(out):
    rng = np.random.default_rng(20261205)
    k = 0
    for text in OTHER[:4]:
        s = speak(text, "en", 160)
        # Chunks from the loudest stretch: voiced speech, not the pauses.
        energy = np.convolve(s * s, np.ones(512), "valid")
        mid = int(np.argmax(energy))
        for off in (-1024, 0, 1024):
            c = s[max(0, mid + off):max(0, mid + off) + 512]
            if c.size == 512:
                vad_sample(os.path.join(out, "speech", "%03d" % k), c)
                k += 1
    for k in range(8):
        vad_sample(os.path.join(out, "silence", "%03d" % k),
                   (0.001 * (k + 1) * rng.standard_normal(512)).astype(np.float32))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-accuracy-set.py OUTDIR")
    out = sys.argv[1]
    ocr(os.path.join(out, "ocr"))
    wake(os.path.join(out, "wake"))
    vad(os.path.join(out, "vad"))


if __name__ == "__main__":
    main()
