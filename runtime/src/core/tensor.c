// SPDX-License-Identifier: MIT
/* Tensors in and out of files: ONNX TensorProto (inline or external data)
 * and NumPy .npy (version 1/2, little-endian, C order). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"

void art_tensor_free(struct art_tensor *t)
{
	free((void *)t->data);
	t->data = NULL;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0) {
		fclose(f);
		return -EIO;
	}
	long sz = ftell(f);
	rewind(f);
	uint8_t *buf = malloc(sz > 0 ? (size_t)sz : 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	if (sz > 0 && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*data = buf;
	*len = (size_t)sz;
	return 0;
}

/* External data: the tensor's bytes live in a file next to the model. The
 * file must hold them before they are allocated, so absurd dims fail as an
 * error, not as an allocation of what they claim. */
static int load_external(const Onnx__TensorProto *tp, const char *base_dir, uint8_t **out,
			 size_t nbytes, char *err, size_t errlen)
{
	const char *loc = NULL;
	long long off = 0, len = -1;
	for (size_t i = 0; i < tp->n_external_data; i++) {
		const Onnx__StringStringEntryProto *e = tp->external_data[i];
		if (!e->key || !e->value)
			continue;
		if (!strcmp(e->key, "location"))
			loc = e->value;
		else if (!strcmp(e->key, "offset"))
			off = atoll(e->value);
		else if (!strcmp(e->key, "length"))
			len = atoll(e->value);
	}
	if (!loc || strstr(loc, "..") || loc[0] == '/') {
		snprintf(err, errlen, "tensor '%s': external data without a safe relative location",
			 tp->name);
		return -EINVAL;
	}
	if (len >= 0 && (size_t)len != nbytes) {
		snprintf(err, errlen, "tensor '%s': external length %lld, shape needs %zu bytes",
			 tp->name, len, nbytes);
		return -EINVAL;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", base_dir, loc);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "tensor '%s': cannot open external data %s: %s", tp->name,
			 path, strerror(errno));
		return -ENOENT;
	}
	struct stat st;
	uint8_t *dst = NULL;
	int rc = -EINVAL;
	if (fstat(fileno(f), &st) == 0 && off >= 0 && off <= st.st_size &&
	    nbytes <= (uint64_t)(st.st_size - off)) {
		dst = malloc(nbytes ? nbytes : 1);
		rc = dst ? 0 : -ENOMEM;
	}
	if (!rc && (fseek(f, off, SEEK_SET) != 0 || fread(dst, 1, nbytes, f) != nbytes))
		rc = -EINVAL;
	fclose(f);
	if (rc) {
		free(dst);
		snprintf(err, errlen,
			 rc == -ENOMEM
				 ? "tensor '%s': cannot allocate %zu bytes from %s"
				 : "tensor '%s': external data too short for %zu bytes in %s at "
				   "offset %lld",
			 tp->name, nbytes, path, off);
		return rc;
	}
	*out = dst;
	return 0;
}

/* Values a TensorProto carries in the typed field its data_type uses. */
static size_t proto_value_count(const Onnx__TensorProto *tp)
{
	switch (tp->data_type) {
	case ART_FLOAT:
		return tp->n_float_data;
	case ART_DOUBLE:
		return tp->n_double_data;
	case ART_INT64:
		return tp->n_int64_data;
	case ART_UINT32:
	case ART_UINT64:
		return tp->n_uint64_data;
	default: /* int32, the 16- and 8-bit types and bool travel in int32_data */
		return tp->n_int32_data;
	}
}

