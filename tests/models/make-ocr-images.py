#!/usr/bin/python3
"""Writes the images ares-ocr's format and layout tests read, into OUTDIR.

  line-gray8.png    TEXT rendered as the main job renders it (make-inputs.py),
                    8-bit grayscale PNG
  line-gray16.png   the same, 16-bit grayscale PNG (samples * 257)
  line.jpg          the same, RGB JPEG (quality 95)
  blank.png         white, no text
  two-lines.png     "LEFT" and "RIGHT" far apart on one line, RIGHT set 14 px
                    higher (so a scan from the top meets it first), "BELOW"
                    under them: read as "LEFT RIGHT\\nBELOW"

Usage: make-ocr-images.py OUTDIR TEXT
"""
import importlib.util
import os
import struct
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("make_inputs", os.path.join(HERE, "make-inputs.py"))
make_inputs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_inputs)


def png_depth(path):
    """Bit depth and colour type from the IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(26)
    return struct.unpack(">BB", head[24:26])


def main():
    out, text = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    img, _ = make_inputs.render(text)
    gray = img.convert("L")
    gray.save(os.path.join(out, "line-gray8.png"))
    g16 = np.asarray(gray, np.uint16) * 257
    Image.fromarray(g16, "I;16").save(os.path.join(out, "line-gray16.png"))
    img.save(os.path.join(out, "line.jpg"), quality=95)
    # The 16-bit file must really be 16-bit gray, or its test proves nothing.
    assert png_depth(os.path.join(out, "line-gray16.png")) == (16, 0)
    assert png_depth(os.path.join(out, "line-gray8.png")) == (8, 0)

    Image.new("RGB", img.size, "white").save(os.path.join(out, "blank.png"))

    font = ImageFont.truetype(make_inputs.FONT, 40)
    page = Image.new("RGB", (640, 224), "white")
    draw = ImageDraw.Draw(page)
    draw.text((40, 48), "LEFT", font=font, fill="black")
    draw.text((420, 34), "RIGHT", font=font, fill="black")
    draw.text((40, 140), "BELOW", font=font, fill="black")
    page.save(os.path.join(out, "two-lines.png"))


if __name__ == "__main__":
    main()
