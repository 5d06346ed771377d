// SPDX-License-Identifier: MIT
/*
 * The HTTP side: libmicrohttpd with a pool of epoll threads (an infer
 * request's connection is suspended until its batch has run), the
 * Open Inference Protocol routes, and the checks every request passes
 * before it reaches a model. Every refusal is a 4xx with {"error": "..."}
 * naming what was wrong; nothing a client sends changes the server's
 * state beyond its own request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>

#include "http.h"
#include "tensor_json.h"

/* Nested data arrays plus the request's own objects. */
#define JSON_MAX_DEPTH (ART_MAX_DIMS + 8)

/* The binary data extension: tensors' raw bytes after the JSON header. */
struct binary {
	const char *p;
	size_t len, used;
	bool on; /* the request had an Inference-Header-Content-Length */
};

/* One HTTP request. An infer request's connection is suspended while its
 * request waits in a batch, so no thread blocks on it: the worker resumes
 * it when the batch ran, and a polling thread sends the answer. */
struct conn_req {
	char *body;
	size_t len, cap;
	bool too_big;
	int early_status; /* decided at the first call: 429, 413 */
	uint64_t start_ns;
	/* Set while an infer request is queued and after. */
	struct request *req;
	struct MHD_Connection *conn;
	json_object *root; /* the request's JSON, for its "id" */
	bool want[SERVE_MAX_IO], binary[SERVE_MAX_IO];
	uint64_t t[SERVE_STAGES + 1];
};

static struct server *srv;

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
				 const char *text, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	metrics_observe_response(status);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	enum MHD_Result ret = send_text(c, status, "application/json", s, len);

	json_object_put(o);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	json_object *o = json_object_new_object();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_string(msg));
	return send_json(c, status, o);
}

/* A response of the binary data extension: the JSON, then the raw bytes
 * of each binary output in the order of "outputs". */
static enum MHD_Result send_binary(struct MHD_Connection *c, json_object *o,
				   const struct request *r, const bool *want, const bool *binary)
{
	size_t jlen, total, off;
	const char *js = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &jlen);
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char hl[32], *buf;

	total = jlen;
	for (int k = 0; k < r->m->nout; k++)
		if (want[k] && binary[k])
			total += (size_t)art_tensor_elems(&r->out[k]) *
				 art_dtype_size(r->out[k].dtype);
	buf = malloc(total);
	if (!buf) {
		json_object_put(o);
		return send_text(c, 500, "application/json", "{\"error\":\"out of memory\"}",
				 strlen("{\"error\":\"out of memory\"}"));
	}
	memcpy(buf, js, jlen);
	off = jlen;
	for (int k = 0; k < r->m->nout; k++)
		if (want[k] && binary[k]) {
			size_t b = (size_t)art_tensor_elems(&r->out[k]) *
				   art_dtype_size(r->out[k].dtype);

			memcpy(buf + off, r->out[k].data, b);
			off += b;
		}
	json_object_put(o);
	resp = MHD_create_response_from_buffer(total, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	snprintf(hl, sizeof(hl), "%zu", jlen);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	MHD_add_response_header(resp, "Inference-Header-Content-Length", hl);
	ret = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	metrics_observe_response(200);
	return ret;
}

static json_object *shape_json(const struct art_tensor *t)
{
	json_object *a = json_object_new_array();

	for (int d = 0; d < t->ndim; d++)
		json_object_array_add(a, json_object_new_int64(t->dims[d]));
	return a;
}

static json_object *io_list(const struct io_info *io, int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(io[i].name));
		json_object_object_add(o, "datatype",
				       json_object_new_string(dtype_to_kserve(io[i].decl.dtype)));
		json_object_object_add(o, "shape", shape_json(&io[i].decl));
		json_object_array_add(a, o);
	}
	return a;
}