int rt_tensor_from_proto(const Onnx__TensorProto *tp, const char *base_dir, struct art_tensor *t,
			 void **buf, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	size_t es = art_dtype_size(tp->data_type);
	if (!es) {
		snprintf(err, errlen, "tensor '%s': unsupported data type %s (%d)",
			 tp->name ? tp->name : "", rt_dtype_name(tp->data_type), tp->data_type);
		return -ENOTSUP;
	}
	if (tp->n_dims > ART_MAX_DIMS) {
		snprintf(err, errlen, "tensor '%s': %zu dims, at most %d", tp->name, tp->n_dims,
			 ART_MAX_DIMS);
		return -EINVAL;
	}
	t->dtype = tp->data_type;
	t->ndim = (int)tp->n_dims;
	int64_t n = 1;
	for (size_t i = 0; i < tp->n_dims; i++) {
		if (tp->dims[i] < 0 || (tp->dims[i] && n > INT64_MAX / 16 / tp->dims[i])) {
			snprintf(err, errlen, "tensor '%s': bad dim %zu = %lld", tp->name, i,
				 (long long)tp->dims[i]);
			return -EINVAL;
		}
		t->dims[i] = tp->dims[i];
		n *= tp->dims[i];
	}
	if (t->dtype == ART_STRING) {
		int rc = rt_strings_from_proto(tp, n, t, err, errlen);
		*buf = (void *)t->data;
		return rc;
	}
	size_t nbytes = (size_t)n * es;
	int external = tp->has_data_location &&
		       tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	/* Before allocating what the dims claim, which may be absurd. */
	if (!external && tp->has_raw_data && tp->raw_data.len != nbytes) {
		snprintf(err, errlen, "tensor '%s': raw_data has %zu bytes, shape needs %zu",
			 tp->name, tp->raw_data.len, nbytes);
		return -EINVAL;
	}
	if (!external && !tp->has_raw_data && proto_value_count(tp) != (size_t)n) {
		snprintf(err, errlen, "tensor '%s': %zu values, shape needs %lld", tp->name,
			 proto_value_count(tp), (long long)n);
		return -EINVAL;
	}
	uint8_t *d = NULL;
	int rc = external ? load_external(tp, base_dir, &d, nbytes, err, errlen) : 0;
	if (rc)
		return rc;
	if (!d && !(d = malloc(nbytes ? nbytes : 1))) {
		snprintf(err, errlen, "tensor '%s': cannot allocate %zu bytes", tp->name, nbytes);
		return -ENOMEM;
	}
	if (!external && tp->has_raw_data) {
		if (tp->raw_data.len != nbytes) {
			snprintf(err, errlen,
				 "tensor '%s': raw_data has %zu bytes, shape needs %zu", tp->name,
				 tp->raw_data.len, nbytes);
			rc = -EINVAL;
		} else if (nbytes) { /* an empty tensor may carry no data pointer */
			memcpy(d, tp->raw_data.data, nbytes);
		}
	} else if (!external) {
		size_t have;
		switch (t->dtype) {
		case ART_FLOAT:
			have = tp->n_float_data;
			if (have == (size_t)n && nbytes)
				memcpy(d, tp->float_data, nbytes);
			break;
		case ART_DOUBLE:
			have = tp->n_double_data;
			if (have == (size_t)n && nbytes)
				memcpy(d, tp->double_data, nbytes);
			break;
		case ART_INT64:
			have = tp->n_int64_data;
			if (have == (size_t)n && nbytes)
				memcpy(d, tp->int64_data, nbytes);
			break;
		case ART_UINT32:
		case ART_UINT64:
			have = tp->n_uint64_data;
			for (int64_t i = 0; have == (size_t)n && i < n; i++) {
				if (es == 8)
					((uint64_t *)d)[i] = tp->uint64_data[i];
				else
					((uint32_t *)d)[i] = (uint32_t)tp->uint64_data[i];
			}
			break;
		default:
			/* int32, the 16- and 8-bit integers and bool travel in
			 * int32_data, float16 and bfloat16 as their bit patterns
			 * in the low 16 bits. */
			have = tp->n_int32_data;
			for (int64_t i = 0; have == (size_t)n && i < n; i++) {
				if (es == 4)
					((int32_t *)d)[i] = tp->int32_data[i];
				else if (es == 2)
					((uint16_t *)d)[i] = (uint16_t)tp->int32_data[i];
				else
					d[i] = (uint8_t)tp->int32_data[i];
			}
			break;
		}
		if (have != (size_t)n) {
			snprintf(err, errlen, "tensor '%s': %zu values, shape needs %lld", tp->name,
				 have, (long long)n);
			rc = -EINVAL;
		}
	}
	if (rc) {
		free(d);
		return rc;
	}
	t->data = d;
	*buf = d;
	return 0;
}

