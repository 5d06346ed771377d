// SPDX-License-Identifier: MIT
/*
 * The ares._ares module: ares.Error, the session flags, the Session and
 * Run types, and the libaccel half of ares.devices().
 */
#define ARES_PY_MODULE_C
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "accel.h"
#include "ares_py.h"

PyObject *ares_error;

PyObject *ares_raise(int rc, const char *msg)
{
	int err = rc < 0 ? -rc : rc;
	PyObject *exc;

	if (!msg || !msg[0])
		msg = strerror(err);
	exc = PyObject_CallFunction(ares_error, "is", err, msg);
	if (exc) {
		PyErr_SetObject(ares_error, exc);
		Py_DECREF(exc);
	}
	return NULL;
}

PyObject *ares_raisef(int rc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ares_raise(rc, msg);
}

static PyObject *version_str(uint32_t v)
{
	return PyUnicode_FromFormat("%u.%u.%u", (v >> 16) & 0xffff, (v >> 8) & 0xff, v & 0xff);
}

static int set_str(PyObject *d, const char *key, const char *val)
{
	PyObject *v = PyUnicode_FromString(val);
	int rc = v ? PyDict_SetItemString(d, key, v) : -1;

	Py_XDECREF(v);
	return rc;
}

/* What the device answers through libaccel: DEVICE_INFO and QUEUE_INFO. */
static int device_query(const struct accel_device_entry *e, PyObject *d)
{
	struct accel_queue_info queues[16];
	struct accel_device_info info;
	accel_device *dev;
	char err[512] = "";
	PyThreadState *ts;
	size_t nq = 0;
	PyObject *ql;
	int rc;

	ts = PyEval_SaveThread();
	rc = accel_device_open(e->node, &dev, err, sizeof(err));
	PyEval_RestoreThread(ts);
	if (rc)
		return set_str(d, "error", err[0] ? err : accel_strerror(rc));
	rc = accel_device_query_info(dev, &info);
	if (!rc)
		rc = accel_device_query_queues(dev, queues, sizeof(queues) / sizeof(queues[0]),
					       &nq);
	if (rc) {
		rc = set_str(d, "error", accel_device_last_error(dev));
		accel_device_close(dev);
		return rc;
	}
	accel_device_close(dev);
	if (nq > sizeof(queues) / sizeof(queues[0]))
		nq = sizeof(queues) / sizeof(queues[0]);
	ql = PyList_New((Py_ssize_t)nq);
	for (size_t i = 0; ql && i < nq; i++) {
		PyObject *q =
			Py_BuildValue("{sIsIsIsIsK}", "index", queues[i].index, "priority",
				      queues[i].priority, "ring_entries", queues[i].ring_entries,
				      "jobs_pending", queues[i].jobs_pending, "jobs_completed",
				      (unsigned long long)queues[i].jobs_completed);

		if (!q) {
			Py_CLEAR(ql);
			break;
		}
		PyList_SET_ITEM(ql, (Py_ssize_t)i, q);
	}
	PyObject *add = Py_BuildValue(
		"{sNsNsIsIsIsIsIsKsKsIsNsN}", "hw_version", version_str(info.hw_version),
		"fw_version", version_str(info.fw_version), "fw_features", info.fw_features, "caps",
		info.caps, "num_queues", info.num_queues, "max_address_spaces",
		info.max_address_spaces, "num_priorities", info.num_priorities, "va_start",
		(unsigned long long)info.va_start, "va_end", (unsigned long long)info.va_end,
		"reset_count", info.reset_count, "driver_version",
		PyUnicode_FromFormat("%d.%d.%d", info.driver_major, info.driver_minor,
				     info.driver_patch),
		"queues", ql);
	if (!add)
		return -1;
	rc = PyDict_Update(d, add);
	Py_DECREF(add);
	return rc;
}

PyObject *ares_devices(PyObject *self, PyObject *noargs)
{
	struct accel_device_entry *entries = NULL;
	size_t n = 0, cap;
	PyObject *l;
	int rc;

	(void)self;
	(void)noargs;
	rc = accel_enumerate(NULL, 0, &n);
	if (rc)
		return ares_raisef(rc, "cannot enumerate Ares devices: %s", accel_strerror(rc));
	cap = n;
	if (cap) {
		entries = PyMem_Calloc(cap, sizeof(*entries));
		if (!entries)
			return PyErr_NoMemory();
		rc = accel_enumerate(entries, cap, &n);
		if (rc) {
			PyMem_Free(entries);
			return ares_raisef(rc, "cannot enumerate Ares devices: %s",
					   accel_strerror(rc));
		}
		if (n > cap)
			n = cap; /* one appeared in between: the next call sees it */
	}
	l = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; l && i < n; i++) {
		const struct accel_device_entry *e = &entries[i];
		PyObject *d =
			Py_BuildValue("{sIsssssHsHsi}", "index", e->index, "node", e->node,
				      "pci_address", e->pci_address, "pci_vendor", e->pci_vendor,
				      "pci_device", e->pci_device, "numa_node", e->numa_node);

		if (!d || device_query(e, d)) {
			Py_XDECREF(d);
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, d);
	}
	PyMem_Free(entries);
	return l;
}

static PyObject *input_copies(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	return PyLong_FromUnsignedLongLong(ares_input_copies);
}

static PyObject *output_copies(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	return PyLong_FromUnsignedLongLong(ares_output_copies);
}

static PyMethodDef module_methods[] = {
	{"devices", ares_devices, METH_NOARGS,
	 "devices() -> [dict]: each Ares device's entry, DEVICE_INFO and queues (libaccel)"},
	{"input_copies", input_copies, METH_NOARGS,
	 "input_copies() -> int: inputs copied to become contiguous since import"},
	{"output_copies", output_copies, METH_NOARGS,
	 "output_copies() -> int: outputs copied into a new array since import (the rest are "
	 "handed over by the runtime)"},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef ares_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "ares._ares",
	.m_doc = "C binding of libares_rt and libaccel under the ares package",
	.m_size = -1,
	.m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__ares(void)
{
	PyObject *m, *bases;

	import_array();
	if (PyType_Ready(&AresSession_Type) < 0 || PyType_Ready(&AresRun_Type) < 0)
		return NULL;
	m = PyModule_Create(&ares_module);
	if (!m)
		return NULL;
	/* OSError gives .errno and .strerror; RuntimeError is what
	 * onnxruntime's errors derive from, so ported handlers still catch. */
	bases = PyTuple_Pack(2, PyExc_OSError, PyExc_RuntimeError);
	ares_error =
		bases ? PyErr_NewExceptionWithDoc(
				"ares.Error",
				"An error of the Ares runtime or device: Error(errno, message); "
				".errno is the runtime's errno, .strerror its message.",
				bases, NULL)
		      : NULL;
	Py_XDECREF(bases);
	if (!ares_error || PyModule_AddObjectRef(m, "Error", ares_error) ||
	    PyModule_AddObjectRef(m, "Session", (PyObject *)&AresSession_Type) ||
	    PyModule_AddObjectRef(m, "Run", (PyObject *)&AresRun_Type) ||
	    PyModule_AddIntConstant(m, "CPU_ONLY", ART_CPU_ONLY) ||
	    PyModule_AddIntConstant(m, "NO_FALLBACK", ART_NO_FALLBACK) ||
	    PyModule_AddIntConstant(m, "NO_OPT", ART_NO_OPT) ||
	    PyModule_AddIntConstant(m, "CPU_REFERENCE", ART_CPU_REFERENCE)) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
