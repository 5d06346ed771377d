// SPDX-License-Identifier: MIT
/*
 * _ares.Session: one art_session, its declared inputs and outputs, the
 * synchronous run (art_session_run with the GIL released), statistics,
 * placement and the per-run profile.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ares_py.h"

void ares_session_lock(AresSession *s)
{
	PyThreadState *ts;

	if (PyThread_acquire_lock(s->lock, NOWAIT_LOCK)) {
		__atomic_store_n(&s->owner, PyThread_get_thread_ident(), __ATOMIC_RELAXED);
		return;
	}
	ts = PyEval_SaveThread();
	PyThread_acquire_lock(s->lock, WAIT_LOCK);
	PyEval_RestoreThread(ts);
	__atomic_store_n(&s->owner, PyThread_get_thread_ident(), __ATOMIC_RELAXED);
}

void ares_session_unlock(AresSession *s)
{
	if (s->ndoomed) {
		PyThreadState *ts = PyEval_SaveThread();

		while (s->ndoomed)
			art_run_destroy(s->doomed[--s->ndoomed]);
		PyEval_RestoreThread(ts);
	}
	__atomic_store_n(&s->owner, 0, __ATOMIC_RELAXED);
	PyThread_release_lock(s->lock);
}

void ares_session_destroy_run(AresSession *s, art_run *r)
{
	PyThreadState *ts;

	if (__atomic_load_n(&s->owner, __ATOMIC_RELAXED) == PyThread_get_thread_ident()) {
		/* Taking the lock again would deadlock this thread. */
		art_run **d = PyMem_RawRealloc(s->doomed, ((size_t)s->ndoomed + 1) * sizeof(*d));

		if (d) { /* else the run leaks: better than a deadlock */
			s->doomed = d;
			s->doomed[s->ndoomed++] = r;
		}
		return;
	}
	ares_session_lock(s);
	ts = PyEval_SaveThread();
	art_run_destroy(r);
	PyEval_RestoreThread(ts);
	ares_session_unlock(s);
}

/* ares.Error from the session's last message; the lock is held. */
static PyObject *session_error(AresSession *s, int rc)
{
	return ares_raise(rc, art_session_errmsg(s->s));
}

/* Writes LEN bytes of model into an anonymous file; its /proc path, which
 * the runtime opens like any file, goes to PATH. The fd or -1. */
