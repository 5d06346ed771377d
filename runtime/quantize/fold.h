/* SPDX-License-Identifier: MIT */
/* Folding a Conv's constant per-channel Mul/Add pairs into it (fold.c). */
#ifndef AQ_FOLD_H
#define AQ_FOLD_H

#include "model.h"

/* Folds into each Conv with constant f32 weights the Mul and Add nodes
 * after it whose constant varies at most along its output channel and
 * which alone read its output; *FOLDED gets how many were removed. 0 or
 * -ENOMEM with E set. */
int aq_fold_affine(Onnx__ModelProto *m, int *folded, struct aq_err *e);

#endif