static enum MHD_Result model_metadata(struct MHD_Connection *c, struct model *m)
{
	json_object *o = json_object_new_object();
	json_object *v = json_object_new_array();
	json_object *p = json_object_new_object();
	char dev[32];

	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_array_add(v, json_object_new_string("1"));
	json_object_object_add(o, "versions", v);
	json_object_object_add(o, "platform", json_object_new_string("ares_onnx"));
	json_object_object_add(o, "inputs", io_list(m->in, m->nin));
	json_object_object_add(o, "outputs", io_list(m->out, m->nout));
	if (m->device >= 0)
		snprintf(dev, sizeof(dev), "accel%d", m->device);
	else
		snprintf(dev, sizeof(dev), "cpu");
	json_object_object_add(p, "device", json_object_new_string(dev));
	json_object_object_add(p, "max_batch",
			       json_object_new_int64(m->batchable ? m->cfg.max_batch : 1));
	json_object_object_add(p, "max_delay_us", json_object_new_int64(m->cfg.max_delay_us));
	json_object_object_add(p, "instances", json_object_new_int64(m->ninst));
	json_object_object_add(o, "parameters", p);
	return send_json(c, MHD_HTTP_OK, o);
}

static const char *input_names(const struct model *m, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; i < m->nin && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", m->in[i].name);
	return buf;
}

/* Input IDX's "shape" into T (rank, dims) and *ELEMS, checked against
 * the model's declaration and against what a BODY_LEN-byte body can
 * carry. */
static int parse_shape(const struct model *m, int idx, json_object *jin, const char *name,
		       size_t body_len, struct art_tensor *t, int64_t *elems, char *err,
		       size_t errlen)
{
	json_object *jshape;
	size_t shape_len;

	if (!json_object_object_get_ex(jin, "shape", &jshape) ||
	    !json_object_is_type(jshape, json_type_array)) {
		snprintf(err, errlen, "input %s: \"shape\" (an array) missing", name);
		return -EINVAL;
	}
	shape_len = json_object_array_length(jshape);
	if ((int)shape_len != m->in[idx].decl.ndim) {
		snprintf(err, errlen, "input %s: shape has %zu dims, the model takes %d", name,
			 shape_len, m->in[idx].decl.ndim);
		return -EINVAL;
	}
	t->ndim = (int)shape_len;
	*elems = 1;
	for (int d = 0; d < t->ndim; d++) {
		json_object *jd = json_object_array_get_idx(jshape, (size_t)d);
		int64_t want = m->in[idx].decl.dims[d], v;

		if (!json_object_is_type(jd, json_type_int) ||
		    (v = json_object_get_int64(jd)) < 1) {
			snprintf(err, errlen, "input %s: shape dim %d must be a positive integer",
				 name, d);
			return -EINVAL;
		}
		if (want != -1 && v != want) {
			snprintf(err, errlen,
				 "input %s: shape dim %d is %lld, the model takes %lld", name, d,
				 (long long)v, (long long)want);
			return -EINVAL;
		}
		/* Every element takes at least two bytes of JSON ("0,"), so
		 * a shape holding more than the body could carry is refused
		 * before anything is allocated for it. */
		if (v > (int64_t)body_len || *elems > (int64_t)body_len / v) {
			snprintf(err, errlen,
				 "input %s: shape holds more elements than the %zu-byte "
				 "body carries",
				 name, body_len);
			return -EINVAL;
		}
		t->dims[d] = v;
		*elems *= v;
	}
	return 0;
}

/* WANT bytes of input NAME from the binary-data extension's part of the
 * body (JSIZE: its "binary_data_size"), raw little-endian elements. */
static int read_binary_input(struct binary *bin, json_object *jsize, const char *name, size_t want,
			     void *buf, char *err, size_t errlen)
{
	int64_t size = json_object_get_int64(jsize);

	if (!json_object_is_type(jsize, json_type_int) || size < 0 || (size_t)size != want) {
		snprintf(err, errlen,
			 "input %s: binary_data_size %s, its shape and datatype take %zu bytes",
			 name, json_object_get_string(jsize), want);
		return -EINVAL;
	}
	if (bin->len - bin->used < want) {
		snprintf(err, errlen,
			 "input %s: the binary data ends %zu bytes before its %zu bytes", name,
			 want - (bin->len - bin->used), want);
		return -EINVAL;
	}
	memcpy(buf, bin->p + bin->used, want);
	bin->used += want;
	return 0;
}

