// SPDX-License-Identifier: MIT
/*
 * Sequence values (ONNX seq(tensor)): an ordered list of tensors of one
 * element type, each item a copy the sequence owns. The SequenceProto
 * loader and the public art_sequence_* calls live here too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

struct rt_seq *rt_seq_new(int elem)
{
	struct rt_seq *q = calloc(1, sizeof(*q));
	if (q)
		q->elem = elem;
	return q;
}

void rt_seq_free(struct rt_seq *q)
{
	if (!q)
		return;
	for (int i = 0; i < q->n; i++)
		free((void *)q->items[i].data);
	free(q->items);
	free(q);
}

int rt_seq_insert(struct rt_seq *q, int pos, const struct art_tensor *t, int64_t *bad)
{
	*bad = -1;
	if (pos < 0 || pos > q->n)
		return -EINVAL;
	if (q->n == q->cap) {
		int cap = q->cap ? q->cap * 2 : 4;
		struct art_tensor *v = realloc(q->items, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		q->items = v;
		q->cap = cap;
	}
	struct art_tensor copy;
	int rc = rt_tensor_dup(t, &copy, bad);
	if (rc)
		return rc;
	memmove(&q->items[pos + 1], &q->items[pos], (size_t)(q->n - pos) * sizeof(*q->items));
	q->items[pos] = copy;
	q->n++;
	return 0;
}

int rt_seq_adopt(struct rt_seq *q, const struct art_tensor *t)
{
	if (q->n == q->cap) {
		int cap = q->cap ? q->cap * 2 : 4;
		struct art_tensor *v = realloc(q->items, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		q->items = v;
		q->cap = cap;
	}
	q->items[q->n++] = *t;
	return 0;
}

void rt_seq_erase(struct rt_seq *q, int pos)
{
	free((void *)q->items[pos].data);
	memmove(&q->items[pos], &q->items[pos + 1], (size_t)(q->n - pos - 1) * sizeof(*q->items));
	q->n--;
}

struct rt_seq *rt_seq_dup(const struct rt_seq *q)
{
	struct rt_seq *c = rt_seq_new(q->elem);
	int64_t bad;
	for (int i = 0; c && i < q->n; i++)
		if (rt_seq_insert(c, i, &q->items[i], &bad)) {
			rt_seq_free(c);
			return NULL;
		}
	return c;
}

int rt_declared_kind(const Onnx__ValueInfoProto *vi, int *elem)
{
	if (elem)
		*elem = 0;
	if (!vi || !vi->type || vi->type->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET ||
	    vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return ART_KIND_TENSOR;
	if (vi->type->value_case != ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE)
		return 0;
	const Onnx__TypeProto *e = vi->type->sequence_type->elem_type;
	if (!e)
		return ART_KIND_SEQUENCE; /* element type left open */
	if (e->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return 0;
	if (elem && e->tensor_type->has_elem_type)
		*elem = e->tensor_type->elem_type;
	return ART_KIND_SEQUENCE;
}

/* SequenceProto.DataType (onnx-data.proto). */
enum { SEQ_TENSOR = 1, SEQ_SPARSE = 2, SEQ_SEQUENCE = 3, SEQ_MAP = 4, SEQ_OPTIONAL = 5 };

int rt_seq_from_proto(const Onnx__SequenceProto *sp, struct rt_seq **out, char *err, size_t errlen)
{
	static const char *const kinds[] = {"undefined", "tensors", "sparse tensors",
					    "sequences", "maps",    "optionals"};
	const char *name = sp->name ? sp->name : "";
	int kind = sp->has_elem_type ? sp->elem_type : 0;
	*out = NULL;
	if (sp->n_sparse_tensor_values || sp->n_sequence_values || sp->base.n_unknown_fields ||
	    (kind && kind != SEQ_TENSOR) || (!kind && sp->n_tensor_values)) {
		snprintf(err, errlen,
			 "sequence '%s': only sequences of dense tensors are supported (elem_type "
			 "%s, %zu nested sequences, %zu sparse tensors, %u other fields such as "
			 "maps)",
			 name, kind >= 0 && kind <= SEQ_OPTIONAL ? kinds[kind] : "unknown",
			 sp->n_sequence_values, sp->n_sparse_tensor_values,
			 sp->base.n_unknown_fields);
		return -ENOTSUP;
	}
	if (sp->n_tensor_values > INT32_MAX / 2) {
		snprintf(err, errlen, "sequence '%s': %zu items, too many", name,
			 sp->n_tensor_values);
		return -EINVAL;
	}
	struct rt_seq *q = rt_seq_new(0);
	if (!q) {
		snprintf(err, errlen, "sequence '%s': out of memory", name);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sp->n_tensor_values; i++) {
		struct art_tensor t;
		void *buf;
		int rc = rt_tensor_from_proto(sp->tensor_values[i], ".", &t, &buf, err, errlen);
		if (!rc && i && t.dtype != q->elem) {
			snprintf(
				err, errlen,
				"sequence '%s': item %zu is %s, item 0 is %s (a sequence holds one "
				"element type)",
				name, i, art_dtype_name(t.dtype), art_dtype_name(q->elem));
			free(buf);
			rc = -EINVAL;
		}
		if (rc) {
			rt_seq_free(q);
			return rc;
		}
		q->elem = t.dtype;
		int64_t bad;
		/* One copy more than needed, for one path of ownership. */
		rc = rt_seq_insert(q, q->n, &t, &bad);
		free(buf);
		if (rc) {
			snprintf(err, errlen, "sequence '%s': out of memory at item %zu", name, i);
			rt_seq_free(q);
			return rc;
		}
	}
	*out = q;
	return 0;
}

int art_sequence_load(const char *path, struct art_sequence *seq, char *err, size_t errlen)
{
	memset(seq, 0, sizeof(*seq));
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (len == cap) {
			uint8_t *d = realloc(data, cap = cap ? cap * 2 : 4096);
			if (!d) {
				rc = -ENOMEM;
				break;
			}
			data = d;
		}
		size_t got = fread(data + len, 1, cap - len, f);
		len += got;
		if (!got)
			break;
	}
	if (!rc && ferror(f))
		rc = -EIO;
	fclose(f);
	if (rc) {
		free(data);
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	Onnx__SequenceProto *sp = onnx__sequence_proto__unpack(NULL, len, data);
	free(data);
	if (!sp) {
		snprintf(err, errlen, "%s: not a valid SequenceProto (malformed or truncated)",
			 path);
		return -EINVAL;
	}
	struct rt_seq *q;
	rc = rt_seq_from_proto(sp, &q, err, errlen);
	onnx__sequence_proto__free_unpacked(sp, NULL);
	if (rc)
		return rc;
	/* The caller gets the items array; the rt_seq shell goes. */
	seq->elem_dtype = q->elem;
	seq->count = q->n;
	seq->items = q->items;
	if (!q->items && !(seq->items = calloc(1, sizeof(*seq->items)))) {
		free(q);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	free(q);
	return 0;
}

void art_sequence_free(struct art_sequence *seq)
{
	if (!seq)
		return;
	for (int i = 0; i < seq->count; i++)
		free((void *)seq->items[i].data);
	free((void *)seq->items);
	seq->items = NULL;
	seq->count = 0;
}