static const struct {
	const char *descr;
	int dtype;
} npy_types[] = {
	{"<f4", ART_FLOAT},  {"<f8", ART_DOUBLE}, {"<i8", ART_INT64},  {"<i4", ART_INT32},
	{"|i1", ART_INT8},   {"|u1", ART_UINT8},  {"|b1", ART_BOOL},   {"<i2", ART_INT16},
	{"<u2", ART_UINT16}, {"<u4", ART_UINT32}, {"<u8", ART_UINT64}, {"<f2", ART_FLOAT16},
};

static int load_npy(const uint8_t *f, size_t len, struct art_tensor *t, char *err, size_t errlen)
{
	if (len < 10) {
		snprintf(err, errlen, "npy: %zu bytes is shorter than the smallest header", len);
		return -EINVAL;
	}
	if (f[6] < 1 || f[6] > 3) {
		snprintf(err, errlen, "npy: unsupported version %u", f[6]);
		return -EINVAL;
	}
	size_t hl, ho;
	if (f[6] == 1) {
		hl = f[8] | (size_t)f[9] << 8;
		ho = 10;
	} else {
		if (len < 12) {
			snprintf(err, errlen, "npy: version %u header length field truncated",
				 f[6]);
			return -EINVAL;
		}
		hl = f[8] | (size_t)f[9] << 8 | (size_t)f[10] << 16 | (size_t)f[11] << 24;
		ho = 12;
	}
	if (ho + hl > len) {
		snprintf(err, errlen,
			 "npy: header of %zu bytes runs past the end of the file (%zu)", hl, len);
		return -EINVAL;
	}
	char hdr[4096];
	size_t cl = hl < sizeof(hdr) - 1 ? hl : sizeof(hdr) - 1;
	memcpy(hdr, f + ho, cl);
	hdr[cl] = 0;
	const char *p = strstr(hdr, "'descr':");
	const char *q = p ? strchr(p + 8, '\'') : NULL;
	t->dtype = 0;
	for (size_t i = 0; q && i < sizeof(npy_types) / sizeof(npy_types[0]); i++)
		if (!strncmp(q + 1, npy_types[i].descr, strlen(npy_types[i].descr)) &&
		    q[1 + strlen(npy_types[i].descr)] == '\'')
			t->dtype = npy_types[i].dtype;
	if (!t->dtype) {
		snprintf(err, errlen, "npy: unsupported descr in header %s", hdr);
		return -ENOTSUP;
	}
	if (strstr(hdr, "'fortran_order': True")) {
		snprintf(err, errlen, "npy: Fortran order is not supported");
		return -ENOTSUP;
	}
	p = strstr(hdr, "'shape':");
	p = p ? strchr(p, '(') : NULL;
	if (!p) {
		snprintf(err, errlen, "npy: no shape in header");
		return -EINVAL;
	}
	t->ndim = 0;
	p++;
	/* The element count is bounded by the file, so larger is malformed. */
	uint64_t elems = 1, limit = len / art_dtype_size(t->dtype) + 1;
	while (*p && *p != ')') {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p) {
			p++;
			continue;
		}
		if (t->ndim == ART_MAX_DIMS || v < 0 || (v && elems > limit / (uint64_t)v)) {
			snprintf(err, errlen, "npy: bad shape (dimension %d is %lld)", t->ndim, v);
			return -EINVAL;
		}
		elems *= (uint64_t)v;
		t->dims[t->ndim++] = v;
		p = end;
	}
	if (*p != ')') {
		snprintf(err, errlen, "npy: shape tuple not closed");
		return -EINVAL;
	}
	size_t nbytes = (size_t)elems * art_dtype_size(t->dtype);
	if (ho + hl > len || len - ho - hl != nbytes) {
		snprintf(err, errlen, "npy: %zu data bytes, shape needs %zu", len - ho - hl,
			 nbytes);
		return -EINVAL;
	}
	void *d = malloc(nbytes ? nbytes : 1);
	if (!d)
		return -ENOMEM;
	memcpy(d, f + ho + hl, nbytes);
	t->data = d;
	return 0;
}