static int model_memfd(const void *data, size_t len, char *path, size_t pathlen)
{
	int fd = memfd_create("ares-model", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

static int session_read_io(AresSession *self)
{
	self->ninputs = art_session_input_count(self->s);
	self->noutputs = art_session_output_count(self->s);
	if (self->ninputs < 0 || self->noutputs < 0) {
		ares_raise(-EINVAL, "the runtime reports no inputs or outputs");
		return -1;
	}
	self->in_info = PyMem_Calloc((size_t)self->ninputs + 1, sizeof(*self->in_info));
	self->out_info = PyMem_Calloc((size_t)self->noutputs + 1, sizeof(*self->out_info));
	self->in_names = PyMem_Calloc((size_t)self->ninputs + 1, sizeof(*self->in_names));
	self->out_names = PyMem_Calloc((size_t)self->noutputs + 1, sizeof(*self->out_names));
	if (!self->in_info || !self->out_info || !self->in_names || !self->out_names) {
		PyErr_NoMemory();
		return -1;
	}
	for (int i = 0; i < self->ninputs; i++) {
		int rc = art_session_input_info(self->s, i, &self->in_names[i], &self->in_info[i]);

		if (rc) {
			session_error(self, rc);
			return -1;
		}
		/* numpy arrays are tensors: a sequence has no form here. */
		if (art_session_input_kind(self->s, i) != ART_KIND_TENSOR) {
			ares_raisef(-ENOTSUP,
				    "input '%s' is a sequence: the Python binding takes and gives "
				    "tensors (numpy arrays) only",
				    self->in_names[i]);
			return -1;
		}
	}
	for (int i = 0; i < self->noutputs; i++) {
		int rc = art_session_output_info(self->s, i, &self->out_names[i],
						 &self->out_info[i]);

		if (rc) {
			session_error(self, rc);
			return -1;
		}
		if (art_session_output_kind(self->s, i) != ART_KIND_TENSOR) {
			ares_raisef(-ENOTSUP,
				    "output '%s' is a sequence: the Python binding takes and gives "
				    "tensors (numpy arrays) only",
				    self->out_names[i]);
			return -1;
		}
	}
	return 0;
}

static int Session_init(AresSession *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"model", "flags", "device_index", "threads", "precision", NULL};
	struct art_session_options opts;
	PyObject *model, *path_bytes = NULL;
	unsigned int flags = 0;
	int device_index = -1, threads = 0, precision = 0, fd = -1, rc;
	char memfd_path[64] = "";
	PyThreadState *ts;
	const char *path;
	Py_buffer view;

	if (self->s) {
		PyErr_SetString(PyExc_RuntimeError, "Session is already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|Iiii", kwlist, &model, &flags, &device_index,
					 &threads, &precision))
		return -1;
	if (!PyUnicode_Check(model) && PyObject_CheckBuffer(model)) {
		/* The serialised model itself, as onnxruntime takes it. */
		if (PyObject_GetBuffer(model, &view, PyBUF_SIMPLE))
			return -1;
		fd = model_memfd(view.buf, (size_t)view.len, memfd_path, sizeof(memfd_path));
		PyBuffer_Release(&view);
		if (fd < 0) {
			ares_raisef(-errno, "cannot hold the model's bytes in a memfd: %s",
				    strerror(errno));
			return -1;
		}
		path = memfd_path;
	} else {
		if (!PyUnicode_FSConverter(model, &path_bytes))
			return -1;
		path = PyBytes_AS_STRING(path_bytes);
	}
	memset(&opts, 0, sizeof(opts));
	opts.flags = flags;
	opts.device_index = device_index;
	opts.threads = threads;
	opts.precision = precision;
	self->lock = PyThread_allocate_lock();
	if (!self->lock) {
		PyErr_NoMemory();
		rc = -1;
		goto out;
	}
	ts = PyEval_SaveThread();
	rc = art_session_create_opts(path, &opts, &self->s);
	PyEval_RestoreThread(ts);
	if (rc) {
		const char *msg = self->s ? art_session_errmsg(self->s) : "";
		size_t plen = strlen(memfd_path);

		/* Messages name the file: the memfd's path means nothing to
		 * whoever passed the bytes. */
		if (fd >= 0 && !strncmp(msg, memfd_path, plen))
			ares_raisef(rc, "model bytes%s", msg + plen);
		else
			ares_raise(rc, msg);
		art_session_destroy(self->s);
		self->s = NULL;
		rc = -1;
		goto out;
	}
	rc = session_read_io(self);
out:
	Py_XDECREF(path_bytes);
	if (fd >= 0)
		close(fd);
	return rc;
}

static void Session_dealloc(AresSession *self)
{
	/* Runs hold a reference to their session: none is alive here. */
	art_session_destroy(self->s);
	PyMem_RawFree(self->doomed);
	if (self->lock)
		PyThread_free_lock(self->lock);
	PyMem_Free(self->in_info);
	PyMem_Free(self->out_info);
	PyMem_Free(self->in_names);
	PyMem_Free(self->out_names);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int check_open(AresSession *self)
{
	if (self->s)
		return 0;
	PyErr_SetString(PyExc_RuntimeError, "Session is not initialised");
	return -1;
}

/* (name, onnx type name, numpy dtype, shape with None for dynamic dims, or
 * None when the rank is unknown). */
static PyObject *io_tuple(const char *name, const struct art_tensor *t)
{
	PyObject *shape, *dtype;
	int npy = ares_npy_type(t->dtype);

	if (t->ndim < 0) {
		shape = Py_NewRef(Py_None);
	} else {
		shape = PyList_New(t->ndim);
		for (int i = 0; shape && i < t->ndim; i++)
			PyList_SET_ITEM(shape, i,
					t->dims[i] < 0 ? Py_NewRef(Py_None)
						       : PyLong_FromLongLong(t->dims[i]));
	}
	if (!shape)
		return NULL;
	dtype = npy >= 0 ? (PyObject *)PyArray_DescrFromType(npy) : Py_NewRef(Py_None);
	return Py_BuildValue("(ssNN)", name, ares_dtype_name(t->dtype), dtype, shape);
}

static PyObject *io_list(const char **names, const struct art_tensor *info, int n)
{
	PyObject *l = PyList_New(n);

	for (int i = 0; l && i < n; i++) {
		PyObject *t = io_tuple(names[i], &info[i]);

		if (!t) {
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, i, t);
	}
	return l;
}

static PyObject *Session_io(AresSession *self, PyObject *noargs)
{
	(void)noargs;
	if (check_open(self))
		return NULL;
	return Py_BuildValue("(NN)", io_list(self->in_names, self->in_info, self->ninputs),
			     io_list(self->out_names, self->out_info, self->noutputs));
}

/* OUTPUTS (a sequence of output indices) as a C array; NULL on error. */
static long *output_indices(AresSession *self, PyObject *outputs, Py_ssize_t *n)
{
	PyObject *seq = PySequence_Fast(outputs, "outputs must be a sequence of indices");
	long *idx;

	if (!seq)
		return NULL;
	*n = PySequence_Fast_GET_SIZE(seq);
	idx = PyMem_Calloc((size_t)*n + 1, sizeof(*idx));
	if (!idx) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return NULL;
	}
	for (Py_ssize_t i = 0; i < *n; i++) {
		long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));

		if (v == -1 && PyErr_Occurred())
			goto fail;
		if (v < 0 || v >= self->noutputs) {
			ares_raisef(-EINVAL, "output index %ld out of range (%d outputs)", v,
				    self->noutputs);
			goto fail;
		}
		idx[i] = v;
	}
	Py_DECREF(seq);
	return idx;
