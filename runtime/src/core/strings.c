// SPDX-License-Identifier: MIT
/*
 * String tensors (ART_STRING): one allocation holds the element pointers
 * and, after them, the text they point at, so a string tensor is freed
 * like any other (one free of its data) and copied only by rt_tensor_dup,
 * which points the copy's elements into the copy's own text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

char **rt_strings_alloc(int64_t n, size_t text_bytes, char **text)
{
	if (n < 0 || (uint64_t)n > (SIZE_MAX - text_bytes) / sizeof(char *) - 1)
		return NULL;
	size_t head = (size_t)n * sizeof(char *);
	char **p = malloc(head + text_bytes + 1);
	if (!p)
		return NULL;
	*text = (char *)p + head;
	return p;
}

int rt_tensor_dup(const struct art_tensor *src, struct art_tensor *dst, int64_t *bad)
{
	int64_t n = art_tensor_elems(src);
	size_t es = art_dtype_size(src->dtype);
	*bad = -1;
	if (n < 0 || !es)
		return -EINVAL;
	if (src->dtype != ART_STRING) {
		if ((uint64_t)n > SIZE_MAX / es)
			return -E2BIG;
		size_t nbytes = (size_t)n * es;
		void *d = malloc(nbytes ? nbytes : 1);
		if (!d)
			return -ENOMEM;
		if (nbytes)
			memcpy(d, src->data, nbytes);
		*dst = *src;
		dst->data = d;
		return 0;
	}
	const char *const *from = src->data;
	size_t text = 0;
	for (int64_t i = 0; i < n; i++) {
		if (!from[i]) {
			*bad = i;
			return -EINVAL;
		}
		size_t l = strlen(from[i]) + 1;
		if (l > SIZE_MAX / 2 - text)
			return -E2BIG;
		text += l;
	}
	char *pool, **to = rt_strings_alloc(n, text, &pool);
	if (!to)
		return -ENOMEM;
	for (int64_t i = 0; i < n; i++) {
		size_t l = strlen(from[i]) + 1;
		memcpy(pool, from[i], l);
		to[i] = pool;
		pool += l;
	}
	*dst = *src;
	dst->data = to;
	return 0;
}

int rt_tensor_dup_err(struct art_session *s, const char *what, const struct art_tensor *src,
		      struct art_tensor *dst)
{
	int64_t bad;
	int rc = rt_tensor_dup(src, dst, &bad);
	if (!rc)
		return 0;
	if (bad >= 0)
		return rt_err(s, rc, "%s: string element %lld is NULL", what, (long long)bad);
	return rt_err(s, rc, "%s: cannot copy a %s tensor (%s)", what, art_dtype_name(src->dtype),
		      rc == -ENOMEM ? "out of memory" : "bad shape or size");
}

int rt_strings_from_proto(const Onnx__TensorProto *tp, int64_t n, struct art_tensor *t, char *err,
			  size_t errlen)
{
	const char *name = tp->name ? tp->name : "";
	if (tp->has_raw_data ||
	    (tp->has_data_location &&
	     tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)) {
		snprintf(err, errlen,
			 "tensor '%s': string data must be in string_data (not raw or external)",
			 name);
		return -EINVAL;
	}
	if (tp->n_string_data != (size_t)n) {
		snprintf(err, errlen, "tensor '%s': %zu strings, shape needs %lld", name,
			 tp->n_string_data, (long long)n);
		return -EINVAL;
	}
	size_t text = 0;
	for (int64_t i = 0; i < n; i++) {
		const ProtobufCBinaryData *b = &tp->string_data[i];
		if (b->len && memchr(b->data, 0, b->len)) {
			snprintf(err, errlen,
				 "tensor '%s': string %lld holds a NUL byte (not supported: "
				 "elements are C strings)",
				 name, (long long)i);
			return -ENOTSUP;
		}
		text += b->len + 1; /* bounded by the file protobuf-c read */
	}
	char *pool, **p = rt_strings_alloc(n, text, &pool);
	if (!p) {
		snprintf(err, errlen, "tensor '%s': cannot allocate %lld strings", name,
			 (long long)n);
		return -ENOMEM;
	}
	for (int64_t i = 0; i < n; i++) {
		const ProtobufCBinaryData *b = &tp->string_data[i];
		if (b->len)
			memcpy(pool, b->data, b->len);
		pool[b->len] = 0;
		p[i] = pool;
		pool += b->len + 1;
	}
	t->data = p;
	return 0;
}
