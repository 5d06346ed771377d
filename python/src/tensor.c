// SPDX-License-Identifier: MIT
/*
 * numpy arrays in and out: dtype mapping, the checks an input gets before
 * the runtime sees it, and outputs. An input that is already a
 * C-contiguous, aligned, native-order array of the declared dtype is
 * handed to the runtime by pointer; an output the runtime hands over
 * (art_*_take_output) becomes the array's own memory, with no copy.
 */
#include <stdlib.h>
#include <string.h>

#include "ares_py.h"

unsigned long long ares_input_copies;
unsigned long long ares_output_copies;

static const struct {
	int dtype;
	int npy;
	const char *name;     /* ONNX's */
	const char *npy_name; /* numpy's */
} dtype_map[] = {
	{ART_FLOAT, NPY_FLOAT32, "float", "float32"},
	{ART_UINT8, NPY_UINT8, "uint8", "uint8"},
	{ART_INT8, NPY_INT8, "int8", "int8"},
	{ART_UINT16, NPY_UINT16, "uint16", "uint16"},
	{ART_INT16, NPY_INT16, "int16", "int16"},
	{ART_INT32, NPY_INT32, "int32", "int32"},
	{ART_INT64, NPY_INT64, "int64", "int64"},
	{ART_BOOL, NPY_BOOL, "bool", "bool"},
	{ART_FLOAT16, NPY_FLOAT16, "float16", "float16"},
	{ART_DOUBLE, NPY_FLOAT64, "double", "float64"},
	{ART_UINT32, NPY_UINT32, "uint32", "uint32"},
	{ART_UINT64, NPY_UINT64, "uint64", "uint64"},
	/* numpy has no bfloat16: its bit patterns travel as uint16. */
	{ART_BFLOAT16, NPY_UINT16, "bfloat16", "uint16"},
};

int ares_npy_type(int dtype)
{
	for (size_t i = 0; i < sizeof(dtype_map) / sizeof(dtype_map[0]); i++)
		if (dtype_map[i].dtype == dtype)
			return dtype_map[i].npy;
	return -1;
}

const char *ares_dtype_name(int dtype)
{
	for (size_t i = 0; i < sizeof(dtype_map) / sizeof(dtype_map[0]); i++)
		if (dtype_map[i].dtype == dtype)
			return dtype_map[i].name;
	return "unknown";
}

static const char *npy_name(int dtype)
{
	for (size_t i = 0; i < sizeof(dtype_map) / sizeof(dtype_map[0]); i++)
		if (dtype_map[i].dtype == dtype)
			return dtype_map[i].npy_name;
	return "?";
}

/* "(1, 3, 224, 224)" of A's shape into BUF. */
static const char *shape_str(PyArrayObject *a, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "(");
	for (int i = 0; i < PyArray_NDIM(a) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%lld", i ? ", " : "",
				      (long long)PyArray_DIM(a, i));
	if (n < len)
		snprintf(buf + n, len - n, "%s)", PyArray_NDIM(a) == 1 ? "," : "");
	return buf;
}

static PyArrayObject *check_shape(PyArrayObject *a, const char *name, const struct art_tensor *decl)
{
	char shape[256];

	if (PyArray_NDIM(a) > ART_MAX_DIMS) {
		ares_raisef(-EINVAL, "input '%s': rank %d exceeds the runtime's %d dims", name,
			    PyArray_NDIM(a), ART_MAX_DIMS);
		return NULL;
	}
	if (decl->ndim < 0)
		return a;
	if (PyArray_NDIM(a) != decl->ndim) {
		ares_raisef(-EINVAL, "input '%s': expected rank %d, got rank %d (shape %s)", name,
			    decl->ndim, PyArray_NDIM(a), shape_str(a, shape, sizeof(shape)));
		return NULL;
	}
	for (int i = 0; i < decl->ndim; i++)
		if (decl->dims[i] >= 0 && PyArray_DIM(a, i) != decl->dims[i]) {
			ares_raisef(-EINVAL,
				    "input '%s': dimension %d must be %lld, got %lld (shape %s)",
				    name, i, (long long)decl->dims[i], (long long)PyArray_DIM(a, i),
				    shape_str(a, shape, sizeof(shape)));
			return NULL;
		}
	return a;
}

