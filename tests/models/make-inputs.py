#!/usr/bin/python3
"""Writes the inputs of the real-model tests into OUTDIR, deterministically:

  text.ppm, text.png   a line of text (TEXT) rendered in DejaVu Sans, black
                       on white, sized to multiples of 32 so the detector
                       takes it without resizing
  det/in/x.npy          the whole image, PaddleOCR's detector normalisation
  rec/in/x.npy          the text line cropped, height 48, recognizer layout
  cls/in/x.npy          the same crop, 3x48x192, classifier layout
  audio.npy            4 s of a seeded synthetic voice-like signal, 16 kHz,
                       int16 scale (what openWakeWord's front end takes)
  melspectrogram/in/input.npy   its first second
  silero_vad/in/*.npy   a 512-sample chunk from the middle, scaled to [-1, 1],
                       sr = 16000, zero LSTM state

The embedding and wake-word head inputs depend on the melspectrogram and
embedding models' outputs; reference.mjs makes them with onnxruntime.
Usage: make-inputs.py OUTDIR TEXT [--image-only]
(--image-only: just text.ppm and text.png, for the main job)
"""
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def save(path, arr):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, arr)


def render(text, font_path=FONT, size=40):
    font = ImageFont.truetype(font_path, size)
    left, top, right, bottom = font.getbbox(text)
    w = -(-(right - left + 64) // 32) * 32
    h = max(96, -(-(bottom - top + 48) // 32) * 32)
    img = Image.new("RGB", (w, h), "white")
    ox = (w - (right - left)) // 2 - left
    oy = (h - (bottom - top)) // 2 - top
    ImageDraw.Draw(img).text((ox, oy), text, font=font, fill="black")
    # The ink's box, widened by a few pixels as a detector's box would be.
    box = (ox + left - 6, oy + top - 6, ox + right + 6, oy + bottom + 6)
    return img, box


def det_input(img):
    x = (np.asarray(img, np.float32) / 255.0 - MEAN) / STD
    return x.transpose(2, 0, 1)[None].astype(np.float32)


def line_input(crop, width, max_width):
    """PaddleOCR's recognizer/classifier layout: height 48, width from the
    aspect ratio (at most max_width), (x/255 - 0.5)/0.5, zero padding on the
    right up to WIDTH."""
    rw = min(max_width, math.ceil(48 * crop.width / crop.height))
    r = np.asarray(crop.resize((rw, 48), Image.BILINEAR), np.float32)
    x = np.zeros((1, 3, 48, width), np.float32)
    x[0, :, :, :rw] = ((r / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)
    return x


def audio():
    rng = np.random.default_rng(20261128)
    sr = 16000
    t = np.arange(4 * sr) / sr
    # A voice-like signal: a gliding fundamental with decaying harmonics,
    # syllable-rate amplitude modulation, and some noise.
    f0 = 140 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    s = sum(np.sin(k * phase) / k for k in range(1, 12))
    s *= 0.55 + 0.45 * np.sin(2 * np.pi * 3.1 * t)
    s += 0.05 * rng.standard_normal(t.size)
    s /= np.max(np.abs(s))
    return s.astype(np.float32)


def main():
    out, text = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    img, box = render(text)
    img.save(os.path.join(out, "text.png"))
    img.save(os.path.join(out, "text.ppm"))
    if sys.argv[3:] == ["--image-only"]:
        return
    save(os.path.join(out, "det/in/x.npy"), det_input(img))
    crop = img.crop(box)
    rec_w = max(320, math.ceil(48 * crop.width / crop.height))
    save(os.path.join(out, "rec/in/x.npy"), line_input(crop, rec_w, rec_w))
    save(os.path.join(out, "cls/in/x.npy"), line_input(crop, 192, 192))

    a = audio()
    save(os.path.join(out, "audio.npy"), (a * 0.4 * 32767).astype(np.float32)[None])
    save(os.path.join(out, "melspectrogram/in/input.npy"), (a[:16000] * 0.4 * 32767)[None])
    save(os.path.join(out, "silero_vad/in/input.npy"), (0.4 * a[8000:8512])[None])
    save(os.path.join(out, "silero_vad/in/sr.npy"), np.array(16000, np.int64))
    save(os.path.join(out, "silero_vad/in/h.npy"), np.zeros((2, 1, 64), np.float32))
    save(os.path.join(out, "silero_vad/in/c.npy"), np.zeros((2, 1, 64), np.float32))


if __name__ == "__main__":
    main()
