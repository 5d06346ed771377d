// SPDX-License-Identifier: MIT
/*
 * A model directory's optional config.json: device, precision, batching and
 * instances. Every key is checked; an unknown key or a value of the wrong
 * type or range refuses the model with a message naming it, so a typo does
 * not silently serve with defaults.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "serve.h"

static int get_uint(json_object *v, const char *key, unsigned lo, unsigned hi, unsigned *out,
		    char *err, size_t errlen)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen, "config key \"%s\" must be an integer", key);
		return -EINVAL;
	}
	x = json_object_get_int64(v);
	if (x < lo || x > hi) {
		snprintf(err, errlen, "config key \"%s\" is %lld, allowed %u to %u", key,
			 (long long)x, lo, hi);
		return -EINVAL;
	}
	*out = (unsigned)x;
	return 0;
}

static int get_device(json_object *v, int *out, char *err, size_t errlen)
{
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (!strcmp(s, "cpu")) {
			*out = SERVE_DEV_CPU;
			return 0;
		}
		if (!strcmp(s, "auto")) {
			*out = SERVE_DEV_AUTO;
			return 0;
		}
		if (!strncmp(s, "accel", 5) && s[5] >= '0' && s[5] <= '9') {
			char *end;
			long n = strtol(s + 5, &end, 10);

			if (!*end && n <= 255) {
				*out = (int)n;
				return 0;
			}
		}
	} else if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);

		if (n >= 0 && n <= 255) {
			*out = (int)n;
			return 0;
		}
	}
	snprintf(err, errlen,
		 "config key \"device\" must be \"cpu\", \"auto\", \"accelN\" or N (0 to 255)");
	return -EINVAL;
}

int model_config_load(const char *dir, const struct serve_options *o, struct model_config *c,
		      char *err, size_t errlen)
{
	char path[4200];
	json_object *root, *v;
	int ret = 0;

	*c = (struct model_config){
		.device = o->device,
		.max_batch = 0,
		.max_delay_us = 1000,
		.pad_batch = true,
		.instances = 1,
		.threads = o->threads,
	};
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (access(path, F_OK) != 0)
		return 0;
	root = json_object_from_file(path);
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "%s: not a JSON object (%s)", path,
			 root ? "wrong type" : json_util_get_last_err());
		json_object_put(root);
		return -EINVAL;
	}
	json_object_object_foreach(root, key, val)
	{
		unsigned u;

		v = val;
		if (!strcmp(key, "device")) {
			ret = get_device(v, &c->device, err, errlen);
		} else if (!strcmp(key, "precision")) {
			/* fp32 runs the model's own types; bf16 and fp16 the
			 * runtime's reduced-precision mode for its Conv/MatMul/
			 * Gemm. Anything else is refused, not quietly ignored. */
			const char *p = json_object_is_type(v, json_type_string)
						? json_object_get_string(v)
						: "";
			if (!strcmp(p, "bf16")) {
				c->precision = ART_BFLOAT16;
			} else if (!strcmp(p, "fp16")) {
				c->precision = ART_FLOAT16;
			} else if (strcmp(p, "fp32")) {
				snprintf(err, errlen,
					 "config key \"precision\": expected \"fp32\", \"bf16\" "
					 "or \"fp16\"");
				ret = -EINVAL;
			}
		} else if (!strcmp(key, "max_batch")) {
			ret = get_uint(v, key, 0, 256, &c->max_batch, err, errlen);
		} else if (!strcmp(key, "max_delay_us")) {
			ret = get_uint(v, key, 0, 10000000, &c->max_delay_us, err, errlen);
		} else if (!strcmp(key, "pad_batch")) {
			if (!json_object_is_type(v, json_type_boolean)) {
				snprintf(err, errlen,
					 "config key \"pad_batch\" must be true or false");
				ret = -EINVAL;
			}
			c->pad_batch = json_object_get_boolean(v);
		} else if (!strcmp(key, "idle_close")) {
			if (!json_object_is_type(v, json_type_boolean)) {
				snprintf(err, errlen,
					 "config key \"idle_close\" must be true or false");
				ret = -EINVAL;
			}
			c->idle_close = json_object_get_boolean(v);
		} else if (!strcmp(key, "instances")) {
			ret = get_uint(v, key, 1, SERVE_MAX_INST, &c->instances, err, errlen);
		} else if (!strcmp(key, "threads")) {
			ret = get_uint(v, key, 0, 1024, &u, err, errlen);
			c->threads = (int)u;
		} else {
			snprintf(err, errlen,
				 "unknown config key \"%s\" (known: device, precision, max_batch, "
				 "max_delay_us, pad_batch, idle_close, instances, threads)",
				 key);
			ret = -EINVAL;
		}
		if (ret)
			break;
	}
	json_object_put(root);
	if (ret) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "config.json: %s", msg);
	}
	return ret;
}
