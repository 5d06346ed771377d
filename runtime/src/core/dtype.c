// SPDX-License-Identifier: MIT
/* Element types: their sizes and names, and a shape's element count, which
 * every other part of the runtime reads (tensor files, string tensors,
 * kernels, the device). */
#include <stdint.h>

#include "core/internal.h"

size_t art_dtype_size(int dtype)
{
	switch (dtype) {
	case ART_FLOAT:
	case ART_INT32:
	case ART_UINT32:
		return 4;
	case ART_INT64:
	case ART_UINT64:
	case ART_DOUBLE:
		return 8;
	case ART_UINT16:
	case ART_INT16:
	case ART_FLOAT16:
	case ART_BFLOAT16:
		return 2;
	case ART_UINT8:
	case ART_INT8:
	case ART_BOOL:
		return 1;
	case ART_STRING: /* an element is a pointer to its text (core/strings.c) */
		return sizeof(char *);
	default:
		return 0;
	}
}

int64_t art_tensor_elems(const struct art_tensor *t)
{
	int64_t n = 1;
	for (int i = 0; i < t->ndim; i++) {
		/* Dims no tensor can have (negative, or a product past int64). */
		if (t->dims[i] < 0 || (t->dims[i] && n > INT64_MAX / t->dims[i]))
			return -1;
		n *= t->dims[i];
	}
	return n;
}

const char *rt_dtype_name(int dtype)
{
	return art_dtype_name(dtype);
}

const char *art_dtype_name(int dtype)
{
	static const char *const names[] = {
		"undefined", "float",  "uint8",	    "int8",	  "uint16",  "int16",
		"int32",     "int64",  "string",    "bool",	  "float16", "double",
		"uint32",    "uint64", "complex64", "complex128", "bfloat16"};
	return dtype >= 0 && dtype < (int)(sizeof(names) / sizeof(names[0])) ? names[dtype]
									     : "unknown";
}
