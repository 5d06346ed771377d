/* SPDX-License-Identifier: MIT */
/* JSON <-> tensor data for ares-serve (tensor_json.c). */
#ifndef ARES_SERVE_TENSOR_JSON_H
#define ARES_SERVE_TENSOR_JSON_H

#include <json-c/json.h>

#include "serve.h"

/* Fills DST (sized for T's dims and dtype) from DATA, flat or nested;
 * -EINVAL with ERR naming INPUT and the element at fault. */
int json_to_tensor_data(json_object *data, const struct art_tensor *t, void *dst, const char *input,
			char *err, size_t errlen);
/* T's data as a flat JSON array; NaN and infinities become null. */
json_object *tensor_data_to_json(const struct art_tensor *t);

#endif
