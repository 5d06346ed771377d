#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks a reduced-precision run against the f32 run of the same model
(precision_models.py), element by element, with a tolerance derived from
the rounding (u: float16 2^-11, bfloat16 2^-8; f32's unit roundoff
e = 2^-24):

An output element sums K products x_k w_k. The mode rounds both operands
to nearest: x~ = x (1 + a), w~ = w (1 + b), |a|, |b| <= u, so
|x~ w~ - x w| <= (2u + u^2) |x w|; each product of two such values is
exact in f32, and an f32 sum of K terms is off by at most K e times the sum
of their magnitudes (either run). With S = sum |x_k w_k| (NAME.abs.onnx
run on |x|):

    |y_reduced - y_f32| <= ((2u + u^2) (1 + u)^2 + 2 K e) S + e (|y_reduced| + |y_f32|)

(the (1 + u)^2 bounds S~ by S; the last term is each run's final f32
rounding, of the bias add). Relu and LeakyRelu add no error of their own
(they are 1-Lipschitz); a chain of two
layers (conv_chain) multiplies the first layer's bound through the second:
K there is the product of both layers' terms and the bound is applied to
S of the chain on |x|, a bound for the error the first layer's rounded
output carries into the second plus the second's own roundings (3u + 2Ke).

Modes:
  precision_check.py f32 REDUCED ABS K DTYPE
      the bound above; also that the two differ somewhere (the mode
      rounded something: an f32 run would pass the bound but not this)
  precision_check.py pair A B ABS K
      two reduced runs of one dtype (device and CPU emulation): equal up
      to f32 summation order, |A - B| <= 2 K e S (1 + u)^2 + e (|A| + |B|)
      with u = 2^-8
Each prints the measured worst error as a fraction of its bound.
"""
import sys

import numpy as np

E = 2.0 ** -24
mode = sys.argv[1]
a = np.load(sys.argv[2]).astype(np.float64)
b = np.load(sys.argv[3]).astype(np.float64)
s = np.load(sys.argv[4]).astype(np.float64)
k = int(open(sys.argv[5]).read())
if a.shape != b.shape or a.shape != s.shape:
    sys.exit(f"shapes differ: {a.shape} {b.shape} {s.shape}")
if mode == "f32":
    u = {"float16": 2.0 ** -11, "bfloat16": 2.0 ** -8}[sys.argv[6]]
    chain = 3 if "chain" in sys.argv[2] else 2
    bound = ((chain * u + u * u) * (1 + u) ** 2 + 2 * k * E) * s + E * (np.abs(a) + np.abs(b))
    if not np.any(a != b):
        sys.exit("the reduced run equals the f32 run bit for bit: nothing was rounded")
else:
    bound = 2 * k * E * s * (1 + 2.0 ** -8) ** 2 + E * (np.abs(a) + np.abs(b))
err = np.abs(a - b)
worst = float(np.max(err / np.maximum(bound, 1e-30)))
print(f"max |a-b| = {err.max():.3e}, worst fraction of bound {worst:.3f}")
sys.exit(0 if np.all(err <= bound) else 1)