/* Checks one element of "inputs" and converts its data into R->in. */
static int parse_input(struct model *m, struct request *r, json_object *jin, bool *seen,
		       size_t body_len, struct binary *bin, char *err, size_t errlen)
{
	json_object *jsize = NULL;
	json_object *jname, *jtype, *jdata, *jparams;
	const char *name;
	struct art_tensor t = {0};
	int idx = -1, dtype, rc;
	int64_t elems = 1;
	char names[256];
	void *buf;

	if (!json_object_is_type(jin, json_type_object) ||
	    !json_object_object_get_ex(jin, "name", &jname) ||
	    !json_object_is_type(jname, json_type_string)) {
		snprintf(err, errlen,
			 "each element of \"inputs\" must be an object with a \"name\"");
		return -EINVAL;
	}
	name = json_object_get_string(jname);
	for (int i = 0; i < m->nin; i++)
		if (!strcmp(m->in[i].name, name))
			idx = i;
	if (idx < 0) {
		snprintf(err, errlen, "model %s has no input named \"%s\" (inputs: %s)", m->name,
			 name, input_names(m, names, sizeof(names)));
		return -ENOENT;
	}
	if (seen[idx]) {
		snprintf(err, errlen, "input %s given twice", name);
		return -EINVAL;
	}
	seen[idx] = true;
	if (json_object_object_get_ex(jin, "parameters", &jparams) &&
	    json_object_object_get_ex(jparams, "binary_data_size", &jsize) && !bin->on) {
		snprintf(err, errlen,
			 "input %s: binary_data_size without an Inference-Header-Content-Length "
			 "header",
			 name);
		return -EINVAL;
	}
	if (!json_object_object_get_ex(jin, "datatype", &jtype) ||
	    !json_object_is_type(jtype, json_type_string)) {
		snprintf(err, errlen, "input %s: \"datatype\" (a string) missing", name);
		return -EINVAL;
	}
	dtype = dtype_from_kserve(json_object_get_string(jtype));
	if (dtype != m->in[idx].decl.dtype) {
		snprintf(err, errlen, "input %s: datatype %s, the model takes %s", name,
			 json_object_get_string(jtype), dtype_to_kserve(m->in[idx].decl.dtype));
		return -EINVAL;
	}
	t.dtype = dtype;
	rc = parse_shape(m, idx, jin, name, body_len, &t, &elems, err, errlen);
	if (rc)
		return rc;
	if (m->batchable) {
		if (r->batch_set && r->batch != t.dims[0]) {
			snprintf(err, errlen,
				 "input %s: dim 0 (batch) is %lld, other inputs have %lld", name,
				 (long long)t.dims[0], (long long)r->batch);
			return -EINVAL;
		}
		r->batch = t.dims[0];
		r->batch_set = true;
	}
	if (!jsize && !json_object_object_get_ex(jin, "data", &jdata)) {
		snprintf(err, errlen, "input %s: \"data\" missing", name);
		return -EINVAL;
	}
	buf = malloc((size_t)elems * art_dtype_size(dtype));
	if (!buf) {
		snprintf(err, errlen, "input %s: out of memory", name);
		return -ENOMEM;
	}
	t.data = buf;
	r->in[idx] = t;
	if (jsize)
		return read_binary_input(bin, jsize, name, (size_t)elems * art_dtype_size(dtype),
					 buf, err, errlen);
	return json_to_tensor_data(jdata, &t, buf, name, err, errlen);
}

