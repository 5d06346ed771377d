// SPDX-License-Identifier: MIT
/*
 * KServe v2 datatype names and the JSON form of tensor data: a request's
 * "data" may be flat or nested row-major arrays (the protocol allows
 * both); a response's is always flat. FP32 values are printed with 9
 * significant digits, which reads back as the same float.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tensor_json.h"

static const struct {
	int dtype;
	const char *name;
} kserve_types[] = {
	{ART_BOOL, "BOOL"},	{ART_UINT8, "UINT8"},	{ART_UINT16, "UINT16"},
	{ART_UINT32, "UINT32"}, {ART_UINT64, "UINT64"}, {ART_INT8, "INT8"},
	{ART_INT16, "INT16"},	{ART_INT32, "INT32"},	{ART_INT64, "INT64"},
	{ART_FLOAT, "FP32"},	{ART_DOUBLE, "FP64"},
};

const char *dtype_to_kserve(int dtype)
{
	for (size_t i = 0; i < sizeof(kserve_types) / sizeof(kserve_types[0]); i++)
		if (kserve_types[i].dtype == dtype)
			return kserve_types[i].name;
	return NULL;
}

int dtype_from_kserve(const char *s)
{
	for (size_t i = 0; i < sizeof(kserve_types) / sizeof(kserve_types[0]); i++)
		if (!strcmp(kserve_types[i].name, s))
			return kserve_types[i].dtype;
	return 0;
}

struct fill {
	int dtype;
	char *dst;
	int64_t n, cap;
	char *err;
	size_t errlen;
	const char *input;
};

static int put_value(struct fill *f, json_object *v)
{
	enum json_type t = json_object_get_type(v);
	double d;
	int64_t i = 0;
	uint64_t u = 0;
	bool is_int = t == json_type_int;

	if (f->n >= f->cap) {
		snprintf(f->err, f->errlen, "input %s: more data than its shape holds (%lld)",
			 f->input, (long long)f->cap);
		return -EINVAL;
	}
	if (f->dtype == ART_BOOL) {
		if (t != json_type_boolean) {
			snprintf(f->err, f->errlen, "input %s: element %lld is not a boolean",
				 f->input, (long long)f->n);
			return -EINVAL;
		}
		((uint8_t *)f->dst)[f->n++] = json_object_get_boolean(v) ? 1 : 0;
		return 0;
	}
	if (t != json_type_int && t != json_type_double) {
		snprintf(f->err, f->errlen, "input %s: element %lld is not a number", f->input,
			 (long long)f->n);
		return -EINVAL;
	}
	d = json_object_get_double(v);
	if (f->dtype != ART_FLOAT && f->dtype != ART_DOUBLE) {
		/* Integer types take integers only, in range. */
		if (!is_int) {
			snprintf(f->err, f->errlen,
				 "input %s: element %lld is %g, the datatype %s takes integers",
				 f->input, (long long)f->n, d, dtype_to_kserve(f->dtype));
			return -EINVAL;
		}
		errno = 0;
		if (f->dtype == ART_UINT64 && json_object_get_int64(v) == INT64_MAX)
			u = json_object_get_uint64(v);
		i = json_object_get_int64(v);
	}
	switch (f->dtype) {
#define RANGE(lo, hi)                                                                              \
	if (i < (lo) || i > (hi))                                                                  \
		goto range;
	case ART_FLOAT:
		((float *)f->dst)[f->n] = (float)d;
		break;
	case ART_DOUBLE:
		((double *)f->dst)[f->n] = d;
		break;
	case ART_INT8:
		RANGE(INT8_MIN, INT8_MAX);
		((int8_t *)f->dst)[f->n] = (int8_t)i;
		break;
	case ART_UINT8:
		RANGE(0, UINT8_MAX);
		((uint8_t *)f->dst)[f->n] = (uint8_t)i;
		break;
	case ART_INT16:
		RANGE(INT16_MIN, INT16_MAX);
		((int16_t *)f->dst)[f->n] = (int16_t)i;
		break;
	case ART_UINT16:
		RANGE(0, UINT16_MAX);
		((uint16_t *)f->dst)[f->n] = (uint16_t)i;
		break;
	case ART_INT32:
		RANGE(INT32_MIN, INT32_MAX);
		((int32_t *)f->dst)[f->n] = (int32_t)i;
		break;
	case ART_UINT32:
		RANGE(0, UINT32_MAX);
		((uint32_t *)f->dst)[f->n] = (uint32_t)i;
		break;
	case ART_INT64:
		((int64_t *)f->dst)[f->n] = i;
		break;
	case ART_UINT64:
		if (u == 0) {
			RANGE(0, INT64_MAX);
			u = (uint64_t)i;
		}
		((uint64_t *)f->dst)[f->n] = u;
		break;
#undef RANGE
	default:
		snprintf(f->err, f->errlen, "input %s: datatype not served", f->input);
		return -EINVAL;
	}
	f->n++;
	return 0;