fail:
	Py_DECREF(seq);
	PyMem_Free(idx);
	return NULL;
}

/* INPUTS (one array per graph input, in order) as checked arrays and
 * tensors pointing into them; 0 or -1. */
int ares_session_inputs(AresSession *self, PyObject *inputs, PyArrayObject **arrays,
			struct art_tensor *tensors)
{
	PyObject *seq = PySequence_Fast(inputs, "inputs must be a sequence of arrays");

	if (!seq)
		return -1;
	if (PySequence_Fast_GET_SIZE(seq) != self->ninputs) {
		ares_raisef(-EINVAL, "%zd inputs given, the model has %d",
			    PySequence_Fast_GET_SIZE(seq), self->ninputs);
		Py_DECREF(seq);
		return -1;
	}
	for (int i = 0; i < self->ninputs; i++) {
		arrays[i] =
			ares_input_array(self, i, PySequence_Fast_GET_ITEM(seq, i), &tensors[i]);
		if (!arrays[i]) {
			Py_DECREF(seq);
			return -1;
		}
	}
	Py_DECREF(seq);
	return 0;
}

static PyObject *Session_run(AresSession *self, PyObject *args)
{
	PyObject *inputs, *outputs, *result = NULL;
	PyArrayObject **arrays = NULL;
	struct art_tensor *tensors = NULL;
	Py_ssize_t nout = 0;
	long *oidx = NULL;
	int rc = 0;
	PyThreadState *ts;

	if (check_open(self) || !PyArg_ParseTuple(args, "OO", &inputs, &outputs))
		return NULL;
	oidx = output_indices(self, outputs, &nout);
	if (!oidx)
		return NULL;
	arrays = PyMem_Calloc((size_t)self->ninputs + 1, sizeof(*arrays));
	tensors = PyMem_Calloc((size_t)self->ninputs + 1, sizeof(*tensors));
	if (!arrays || !tensors) {
		PyErr_NoMemory();
		goto out;
	}
	if (ares_session_inputs(self, inputs, arrays, tensors))
		goto out;
	ares_session_lock(self);
	ts = PyEval_SaveThread();
	for (int i = 0; i < self->ninputs && !rc; i++)
		rc = art_session_set_input(self->s, i, &tensors[i]);
	if (!rc)
		rc = art_session_run(self->s);
	PyEval_RestoreThread(ts);
	if (rc) {
		session_error(self, rc);
		ares_session_unlock(self);
		goto out;
	}
	result = PyList_New(nout);
	for (Py_ssize_t i = 0; result && i < nout; i++) {
		struct art_tensor t;
		PyObject *a = ares_repeated_output(result, oidx, i);

		if (!a && !PyErr_Occurred()) {
			rc = art_session_take_output(self->s, (int)oidx[i], &t);
			a = rc ? session_error(self, rc) : ares_output_array_owned(&t);
		}
		if (!a) {
			Py_CLEAR(result);
			break;
		}
		PyList_SET_ITEM(result, i, a);
	}
	ares_session_unlock(self);
out:
	for (int i = 0; arrays && i < self->ninputs; i++)
		Py_XDECREF(arrays[i]);
	PyMem_Free(arrays);
	PyMem_Free(tensors);
	PyMem_Free(oidx);
	return result;
}

static PyObject *Session_stats(AresSession *self, PyObject *noargs)
{
	struct art_session_stats st;
	int rc;

	(void)noargs;
	if (check_open(self))
		return NULL;
	ares_session_lock(self);
	rc = art_session_get_stats(self->s, &st);
	if (rc) {
		session_error(self, rc);
		ares_session_unlock(self);
		return NULL;
	}
	ares_session_unlock(self);
	return Py_BuildValue("{sKsKsKsisisisisisi}", "runs", (unsigned long long)st.runs,
			     "device_submits", (unsigned long long)st.device_submits, "compiles",
			     (unsigned long long)st.compiles, "partitions", st.partitions,
			     "device_nodes", st.device_nodes, "cpu_nodes", st.cpu_nodes,
			     "folded_nodes", st.folded_nodes, "fallback_partitions",
			     st.fallback_partitions, "loaded_nodes", st.loaded_nodes);
}