/* Which outputs the request asked for ("outputs" absent: all). */
static int parse_outputs(struct model *m, json_object *root, bool *want, bool *binary, char *err,
			 size_t errlen)
{
	json_object *jo, *jp, *jb;
	bool all_binary = json_object_object_get_ex(root, "parameters", &jp) &&
			  json_object_object_get_ex(jp, "binary_data_output", &jb) &&
			  json_object_get_boolean(jb);
	size_t n;

	for (int o = 0; o < m->nout; o++)
		binary[o] = all_binary;
	if (!json_object_object_get_ex(root, "outputs", &jo)) {
		for (int o = 0; o < m->nout; o++)
			want[o] = true;
		return 0;
	}
	if (!json_object_is_type(jo, json_type_array)) {
		snprintf(err, errlen, "\"outputs\" must be an array");
		return -EINVAL;
	}
	n = json_object_array_length(jo);
	for (size_t k = 0; k < n; k++) {
		json_object *e = json_object_array_get_idx(jo, k), *jn;
		const char *name;
		int found = -1;

		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "name", &jn) ||
		    !json_object_is_type(jn, json_type_string)) {
			snprintf(err, errlen,
				 "each element of \"outputs\" must be an object with a "
				 "\"name\"");
			return -EINVAL;
		}
		name = json_object_get_string(jn);
		for (int o = 0; o < m->nout; o++)
			if (!strcmp(m->out[o].name, name))
				found = o;
		if (found < 0) {
			snprintf(err, errlen, "model %s has no output named \"%s\"", m->name, name);
			return -ENOENT;
		}
		want[found] = true;
		if (json_object_object_get_ex(e, "parameters", &jp) &&
		    json_object_object_get_ex(jp, "binary_data", &jb))
			binary[found] = json_object_get_boolean(jb);
	}
	return 0;
}

/*
 * The request's JSON header (all of the body, or its first
 * Inference-Header-Content-Length bytes, the rest being binary tensor
 * data in *BIN) as one JSON object in *ROOT; else ERR says what is wrong.
 */
static int parse_body(struct MHD_Connection *c, const struct conn_req *cr, struct json_tokener *tok,
		      struct binary *bin, json_object **root, char *err, size_t len)
{
	const char *hlen =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Inference-Header-Content-Length");
	size_t json_len = cr->len;
	enum json_tokener_error jerr;

	if (hlen) {
		char *end;
		unsigned long long h = strtoull(hlen, &end, 10);

		if (*end || end == hlen || hlen[0] == '-' || h > cr->len) {
			snprintf(err, len,
				 "Inference-Header-Content-Length %.40s: not a length within the "
				 "%zu-byte body",
				 hlen, cr->len);
			return -1;
		}
		json_len = (size_t)h;
		*bin = (struct binary){.p = cr->body + h, .len = cr->len - h, .on = true};
	}
	*root = json_tokener_parse_ex(tok, cr->body ? cr->body : "", (int)json_len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue || (!*root && jerr == json_tokener_success)) {
		snprintf(err, len, "malformed JSON: the body ends before the value does");
		return -1;
	}
	if (jerr != json_tokener_success) {
		snprintf(err, len, "malformed JSON at byte %zu: %s",
			 json_tokener_get_parse_end(tok), json_tokener_error_desc(jerr));
		return -1;
	}
	for (size_t k = json_tokener_get_parse_end(tok); k < json_len; k++)
		if (!strchr(" \t\r\n", cr->body[k])) {
			snprintf(err, len, "malformed JSON: text after the value at byte %zu", k);
			return -1;
		}
	if (!json_object_is_type(*root, json_type_object)) {
		snprintf(err, len, "the request must be a JSON object");
		return -1;
	}
	return 0;
}

/* Every input of M exactly once, and no binary byte left over; an HTTP status or 0. */
static unsigned parse_inputs(struct model *m, struct request *r, json_object *root,
			     const struct conn_req *cr, struct binary *bin, char *err, size_t len)
{
	bool seen[SERVE_MAX_IO] = {0};
	json_object *jinputs;
	size_t n;

	if (!json_object_object_get_ex(root, "inputs", &jinputs) ||
	    !json_object_is_type(jinputs, json_type_array)) {
		snprintf(err, len, "\"inputs\" (an array) missing");
		return 400;
	}
	n = json_object_array_length(jinputs);
	for (size_t k = 0; k < n; k++) {
		int e = parse_input(m, r, json_object_array_get_idx(jinputs, k), seen, cr->len, bin,
				    err, len);

		if (e)
			return e == -ENOMEM ? 500 : 400;
	}
	for (int i = 0; i < m->nin; i++)
		if (!seen[i]) {
			snprintf(err, len, "input %s missing", m->in[i].name);
			return 400;
		}
	if (bin->used != bin->len) {
		snprintf(err, len, "%zu bytes of binary data belong to no input",
			 bin->len - bin->used);
		return 400;
	}
	return 0;
}

