// SPDX-License-Identifier: MIT
/*
 * _ares.Run: one art_run, a run of a session that can be in flight while
 * others are (ares_rt.h, "Runs in flight"). Submit and wait release the
 * GIL; the package's Python side queues runs and completes futures.
 */
#include <errno.h>

#include "ares_py.h"

typedef struct {
	PyObject_HEAD AresSession *session; /* strong: runs die before their session */
	art_run *r;
} AresRun;

static int Run_init(AresRun *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"session", NULL};
	AresSession *session;
	int rc;

	if (self->r) {
		PyErr_SetString(PyExc_RuntimeError, "Run is already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O!", kwlist, &AresSession_Type, &session))
		return -1;
	if (!session->s) {
		PyErr_SetString(PyExc_RuntimeError, "Session is not initialised");
		return -1;
	}
	ares_session_lock(session);
	rc = art_run_create(session->s, &self->r);
	if (rc)
		ares_raise(rc, art_session_errmsg(session->s));
	ares_session_unlock(session);
	if (rc)
		return -1;
	self->session = (AresSession *)Py_NewRef((PyObject *)session);
	return 0;
}

static void Run_dealloc(AresRun *self)
{
	if (self->r)
		ares_session_destroy_run(self->session, self->r);
	Py_XDECREF(self->session);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int check_run(AresRun *self)
{
	if (self->r)
		return 0;
	PyErr_SetString(PyExc_RuntimeError, "Run is not initialised");
	return -1;
}

static PyObject *run_error(AresRun *self, int rc)
{
	return ares_raise(rc, art_session_errmsg(self->session->s));
}

static PyObject *Run_set_inputs(AresRun *self, PyObject *inputs)
{
	AresSession *s;
	PyArrayObject **arrays = NULL;
	struct art_tensor *tensors = NULL;
	PyObject *res = NULL;
	PyThreadState *ts;
	int rc = 0;

	if (check_run(self))
		return NULL;
	s = self->session;
	arrays = PyMem_Calloc((size_t)s->ninputs + 1, sizeof(*arrays));
	tensors = PyMem_Calloc((size_t)s->ninputs + 1, sizeof(*tensors));
	if (!arrays || !tensors) {
		PyErr_NoMemory();
		goto out;
	}
	if (ares_session_inputs(s, inputs, arrays, tensors))
		goto out;
	ares_session_lock(s);
	/* art_run_set_input copies: no GIL needed for that long. */
	ts = PyEval_SaveThread();
	for (int i = 0; i < s->ninputs && !rc; i++)
		rc = art_run_set_input(self->r, i, &tensors[i]);
	PyEval_RestoreThread(ts);
	if (rc)
		run_error(self, rc);
	else
		res = Py_NewRef(Py_None);
	ares_session_unlock(s);
out:
	for (int i = 0; arrays && i < s->ninputs; i++)
		Py_XDECREF(arrays[i]);
	PyMem_Free(arrays);
	PyMem_Free(tensors);
	return res;
}

static PyObject *Run_submit(AresRun *self, PyObject *noargs)
{
	PyThreadState *ts;
	int rc;

	(void)noargs;
	if (check_run(self))
		return NULL;
	ares_session_lock(self->session);
	ts = PyEval_SaveThread();
	rc = art_run_submit(self->r);
	PyEval_RestoreThread(ts);
	if (rc)
		run_error(self, rc);
	ares_session_unlock(self->session);
	if (rc)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Run_wait(AresRun *self, PyObject *args)
{
	long long timeout_ns = -1;
	PyThreadState *ts;
	int rc;

	if (check_run(self) || !PyArg_ParseTuple(args, "|L", &timeout_ns))
		return NULL;
	ares_session_lock(self->session);
	ts = PyEval_SaveThread();
	rc = art_run_wait(self->r, timeout_ns);
	PyEval_RestoreThread(ts);
	if (rc)
		run_error(self, rc);
	ares_session_unlock(self->session);
	if (rc)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Run_outputs(AresRun *self, PyObject *outputs)
{
	PyObject *seq, *res;
	Py_ssize_t n;
	long *idx;

	if (check_run(self))
		return NULL;
	seq = PySequence_Fast(outputs, "outputs must be a sequence of indices");
	if (!seq)
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	res = PyList_New(n);
	idx = PyMem_Calloc((size_t)n + 1, sizeof(*idx));
	if (!idx)
		Py_CLEAR(res);
	ares_session_lock(self->session);
	for (Py_ssize_t i = 0; res && i < n; i++) {
		struct art_tensor t;
		PyObject *a = NULL;
		int rc;

		idx[i] = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
		if (idx[i] == -1 && PyErr_Occurred()) {
			Py_CLEAR(res);
			break;
		}
		a = ares_repeated_output(res, idx, i);
		if (a || PyErr_Occurred()) {
			if (!a)
				Py_CLEAR(res);
			else
				PyList_SET_ITEM(res, i, a);
			continue;
		}
		rc = idx[i] < 0 || idx[i] >= self->session->noutputs
			     ? -EINVAL
			     : art_run_take_output(self->r, (int)idx[i], &t);
		if (rc)
			ares_raisef(rc,
				    "output %ld of the run: not available (the run did not "
				    "complete, no such output, or already taken)",
				    idx[i]);
		else
			a = ares_output_array_owned(&t);
		if (!a) {
			Py_CLEAR(res);
			break;
		}
		PyList_SET_ITEM(res, i, a);
	}
	ares_session_unlock(self->session);
	if (!idx && !PyErr_Occurred())
		PyErr_NoMemory();
	PyMem_Free(idx);
	Py_DECREF(seq);
	return res;
}

static PyObject *Run_get_is_async(AresRun *self, void *closure)
{
	(void)closure;
	if (check_run(self))
		return NULL;
	return PyBool_FromLong(art_run_is_async(self->r));
}

static PyMethodDef Run_methods[] = {
	{"set_inputs", (PyCFunction)Run_set_inputs, METH_O,
	 "set_inputs(inputs): one array per graph input, in order (copied by the runtime)"},
	{"submit", (PyCFunction)Run_submit, METH_NOARGS,
	 "art_run_submit(): queues the device job, or runs the model now when not async"},
	{"wait", (PyCFunction)Run_wait, METH_VARARGS,
	 "wait(timeout_ns=-1): art_run_wait(); ares.Error ETIME if still in flight"},
	{"outputs", (PyCFunction)Run_outputs, METH_O,
	 "outputs(indices) -> list of arrays of the completed run"},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef Run_getset[] = {
	{"is_async", (getter)Run_get_is_async, NULL,
	 "True when submit only queues the device job (art_run_is_async)", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject AresRun_Type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ares._ares.Run",
	.tp_basicsize = sizeof(AresRun),
	.tp_dealloc = (destructor)Run_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Run(session): one art_run of a session, reusable",
	.tp_methods = Run_methods,
	.tp_getset = Run_getset,
	.tp_init = (initproc)Run_init,
	.tp_new = PyType_GenericNew,
};
