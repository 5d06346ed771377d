/* SPDX-License-Identifier: MIT */
/*
 * accel-run's inputs: which come from files, which are random and of what
 * shape (--shape, the model's declaration, the defaults for symbolic
 * dims), each with a line saying where its dims came from.
 */
#ifndef ACCEL_RUN_INPUT_PLAN_H
#define ACCEL_RUN_INPUT_PLAN_H

#include <stddef.h>

#include "ares_rt.h"

#define MAX_INPUTS 64

/* Symbolic dims of random inputs: a leading one is a batch (1); any other
 * gets DEFAULT_DIM, the smallest size the shipped audio models take:
 * silero_vad's STFT needs at least 256 samples after its reflect pad of 64,
 * melspectrogram's framing Conv a window of 512 (1 fails in both), and 512
 * is silero's chunk at 16 kHz and a multiple of the 32 the OCR models'
 * strides divide by. */
#define DEFAULT_DIM 512

/* One --shape NAME=D0,D1,... */
struct shape_arg {
	const char *name;
	int ndim;
	int64_t dims[ART_MAX_DIMS];
};

/* What the command line asks of the inputs. */
struct input_args {
	const char *in_names[MAX_INPUTS], *in_files[MAX_INPUTS];
	int nin;
	struct shape_arg shapes[MAX_INPUTS];
	int nshapes;
};

/* One input as it will be set: T's data is NULL until filled (random) or
 * owned by art_tensor_load() (file). */
struct input_plan {
	const char *name;
	const char *file; /* --input FILE, or NULL for random data */
	struct art_tensor t;
	/* A sequence input (only from a SequenceProto file: accel-run makes
	 * no random sequences): is_seq set, SEQ loaded, T unused. */
	int is_seq;
	struct art_sequence seq;
	char how[768]; /* "from FILE", or "random; dims: 2 model, 1 'batch' ..." */
};

/* Parses TEXT ("NAME=D0,D1,...", dims at least 1, "NAME=" a scalar) into
 * SA (pointing into TEXT): 0, or -1 with ERR saying what is wrong. */
int shape_arg_parse(char *text, struct shape_arg *sa, char *err, size_t errlen);

/* PLAN[i] for each input of S: files loaded, --shape checked against the
 * declaration (rank, static dims) and applied, symbolic dims chosen. 0, or
 * -1 with ERR naming the argument and what is wrong (PLAN's loaded tensors
 * are then freed). */
int input_plan_make(art_session *s, const struct input_args *a, struct input_plan *plan, char *err,
		    size_t errlen);
void input_plan_free(struct input_plan *plan, int n);

#endif