/* The response object; *BIN_OUT counts the bytes of outputs sent as binary data. */
static json_object *response_json(const struct model *m, const struct request *r, json_object *jid,
				  const bool *want, const bool *binary, size_t *bin_out)
{
	json_object *resp = json_object_new_object(), *outs = json_object_new_array();

	json_object_object_add(resp, "model_name", json_object_new_string(m->name));
	json_object_object_add(resp, "model_version", json_object_new_string("1"));
	if (jid && json_object_is_type(jid, json_type_string))
		json_object_object_add(resp, "id", json_object_get(jid));
	for (int o = 0; o < m->nout; o++) {
		json_object *jo;

		if (!want[o])
			continue;
		jo = json_object_new_object();
		json_object_object_add(jo, "name", json_object_new_string(m->out[o].name));
		json_object_object_add(jo, "datatype",
				       json_object_new_string(dtype_to_kserve(r->out[o].dtype)));
		json_object_object_add(jo, "shape", shape_json(&r->out[o]));
		if (binary[o]) {
			json_object *p = json_object_new_object();
			size_t b = (size_t)art_tensor_elems(&r->out[o]) *
				   art_dtype_size(r->out[o].dtype);

			json_object_object_add(p, "binary_data_size",
					       json_object_new_int64((int64_t)b));
			json_object_object_add(jo, "parameters", p);
			*bin_out += b;
		} else {
			json_object_object_add(jo, "data", tensor_data_to_json(&r->out[o]));
		}
		json_object_array_add(outs, jo);
	}
	json_object_object_add(resp, "outputs", outs);
	return resp;
}

static void resume(struct request *r)
{
	MHD_resume_connection(((struct conn_req *)r->ctx)->conn);
}

/* Parses and checks an infer request and queues it on M, the connection
 * suspended until it ran (infer_answer() then); else answers its 4xx. */
static enum MHD_Result infer(struct MHD_Connection *c, struct model *m, struct conn_req *cr)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	struct binary bin = {0};
	char err[512];
	unsigned status = 500;
	enum MHD_Result ret;

	cr->t[0] = cr->start_ns;
	cr->t[1] = serve_now_ns();
	snprintf(err, sizeof(err), "out of memory");
	cr->req = malloc(sizeof(*cr->req));
	if (!tok || !cr->req)
		goto fail;
	request_init(cr->req, m);
	status = 400;
	if (parse_body(c, cr, tok, &bin, &cr->root, err, sizeof(err)))
		goto fail;
	status = parse_inputs(m, cr->req, cr->root, cr, &bin, err, sizeof(err));
	if (status)
		goto fail;
	status = 400;
	if (parse_outputs(m, cr->root, cr->want, cr->binary, err, sizeof(err)))
		goto fail;
	json_tokener_free(tok);
	cr->req->on_done = resume;
	cr->req->ctx = cr;
	cr->conn = c;
	/* Suspended before it is queued: its worker may resume it at once. */
	MHD_suspend_connection(c);
	batcher_submit(cr->req);
	return MHD_YES;
fail:
	if (tok)
		json_tokener_free(tok);
	ret = send_error(c, status, "%s", err);
	metrics_observe_request(m, serve_now_ns() - cr->start_ns, true);
	return ret;
}

/* The answer of an infer request whose batch ran. */
static enum MHD_Result infer_answer(struct MHD_Connection *c, struct conn_req *cr)
{
	struct request *r = cr->req;
	struct model *m = r->m;
	json_object *jid = NULL, *resp;
	size_t bin_out = 0;
	uint64_t *t = cr->t;
	enum MHD_Result ret;