PyArrayObject *ares_input_array(AresSession *s, int idx, PyObject *obj, struct art_tensor *t)
{
	const struct art_tensor *decl = &s->in_info[idx];
	const char *name = s->in_names[idx];
	int npy = ares_npy_type(decl->dtype);

	if (npy < 0) {
		ares_raisef(-ENOTSUP, "input '%s': element type %s has no numpy dtype", name,
			    art_dtype_name(decl->dtype));
		return NULL;
	}
	/* As given (no copy of an ndarray), to check its dtype first. */
	PyArrayObject *given = (PyArrayObject *)PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);
	if (!given)
		return NULL;
	if (PyArray_TYPE(given) != npy) {
		PyArray_Descr *got = PyArray_DESCR(given);
		PyObject *got_name = PyObject_Str((PyObject *)got);

		ares_raisef(-EINVAL, "input '%s': expected tensor(%s) (numpy %s), got numpy %s",
			    name, ares_dtype_name(decl->dtype), npy_name(decl->dtype),
			    got_name ? PyUnicode_AsUTF8(got_name) : "?");
		Py_XDECREF(got_name);
		Py_DECREF(given);
		return NULL;
	}
	if (!check_shape(given, name, decl)) {
		Py_DECREF(given);
		return NULL;
	}
	/* Copies only when not C-contiguous, misaligned or byte-swapped. */
	PyArrayObject *a = (PyArrayObject *)PyArray_FromAny(
		(PyObject *)given, PyArray_DescrFromType(npy), 0, 0, NPY_ARRAY_IN_ARRAY, NULL);
	if (a != given)
		ares_input_copies++;
	Py_DECREF(given);
	if (!a)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->dtype = decl->dtype;
	t->ndim = PyArray_NDIM(a);
	for (int i = 0; i < t->ndim; i++)
		t->dims[i] = PyArray_DIM(a, i);
	t->data = PyArray_DATA(a);
	return a;
}

/* numpy's type and dims of output T, or -1 with an exception set. */
static int output_layout(const struct art_tensor *t, npy_intp *dims)
{
	int npy = ares_npy_type(t->dtype);

	if (npy < 0) {
		ares_raisef(-ENOTSUP, "output element type %s has no numpy dtype",
			    art_dtype_name(t->dtype));
		return -1;
	}
	if (t->ndim < 0 || t->ndim > ART_MAX_DIMS) {
		ares_raisef(-EINVAL, "output rank %d out of range", t->ndim);
		return -1;
	}
	for (int i = 0; i < t->ndim; i++)
		dims[i] = (npy_intp)t->dims[i];
	return npy;
}

PyObject *ares_output_array(const struct art_tensor *t)
{
	npy_intp dims[ART_MAX_DIMS];
	int npy = output_layout(t, dims);

	if (npy < 0)
		return NULL;
	PyArrayObject *a = (PyArrayObject *)PyArray_SimpleNew(t->ndim, dims, npy);
	if (!a)
		return NULL;
	size_t nbytes = (size_t)PyArray_NBYTES(a);
	if (nbytes)
		memcpy(PyArray_DATA(a), t->data, nbytes);
	ares_output_copies++;
	return (PyObject *)a;
}

static void free_output(PyObject *capsule)
{
	free(PyCapsule_GetPointer(capsule, "ares.output"));
}

PyObject *ares_output_array_owned(struct art_tensor *t)
{
	npy_intp dims[ART_MAX_DIMS];
	int npy = output_layout(t, dims);
	void *data = (void *)t->data;
	PyObject *owner = NULL, *a = NULL;

	t->data = NULL;
	if (npy >= 0)
		owner = PyCapsule_New(data, "ares.output", free_output);
	if (!owner) {
		free(data);
		return NULL;
	}
	/* The runtime's storage is malloc'd, so aligned for any element type. */
	a = PyArray_SimpleNewFromData(t->ndim, dims, npy, data);
	if (!a) {
		Py_DECREF(owner);
		return NULL;
	}
	/* Steals OWNER, also when it fails (then DATA goes with it). */
	if (PyArray_SetBaseObject((PyArrayObject *)a, owner)) {
		Py_DECREF(a);
		return NULL;
	}
	return a;
}

PyObject *ares_repeated_output(PyObject *list, const long *idx, Py_ssize_t i)
{
	for (Py_ssize_t j = 0; j < i; j++)
		if (idx[j] == idx[i]) {
			ares_output_copies++;
			return PyArray_NewCopy((PyArrayObject *)PyList_GET_ITEM(list, j),
					       NPY_CORDER);
		}
	return NULL;
}
