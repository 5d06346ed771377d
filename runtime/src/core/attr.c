// SPDX-License-Identifier: MIT
/* Reading a node's attributes, for the passes, the kernels and the device. */
#include <string.h>

#include "core/internal.h"

const Onnx__AttributeProto *rt_attr(const struct rt_node *n, const char *name)
{
	for (size_t i = 0; i < n->proto->n_attribute; i++)
		if (!strcmp(n->proto->attribute[i]->name, name))
			return n->proto->attribute[i];
	return NULL;
}

int64_t rt_attr_i(const struct rt_node *n, const char *name, int64_t def)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	return a && a->has_i ? a->i : def;
}

float rt_attr_f(const struct rt_node *n, const char *name, float def)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	return a && a->has_f ? a->f : def;
}

int rt_attr_ints(const struct rt_node *n, const char *name, int64_t *out, int max)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	if (!a)
		return -1;
	int c = (int)a->n_ints < max ? (int)a->n_ints : max;
	for (int i = 0; i < c; i++)
		out[i] = a->ints[i];
	return (int)a->n_ints;
}

int rt_attr_is(const struct rt_node *n, const char *name, const char *val, int def)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	if (!a || !a->has_s)
		return def;
	return a->s.len == strlen(val) && !memcmp(a->s.data, val, a->s.len);
}

int rt_attr_ints_capped(const struct rt_node *n, const char *name, int64_t *out, int max)
{
	int c = rt_attr_ints(n, name, out, max);
	return c > max ? max : c;
}