	t[SERVE_STAGE_WAKE + 1] = serve_now_ns();
	if (r->status != 200) {
		ret = send_error(c, (unsigned)r->status, "model %s: %s", m->name, r->err);
		metrics_observe_request(m, serve_now_ns() - cr->start_ns, true);
		return ret;
	}
	json_object_object_get_ex(cr->root, "id", &jid);
	resp = response_json(m, r, jid, cr->want, cr->binary, &bin_out);
	if (bin_out)
		ret = send_binary(c, resp, r, cr->want, cr->binary);
	else
		ret = send_json(c, MHD_HTTP_OK, resp);
	t[SERVE_STAGE_PARSE + 1] = r->enqueued_ns;
	t[SERVE_STAGE_QUEUE + 1] = r->batched_ns;
	t[SERVE_STAGE_RUN + 1] = r->completed_ns;
	t[SERVE_STAGE_RESPOND + 1] = serve_now_ns();
	metrics_observe_stages(m, t);
	metrics_observe_request(m, t[SERVE_STAGE_RESPOND + 1] - cr->start_ns, false);
	return ret;
}

/* /v2/models/NAME[/versions/1][/ready|/infer] */
static enum MHD_Result model_route(struct MHD_Connection *c, const char *rest, bool get,
				   struct conn_req *cr)
{
	char name[SERVE_NAME_MAX + 1];
	const char *slash = strchr(rest, '/');
	size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
	struct model *m;
	const char *tail;

	if (!len || len > SERVE_NAME_MAX - 1)
		return send_error(c, 404, "no model named \"%.*s\"", (int)(len > 80 ? 80 : len),
				  rest);
	memcpy(name, rest, len);
	name[len] = 0;
	m = repo_find(&srv->repo, name);
	if (!m)
		return send_error(c, 404, "no model named \"%s\"", name);
	tail = rest + len;
	if (!strncmp(tail, "/versions/", 10)) {
		const char *v = tail + 10, *e = strchr(v, '/');

		if ((e ? (size_t)(e - v) : strlen(v)) != 1 || v[0] != '1')
			return send_error(c, 404, "model %s has only version 1", name);
		tail = v + 1;
	}
	if (!*tail || !strcmp(tail, "/")) {
		if (!get)
			return send_error(c, 405, "model metadata takes GET");
		return model_metadata(c, m);
	}
	if (!strcmp(tail, "/ready")) {
		if (!get)
			return send_error(c, 405, "model readiness takes GET");
		if (atomic_load(&srv->draining))
			return send_error(c, 503, "the server is shutting down");
		return send_text(c, 200, "application/json", "{}", 2);
	}
	if (!strcmp(tail, "/infer")) {
		if (get)
			return send_error(c, 405, "infer takes POST");
		return infer(c, m, cr);
	}
	return send_error(c, 404, "no such endpoint: /v2/models/%s%s", name, tail);
}

static enum MHD_Result server_metadata(struct MHD_Connection *c)
{
	json_object *o = json_object_new_object(), *ext;

	json_object_object_add(o, "name", json_object_new_string("ares-serve"));
	json_object_object_add(o, "version", json_object_new_string(SERVE_VERSION));
	ext = json_object_new_array();
	json_object_array_add(ext, json_object_new_string("binary_tensor_data"));
	json_object_object_add(o, "extensions", ext);
	return send_json(c, 200, o);
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url, const char *method,
			     struct conn_req *cr)
{
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");