static PyObject *Session_placement(AresSession *self, PyObject *noargs)
{
	PyObject *l;
	int n;

	(void)noargs;
	if (check_open(self))
		return NULL;
	ares_session_lock(self);
	n = art_session_node_count(self->s);
	l = PyList_New(n > 0 ? n : 0);
	for (int i = 0; l && i < n; i++) {
		const char *name = NULL, *op = NULL, *dev = NULL, *why = NULL, *fused;
		int rc = art_session_placement(self->s, i, &name, &op, &dev, &why);
		PyObject *row;

		if (rc) {
			session_error(self, rc);
			Py_CLEAR(l);
			break;
		}
		fused = art_session_node_fused(self->s, i);
		row = Py_BuildValue("(sssss)", name ? name : "", op ? op : "", dev ? dev : "",
				    why ? why : "", fused ? fused : "");
		if (!row) {
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, i, row);
	}
	ares_session_unlock(self);
	return l;
}

static PyObject *Session_set_profiling(AresSession *self, PyObject *arg)
{
	int on = PyObject_IsTrue(arg), rc;

	if (on < 0 || check_open(self))
		return NULL;
	ares_session_lock(self);
	rc = art_session_set_profiling(self->s, on);
	if (rc) {
		session_error(self, rc);
		ares_session_unlock(self);
		return NULL;
	}
	ares_session_unlock(self);
	Py_RETURN_NONE;
}

/* The last profiled run as the runtime writes it (Chrome-trace JSON). */
static PyObject *Session_profile_json(AresSession *self, PyObject *noargs)
{
	char path[64];
	PyObject *res = NULL;
	char *buf = NULL;
	off_t len;
	int fd, rc;

	(void)noargs;
	if (check_open(self))
		return NULL;
	fd = memfd_create("ares-profile", MFD_CLOEXEC);
	if (fd < 0)
		return ares_raisef(-errno, "memfd for the profile: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ares_session_lock(self);
	rc = art_session_write_profile(self->s, path);
	if (rc) {
		session_error(self, rc);
		ares_session_unlock(self);
		goto out;
	}
	ares_session_unlock(self);
	len = lseek(fd, 0, SEEK_END);
	buf = len >= 0 ? PyMem_Malloc((size_t)len + 1) : NULL;
	if (!buf || pread(fd, buf, (size_t)len, 0) != len) {
		ares_raisef(-EIO, "cannot read back the profile");
		goto out;
	}
	res = PyUnicode_DecodeUTF8(buf, len, "replace");
out:
	PyMem_Free(buf);
	close(fd);
	return res;
}

static PyObject *Session_get_device(AresSession *self, void *closure)
{
	(void)closure;
	if (check_open(self))
		return NULL;
	return PyLong_FromLong(art_session_device(self->s));
}

static PyMethodDef Session_methods[] = {
	{"io", (PyCFunction)Session_io, METH_NOARGS,
	 "io() -> (inputs, outputs): (name, onnx type, numpy dtype, shape) of each"},
	{"run", (PyCFunction)Session_run, METH_VARARGS,
	 "run(inputs, output_indices) -> list of arrays; inputs: one array per graph input"},
	{"stats", (PyCFunction)Session_stats, METH_NOARGS, "art_session_get_stats() as a dict"},
	{"placement", (PyCFunction)Session_placement, METH_NOARGS,
	 "[(node, op, device, reason, fused)] per node of the optimised graph"},
	{"set_profiling", (PyCFunction)Session_set_profiling, METH_O,
	 "art_session_set_profiling(on)"},
	{"profile_json", (PyCFunction)Session_profile_json, METH_NOARGS,
	 "the last profiled run as Chrome-trace JSON text"},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef Session_getset[] = {
	{"device", (getter)Session_get_device, NULL, "N of accelN, or -1 on the CPU only", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject AresSession_Type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ares._ares.Session",
	.tp_basicsize = sizeof(AresSession),
	.tp_dealloc = (destructor)Session_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Session(model, flags=0, device_index=-1, threads=0): one art_session. "
		  "model is a path or the model's bytes.",
	.tp_methods = Session_methods,
	.tp_getset = Session_getset,
	.tp_init = (initproc)Session_init,
	.tp_new = PyType_GenericNew,
};
