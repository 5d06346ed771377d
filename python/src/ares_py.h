/* SPDX-License-Identifier: MIT */
/*
 * ares._ares: the CPython extension under the `ares` package. It binds the
 * public C APIs only (ares_rt.h, accel.h); the package's Python modules
 * build the onnxruntime-like surface on top of it.
 *
 * Threads: a session's runtime calls are serialised by the session's own
 * lock (ares_rt.h: "a session is used by one thread at a time"), which is
 * always taken with the GIL released, so a run never holds the GIL and two
 * threads can never deadlock on the pair.
 */
#ifndef ARES_PY_H
#define ARES_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#define NPY_NO_DEPRECATED_API  NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL ares_ARRAY_API
#ifndef ARES_PY_MODULE_C
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include "ares_rt.h"

/* The C session; the Python Session wraps it. */
typedef struct {
	PyObject_HEAD art_session *s;
	PyThread_type_lock lock; /* serialises every art_* call on s */
	unsigned long owner;	 /* thread holding lock, 0 if none (__atomic) */
	/* Runs whose last reference went while their session's lock was held
	 * by the same thread (a collection inside a session call): destroyed
	 * when that call unlocks. Under lock. */
	art_run **doomed;
	int ndoomed;
	int ninputs, noutputs;
	struct art_tensor *in_info;  /* declared type of each graph input */
	struct art_tensor *out_info; /* declared type of each graph output */
	const char **in_names;	     /* the session's own strings */
	const char **out_names;
} AresSession;

extern PyTypeObject AresSession_Type;
extern PyTypeObject AresRun_Type;
/* ares.Error, a subclass of OSError and RuntimeError: args (errno, message). */
extern PyObject *ares_error;

/* Raises ares.Error(-RC, MSG), or strerror(-RC) when MSG is empty. NULL. */
PyObject *ares_raise(int rc, const char *msg);
/* Raises ares.Error(-RC, formatted message). NULL. */
PyObject *ares_raisef(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Session lock, taken with the GIL released. */
void ares_session_lock(AresSession *s);
void ares_session_unlock(AresSession *s);
/* Destroys R (waiting for it if in flight) now, or at the unlock of the
 * session call this thread is inside of. */
void ares_session_destroy_run(AresSession *s, art_run *r);

/* numpy type number of an art dtype (bfloat16 travels as its uint16 bit
 * patterns); -1 when there is none. */
int ares_npy_type(int dtype);
/* ONNX's name of an art dtype ("float", "int64", ...), "unknown" if none. */
const char *ares_dtype_name(int dtype);

/*
 * Makes OBJ an array usable as graph input IDX of S: its dtype must be the
 * declared one and its shape must fit the declared static dims. The array
 * is returned as is when it is C-contiguous, aligned and in native byte
 * order (no copy), else as a contiguous copy. *t points into it; the
 * caller keeps the returned reference while *t is used. NULL with
 * ares.Error (EINVAL) naming the input and what is wrong.
 */
PyArrayObject *ares_input_array(AresSession *s, int idx, PyObject *obj, struct art_tensor *t);
/* INPUTS, one array per graph input in order, checked into ARRAYS (new
 * references; the caller drops them) and TENSORS pointing into them. */
int ares_session_inputs(AresSession *s, PyObject *inputs, PyArrayObject **arrays,
			struct art_tensor *tensors);
/* A new numpy array holding a copy of T (the runtime owns T's data). */
PyObject *ares_output_array(const struct art_tensor *t);
/* An array over T's data with no copy: the array owns it from here on (it
 * is freed with the array's last reference, or now if this fails). */
PyObject *ares_output_array_owned(struct art_tensor *t);
/* When output IDX[I] was asked for earlier in IDX, a copy of the array
 * LIST holds for it (the runtime hands an output over once per run); else
 * NULL with no exception. */
PyObject *ares_repeated_output(PyObject *list, const long *idx, Py_ssize_t i);
/* Inputs that had to be copied to become contiguous (for the tests). */
extern unsigned long long ares_input_copies;
extern unsigned long long ares_output_copies;

/* ares.devices() half that libaccel answers. */
PyObject *ares_devices(PyObject *self, PyObject *noargs);

#endif
