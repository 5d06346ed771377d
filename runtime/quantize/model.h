/* SPDX-License-Identifier: MIT */
/* ares-quantize: the ModelProto helpers every step shares. Everything added
 * to a message is malloc'd, as protobuf-c's default allocator does, so
 * onnx__model_proto__free_unpacked() frees edits and original alike. */
#ifndef AQ_MODEL_H
#define AQ_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"

#define AQ_TARGET_OPSET 13 /* QuantizeLinear/DequantizeLinear with an axis */
#define AQ_TARGET_IR	7  /* the IR version opset 13 came with */

struct aq_err {
	char *buf;
	size_t len;
};

int aq_fail(struct aq_err *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The packed file, and its ModelProto (NULL on error). */
int aq_read_file(const char *path, uint8_t **data, size_t *len, struct aq_err *e);
Onnx__ModelProto *aq_unpack(const uint8_t *data, size_t len, const char *what, struct aq_err *e);
int aq_write_model(const Onnx__ModelProto *m, const char *path, struct aq_err *e);

int64_t aq_default_opset(const Onnx__ModelProto *m); /* -1 without a default-domain import */

/* Constants: initializers and the `value` of Constant nodes. */
const Onnx__TensorProto *aq_find_constant(const Onnx__GraphProto *g, const char *name);
/* Float elements of T into a new array of *COUNT; NULL when T is not a
 * float tensor with its data in the file. */
float *aq_tensor_floats(const Onnx__TensorProto *t, int64_t *count);
int aq_tensor_is_float(const Onnx__TensorProto *t);

const Onnx__AttributeProto *aq_attr(const Onnx__NodeProto *n, const char *name);
int64_t aq_attr_i(const Onnx__NodeProto *n, const char *name, int64_t dflt);
float aq_attr_f(const Onnx__NodeProto *n, const char *name, float dflt);
void aq_drop_attr(Onnx__NodeProto *n, const char *name);

/* Builders (NULL when out of memory). */
char *aq_strdup(const char *s);
Onnx__TensorProto *aq_new_tensor(const char *name, int dtype, int ndim, const int64_t *dims,
				 const void *data, size_t bytes);
Onnx__AttributeProto *aq_new_attr_i(const char *name, int64_t v);
Onnx__NodeProto *aq_new_node(const char *op, const char *name, int nin, const char *const *in,
			     const char *out);
int aq_add_attr(Onnx__NodeProto *n, Onnx__AttributeProto *a);
int aq_add_input(Onnx__NodeProto *n, const char *name);
int aq_add_initializer(Onnx__GraphProto *g, Onnx__TensorProto *t);
int aq_add_output(Onnx__GraphProto *g, const char *name);
int aq_has_output(const Onnx__GraphProto *g, const char *name);

/* Names already used in a graph, for making new ones that are not. */
struct aq_names {
	char **v;
	size_t n, cap;
};
int aq_names_init(struct aq_names *ns, const Onnx__GraphProto *g);
void aq_names_free(struct aq_names *ns);
/* A fresh name "BASE_SUFFIX" (with a number added if taken), owned by NS. */
const char *aq_names_make(struct aq_names *ns, const char *base, const char *suffix);

/* Removes Constant nodes and initializers (and graph inputs naming them)
 * that nothing reads any more. */
void aq_prune_constants(Onnx__GraphProto *g);

#endif