	if (!get && strcmp(method, "POST"))
		return send_error(c, 405, "method %s not served (GET or POST)", method);
	if (!strcmp(url, "/v2") || !strcmp(url, "/v2/"))
		return get ? server_metadata(c) : send_error(c, 405, "server metadata takes GET");
	if (!strcmp(url, "/v2/health/live"))
		return send_text(c, 200, "application/json", "{}", 2);
	if (!strcmp(url, "/v2/health/ready")) {
		if (atomic_load(&srv->draining))
			return send_error(c, 503, "the server is shutting down");
		return send_text(c, 200, "application/json", "{}", 2);
	}
	if (!strncmp(url, "/v2/models/", 11))
		return model_route(c, url + 11, get, cr);
	if (!strcmp(url, "/metrics")) {
		size_t len;
		char *text = metrics_render(&srv->repo, &len);
		enum MHD_Result ret;

		if (!text)
			return send_error(c, 500, "out of memory");
		ret = send_text(c, 200, "text/plain; version=0.0.4", text, len);
		free(text);
		return ret;
	}
	return send_error(c, 404, "no such endpoint: %.200s", url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct conn_req *cr = *con_cls;

	(void)cls;
	(void)version;
	if (!cr) {
		const char *cl;

		cr = calloc(1, sizeof(*cr));
		if (!cr)
			return MHD_NO;
		*con_cls = cr;
		cr->start_ns = serve_now_ns();
		atomic_fetch_add(&srv->in_flight, 1);
		if (atomic_load(&srv->connections) > srv->opts.max_connections)
			cr->early_status = 429;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > srv->opts.max_body)
			cr->early_status = 413;
		/* A body over the limit is refused before it is read. */
		if (cr->early_status == 413)
			return send_error(c, 413,
					  "request body of %s bytes is over the limit of %zu", cl,
					  srv->opts.max_body);
		return MHD_YES;
	}
	if (cr->early_status == 413)
		return MHD_YES; /* the response is queued: the rest is discarded */
	if (cr->early_status == 429) {
		/* Read (and drop) the body first, so the client gets its 429
		 * instead of a reset while it is still sending. */
		if (*upload_size) {
			*upload_size = 0;
			return MHD_YES;
		}
		return send_error(c, 429, "too many connections: %u open, the limit is %u",
				  (unsigned)atomic_load(&srv->connections),
				  srv->opts.max_connections);
	}
	if (*upload_size) {
		if (cr->too_big || cr->len + *upload_size > srv->opts.max_body) {
			cr->too_big = true;
		} else {
			if (cr->len + *upload_size + 1 > cr->cap) {
				size_t cap = (cr->len + *upload_size + 1) * 2;
				char *nb;

				if (cap > srv->opts.max_body + 1)
					cap = srv->opts.max_body + 1;
				nb = realloc(cr->body, cap);
				if (!nb)
					return MHD_NO;
				cr->body = nb;
				cr->cap = cap;
			}
			memcpy(cr->body + cr->len, upload, *upload_size);
			cr->len += *upload_size;
			cr->body[cr->len] = 0;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (cr->too_big)
		return send_error(c, 413, "request body over the limit of %zu bytes",
				  srv->opts.max_body);
	if (cr->req && cr->conn)
		return infer_answer(c, cr); /* resumed: its batch ran */
	return route(c, url, method, cr);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_req *cr = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!cr)
		return;
	if (cr->req) {
		request_free(cr->req);
		free(cr->req);
	}
	json_object_put(cr->root);
	free(cr->body);
	free(cr);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)c;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&srv->connections, 1);
	else
		atomic_fetch_sub(&srv->connections, 1);
	metrics_set_connections((unsigned)atomic_load(&srv->connections));
	batcher_set_connections((unsigned)atomic_load(&srv->connections));
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("ares-serve: libmicrohttpd: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static unsigned polling_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
}

int http_start(struct server *s, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->opts.port)};
	const union MHD_DaemonInfo *info;

	srv = s;
	if (inet_pton(AF_INET, s->opts.address, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "--address %s is not an IPv4 address", s->opts.address);
		return -EINVAL;
	}
	/* MHD's own limit sits above ours so that the connections past ours
	 * are accepted and told why (429) instead of being dropped. A pool of
	 * epoll threads, one per CPU, rather than a thread per connection: a
	 * batch's requests are suspended while they wait and resumed
	 * together, so one wake-up of a polling thread answers several, where
	 * a thread per connection took a wake-up (and under TCG most of a
	 * millisecond of the guest's CPU) per request. */
	s->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, polling_threads(),
		MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL, MHD_OPTION_SOCK_ADDR, &sa,
		MHD_OPTION_CONNECTION_LIMIT, s->opts.max_connections + 16,
		MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
	if (!s->mhd) {
		snprintf(err, errlen, "cannot listen on %s:%u (in use, or no permission)",
			 s->opts.address, s->opts.port);
		return -EADDRINUSE;
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : s->opts.port;
	return 0;
}

void http_quiesce(struct server *s)
{
	MHD_socket fd;

	atomic_store(&s->draining, true);
	fd = MHD_quiesce_daemon(s->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

void http_stop(struct server *s)
{
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	s->mhd = NULL;
}