int art_tensor_load(const char *path, struct art_tensor *t, char *err, size_t errlen)
{
	uint8_t *f = NULL;
	size_t len = 0;
	memset(t, 0, sizeof(*t));
	int rc = read_file(path, &f, &len);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (len >= 6 && !memcmp(f, "\x93NUMPY", 6)) {
		rc = load_npy(f, len, t, err, errlen);
		free(f);
		return rc;
	}
	Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, f);
	free(f);
	if (!tp) {
		snprintf(err, errlen, "%s: neither .npy nor a valid TensorProto", path);
		return -EINVAL;
	}
	void *buf;
	rc = rt_tensor_from_proto(tp, ".", t, &buf, err, errlen);
	onnx__tensor_proto__free_unpacked(tp, NULL);
	return rc;
}

int art_tensor_save_npy(const char *path, const struct art_tensor *t)
{
	const char *descr = NULL;
	for (size_t i = 0; i < sizeof(npy_types) / sizeof(npy_types[0]); i++)
		if (npy_types[i].dtype == t->dtype)
			descr = npy_types[i].descr;
	if (!descr)
		return -ENOTSUP;
	char shape[256] = "";
	size_t o = 0;
	for (int i = 0; i < t->ndim; i++)
		o += snprintf(shape + o, sizeof(shape) - o, "%lld,%s", (long long)t->dims[i],
			      i + 1 < t->ndim ? " " : "");
	if (t->ndim > 1)
		shape[o - 1] = 0; /* "(2, 3)" but "(4,)" */
	char hdr[512];
	int hl = snprintf(hdr, sizeof(hdr),
			  "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape);
	int total = 10 + hl + 1;
	int pad = (64 - total % 64) % 64;
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	uint16_t hlen = (uint16_t)(hl + pad + 1);
	fwrite("\x93NUMPY\x01\x00", 1, 8, f);
	fputc(hlen & 0xff, f);
	fputc(hlen >> 8, f);
	fwrite(hdr, 1, (size_t)hl, f);
	for (int i = 0; i < pad; i++)
		fputc(' ', f);
	fputc('\n', f);
	size_t nbytes = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
	int rc = fwrite(t->data, 1, nbytes, f) == nbytes ? 0 : -EIO;
	if (fclose(f) != 0)
		rc = -EIO;
	return rc;
}

int rt_tensor_ints(const struct art_tensor *t, int64_t *out, int max)
{
	int64_t c = art_tensor_elems(t);
	if (c > max)
		return -1;
	for (int64_t k = 0; k < c; k++) {
		if (t->dtype == ART_INT64)
			out[k] = ((const int64_t *)t->data)[k];
		else if (t->dtype == ART_INT32)
			out[k] = ((const int32_t *)t->data)[k];
		else
			return -1;
	}
	return (int)c;
}

int64_t rt_bcast_dim(int64_t a, int64_t b)
{
	if (a == 1)
		return b;
	if (b == 1)
		return a;
	if (a < 0)
		return b > 1 ? b : -1;
	if (b < 0)
		return a;
	return a > b ? a : b;
}

int rt_matmul_dims(const int64_t *a, int ra, const int64_t *b, int rb, int64_t *out, int *nd)
{
	int64_t ad[ART_MAX_DIMS + 1], bd[ART_MAX_DIMS + 1];
	int rc = 0, a1 = ra == 1, b1 = rb == 1;
	memcpy(ad, a, sizeof(int64_t) * (size_t)ra);
	memcpy(bd, b, sizeof(int64_t) * (size_t)rb);
	if (a1)
		ad[1] = ad[0], ad[0] = 1, ra = 2;
	if (b1)
		bd[1] = 1, rb = 2;
	int r = ra > rb ? ra : rb, n = 0;
	if (r > ART_MAX_DIMS)
		return -3;
	if (ad[ra - 1] >= 0 && bd[rb - 2] >= 0 && ad[ra - 1] != bd[rb - 2])
		rc = -1;
	for (int k = 0; k < r - 2; k++) {
		int64_t da = k - (r - ra) >= 0 ? ad[k - (r - ra)] : 1;
		int64_t db = k - (r - rb) >= 0 ? bd[k - (r - rb)] : 1;
		if (!rc && da >= 0 && db >= 0 && da != db && da != 1 && db != 1)
			rc = -2;
		out[n++] = rt_bcast_dim(da, db);
	}
	/* A 1-D operand's added dimension is dropped again. */
	if (!a1)
		out[n++] = ad[ra - 2];
	if (!b1)
		out[n++] = bd[rb - 1];
	*nd = n;
	return rc;
}