range:
	snprintf(f->err, f->errlen, "input %s: element %lld (%lld) is out of range for %s",
		 f->input, (long long)f->n, (long long)i, dtype_to_kserve(f->dtype));
	return -EINVAL;
}

static int walk(struct fill *f, json_object *v, int depth)
{
	if (json_object_is_type(v, json_type_array)) {
		size_t len = json_object_array_length(v);

		if (depth > ART_MAX_DIMS) {
			snprintf(f->err, f->errlen, "input %s: data nested deeper than %d",
				 f->input, ART_MAX_DIMS);
			return -EINVAL;
		}
		for (size_t k = 0; k < len; k++) {
			int ret = walk(f, json_object_array_get_idx(v, k), depth + 1);

			if (ret)
				return ret;
		}
		return 0;
	}
	return put_value(f, v);
}

int json_to_tensor_data(json_object *data, const struct art_tensor *t, void *dst, const char *input,
			char *err, size_t errlen)
{
	struct fill f = {
		.dtype = t->dtype,
		.dst = dst,
		.cap = art_tensor_elems(t),
		.err = err,
		.errlen = errlen,
		.input = input,
	};
	int ret;

	if (!json_object_is_type(data, json_type_array)) {
		snprintf(err, errlen, "input %s: \"data\" must be an array", input);
		return -EINVAL;
	}
	ret = walk(&f, data, 0);
	if (ret)
		return ret;
	if (f.n != f.cap) {
		snprintf(err, errlen, "input %s: %lld data elements for shape of %lld", input,
			 (long long)f.n, (long long)f.cap);
		return -EINVAL;
	}
	return 0;
}

json_object *tensor_data_to_json(const struct art_tensor *t)
{
	int64_t n = art_tensor_elems(t);
	json_object *a = json_object_new_array_ext(n > 0 ? (int)n : 0);

	if (!a)
		return NULL;
	for (int64_t k = 0; k < n; k++) {
		json_object *v = NULL;
		char buf[40];

		switch (t->dtype) {
		case ART_FLOAT: {
			float x = ((const float *)t->data)[k];

			if (!isfinite(x)) {
				/* JSON has no NaN or infinity: null says so. */
				v = NULL;
				break;
			}
			snprintf(buf, sizeof(buf), "%.9g", (double)x);
			v = json_object_new_double_s((double)x, buf);
			break;
		}
		case ART_DOUBLE: {
			double x = ((const double *)t->data)[k];

			v = isfinite(x) ? json_object_new_double(x) : NULL;
			break;
		}
		case ART_BOOL:
			v = json_object_new_boolean(((const uint8_t *)t->data)[k] != 0);
			break;
		case ART_INT8:
			v = json_object_new_int64(((const int8_t *)t->data)[k]);
			break;
		case ART_UINT8:
			v = json_object_new_int64(((const uint8_t *)t->data)[k]);
			break;
		case ART_INT16:
			v = json_object_new_int64(((const int16_t *)t->data)[k]);
			break;
		case ART_UINT16:
			v = json_object_new_int64(((const uint16_t *)t->data)[k]);
			break;
		case ART_INT32:
			v = json_object_new_int64(((const int32_t *)t->data)[k]);
			break;
		case ART_UINT32:
			v = json_object_new_int64(((const uint32_t *)t->data)[k]);
			break;
		case ART_INT64:
			v = json_object_new_int64(((const int64_t *)t->data)[k]);
			break;
		case ART_UINT64:
			v = json_object_new_uint64(((const uint64_t *)t->data)[k]);
			break;
		}
		json_object_array_add(a, v);
	}
	return a;
}
