/* SPDX-License-Identifier: MIT */
/*
 * accelctl - inspect and operate Ares devices.
 *
 *   accelctl list  [--json]                     every device, versions, compatibility
 *   accelctl info  [-d N] [--json]              DEVICE_INFO, QUEUE_INFO and sysfs counters
 *   accelctl top   [-d N] [-n COUNT|--once] [-i MS] [--json]
 *                                               utilisation per device and per process
 *   accelctl reset [-d N] [--json]              reset the device (root)
 *   accelctl fw    [-d N] [--log] [--json]      firmware versions, state, log (root)
 *   accelctl dump  [-d N] [--json]              registers and queues (root, debugfs)
 *   accelctl visible                            ARES_VISIBLE_DEVICES mapping (accelctl_visible.c)
 *   accelctl cdi generate [--output FILE]       CDI spec for containers (accelctl_cdi.c)
 *
 * Data come from libaccel: the driver's ioctls, and its sysfs group,
 * fdinfo and debugfs (docs/sysfs.md) through accel_device_state(),
 * accel_device_clients() and accel_device_debugfs(). --json prints one
 * document per run (per sample for top, one per line) following
 * docs/accelctl-json.md and docs/accelctl.schema.json.
 *
 * Exit status: 0 success, 1 a device operation failed (reset: the device
 * did not recover), 2 usage error, 3 no such Ares device.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "accel.h"
#include "accelctl_ext.h"

#define EXIT_DEVICE   1
#define EXIT_USAGE    2
#define EXIT_NODEVICE 3

#define SCHEMA_NAME    "ares-accelctl"
#define SCHEMA_VERSION 1

/* The DRM driver major this library speaks (uAPI ABI). */
#define DRIVER_MAJOR_SUPPORTED 1

#define VER_FMT	    "%u.%u.%u"
#define VER_ARGS(v) ((v) >> 16) & 0xffff, ((v) >> 8) & 0xff, (v)&0xff

static const char *const prio_names[] = {"low", "normal", "high", "realtime"};
#define NUM_PRIO ACCEL_NUM_PRIORITIES

static bool json_mode;
static const char *command = "?";

static void usage(FILE *f)
{
	fprintf(f, "usage: accelctl list  [--json]\n"
		   "       accelctl info  [-d INDEX] [--json]\n"
		   "       accelctl top   [-d INDEX] [-n COUNT | --once] [-i MS] [--json]\n"
		   "       accelctl reset [-d INDEX] [--json]\n"
		   "       accelctl fw    [-d INDEX] [--log] [--json]\n"
		   "       accelctl dump  [-d INDEX] [--json]\n"
		   "       accelctl visible\n"
		   "       accelctl cdi generate [--output FILE]\n"
		   "exit status: 0 ok, 1 device error, 2 usage, 3 no Ares device\n");
}

/* ---- output ---- */

static json_object *envelope(void)
{
	json_object *o = json_object_new_object();
	char lib[32];

	snprintf(lib, sizeof(lib), "%d.%d.%d", ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR,
		 ACCEL_VERSION_PATCH);
	json_object_object_add(o, "schema", json_object_new_string(SCHEMA_NAME));
	json_object_object_add(o, "schema_version", json_object_new_int(SCHEMA_VERSION));
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "library_version", json_object_new_string(lib));
	return o;
}

static void emit(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

/*
 * Reports a failure: a sentence on stderr, and in JSON mode also an
 * envelope with "error" on stdout so a script reading stdout sees it.
 * Returns @code for "return fail(...)".
 */
static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "accelctl: %s\n", msg);
	if (json_mode) {
		json_object *o = envelope(), *e = json_object_new_object();

		json_object_object_add(e, "exit_status", json_object_new_int(code));
		json_object_object_add(e, "message", json_object_new_string(msg));
		json_object_object_add(o, "error", e);
		emit(o);
	}
	return code;
}

static json_object *jstr_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *jversion(uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), VER_FMT, VER_ARGS(v));
	return json_object_new_string(buf);
}

/* ---- device lookup ---- */

static int enumerate(struct accel_device_entry **out, size_t *n)
{
	int ret = accel_enumerate(NULL, 0, n);

	*out = NULL;
	if (ret)
		return fail(EXIT_DEVICE, "scanning /dev/accel: %s", accel_strerror(ret));
	if (!*n)
		return 0;
	*out = calloc(*n, sizeof(**out));
	if (!*out)
		return fail(EXIT_DEVICE, "out of memory");
	ret = accel_enumerate(*out, *n, n);
	if (ret) {
		free(*out);
		*out = NULL;
		return fail(EXIT_DEVICE, "scanning /dev/accel: %s", accel_strerror(ret));
	}
	return 0;
}

/*
 * Says why no device was found: what ARES_VISIBLE_DEVICES hides, or what
 * libaccel finds in sysfs (module, probe, node).
 */
static int fail_no_device(void)
{
	char why[1024];
	size_t all = 0;

	if (getenv("ARES_VISIBLE_DEVICES") &&
	    !accel_enumerate_at("/dev/accel", "/sys/class/accel", NULL, 0, &all) && all)
		return fail(EXIT_NODEVICE,
			    "no Ares device found: ARES_VISIBLE_DEVICES=\"%s\" selects none of "
			    "the %zu present",
			    getenv("ARES_VISIBLE_DEVICES"), all);
	accel_no_device_reason(NULL, NULL, why, sizeof(why));
	return fail(EXIT_NODEVICE, "%s", why);
}

/* Finds accel@index among the Ares devices. */
static int find_device(unsigned int index, struct accel_device_entry *out)
{
	struct accel_device_entry *e;
	size_t n, i;
	int ret = enumerate(&e, &n);

	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (e[i].index == index) {
			*out = e[i];
			free(e);
			return 0;
		}
	free(e);
	if (!n)
		return fail_no_device();
	return fail(EXIT_NODEVICE, "no Ares device with index %u (see accelctl list)", index);
}

/* ---- list / info ---- */

struct devdesc {
	struct accel_device_info info;
	bool have_info;
	struct accel_device_state st;
	json_object *reasons;
	bool compatible, known;
};

/*
 * Gathers what list and info show about one device and decides whether
 * this library, the driver and the firmware work together.
 */
static int describe(const struct accel_device_entry *e, struct devdesc *d, accel_device **keep)
{
	char buf[128];
	accel_device *dev;
	char err[512];
	int ret;

	memset(d, 0, sizeof(*d));
	d->st.link_width = -1;
	d->reasons = json_object_new_array();
	ret = accel_device_open(e->node, &dev, err, sizeof(err));
	if (ret) {
		json_object_array_add(d->reasons, json_object_new_string(err));
		return fail(EXIT_DEVICE, "%s", err);
	}
	ret = accel_device_query_info(dev, &d->info);
	if (ret) {
		fail(EXIT_DEVICE, "%s", accel_device_last_error(dev));
		accel_device_close(dev);
		return EXIT_DEVICE;
	}
	d->have_info = true;
	if (keep)
		*keep = dev;
	else
		accel_device_close(dev);

	/* Missing parts stay unknown; the verdict below says so. */
	accel_device_state(e, &d->st);

	d->known = true;
	d->compatible = true;
	if (d->info.driver_major != DRIVER_MAJOR_SUPPORTED) {
		snprintf(buf, sizeof(buf), "driver %d.x: libaccel %d.%d.%d speaks driver %d.x",
			 d->info.driver_major, ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR,
			 ACCEL_VERSION_PATCH, DRIVER_MAJOR_SUPPORTED);
		json_object_array_add(d->reasons, json_object_new_string(buf));
		d->compatible = false;
	}
	if (!d->st.fw_compat_min) {
		json_object_array_add(d->reasons,
				      json_object_new_string("driver does not report its firmware "
							     "range (sysfs ares/fw_compat)"));
		d->known = false;
	} else if (d->info.fw_version < d->st.fw_compat_min ||
		   d->info.fw_version > d->st.fw_compat_max) {
		snprintf(buf, sizeof(buf),
			 "firmware " VER_FMT " outside the driver's range " VER_FMT " to " VER_FMT,
			 VER_ARGS(d->info.fw_version), VER_ARGS(d->st.fw_compat_min),
			 VER_ARGS(d->st.fw_compat_max));
		json_object_array_add(d->reasons, json_object_new_string(buf));
		d->compatible = false;
	}
	if (!strcmp(d->st.state, "dead")) {
		json_object_array_add(
			d->reasons,
			json_object_new_string("firmware failed to reboot after a reset"));
		d->compatible = false;
	}
	return 0;
}

static const char *verdict(const struct devdesc *d)
{
	if (!d->compatible)
		return "incompatible";
	return d->known ? "compatible" : "unknown";
}

static json_object *device_json(const struct accel_device_entry *e, struct devdesc *d)
{
	json_object *o = json_object_new_object(), *link = json_object_new_object();
	json_object *compat = json_object_new_object();
	char buf[64];

	json_object_object_add(o, "index", json_object_new_int((int)e->index));
	json_object_object_add(o, "node", json_object_new_string(e->node));
	json_object_object_add(o, "pci_address", jstr_or_null(e->pci_address));
	snprintf(buf, sizeof(buf), "%04x:%04x", e->pci_vendor, e->pci_device);
	json_object_object_add(o, "pci_id", json_object_new_string(buf));
	json_object_object_add(o, "numa_node",
			       e->numa_node >= 0 ? json_object_new_int(e->numa_node) : NULL);
	json_object_object_add(link, "speed", jstr_or_null(d->st.link_speed));
	json_object_object_add(link, "width",
			       d->st.link_width >= 0 ? json_object_new_int(d->st.link_width)
						     : NULL);
	json_object_object_add(o, "link", link);
	snprintf(buf, sizeof(buf), "%d.%d.%d", d->info.driver_major, d->info.driver_minor,
		 d->info.driver_patch);
	json_object_object_add(o, "driver_version", json_object_new_string(buf));
	json_object_object_add(o, "hw_version", jversion(d->info.hw_version));
	json_object_object_add(o, "fw_version", jversion(d->info.fw_version));
	json_object_object_add(o, "fw_image_version",
			       d->st.fw_image_version ? jversion(d->st.fw_image_version) : NULL);
	json_object_object_add(o, "state", jstr_or_null(d->st.state));
	json_object_object_add(compat, "verdict", json_object_new_string(verdict(d)));
	json_object_object_add(compat, "fw_min",
			       d->st.fw_compat_min ? jversion(d->st.fw_compat_min) : NULL);
	json_object_object_add(compat, "fw_max",
			       d->st.fw_compat_max ? jversion(d->st.fw_compat_max) : NULL);
	json_object_object_add(compat, "reasons", json_object_get(d->reasons));
	json_object_object_add(o, "compatibility", compat);
	return o;
}

static int cmd_list(void)
{
	json_object *root = NULL, *arr = NULL;
	struct accel_device_entry *e;
	struct devdesc *descs;
	int ret, status = 0;
	size_t n, i, described = 0;
	bool *ok;

	ret = enumerate(&e, &n);
	if (ret)
		return ret;
	if (!n)
		return fail_no_device();
	/*
	 * Open every device before printing anything, so a user who may open
	 * none (not in the node's group) gets the reason, not an empty table.
	 */
	descs = calloc(n, sizeof(*descs));
	ok = calloc(n, sizeof(*ok));
	if (!descs || !ok) {
		free(descs);
		free(ok);
		free(e);
		return fail(EXIT_DEVICE, "out of memory");
	}
	for (i = 0; i < n; i++) {
		ok[i] = !describe(&e[i], &descs[i], NULL);
		if (ok[i])
			described++;
		else
			status = EXIT_DEVICE;
	}
	if (json_mode) {
		root = envelope();
		arr = json_object_new_array();
	} else if (described) {
		printf("%-5s %-18s %-12s %-9s %-4s %-12s %-7s %-7s %-7s %-7s %s\n", "INDEX", "NODE",
		       "PCI", "ID", "NUMA", "LINK", "DRIVER", "HW", "FW", "LIB", "COMPAT");
	}
	for (i = 0; i < n; i++) {
		struct devdesc d = descs[i];

		if (!ok[i]) {
			json_object_put(d.reasons);
			continue;
		}
		if (json_mode) {
			json_object_array_add(arr, device_json(&e[i], &d));
		} else {
			char drv[16], hw[16], fw[16], link[80];

			snprintf(drv, sizeof(drv), "%d.%d.%d", d.info.driver_major,
				 d.info.driver_minor, d.info.driver_patch);
			snprintf(hw, sizeof(hw), VER_FMT, VER_ARGS(d.info.hw_version));
			snprintf(fw, sizeof(fw), VER_FMT, VER_ARGS(d.info.fw_version));
			if (d.st.link_speed[0])
				snprintf(link, sizeof(link), "x%d %s", d.st.link_width,
					 d.st.link_speed);
			else
				snprintf(link, sizeof(link), "-");
			printf("%-5u %-18s %-12s %04x:%04x %-4d %-12s %-7s %-7s %-7s %d.%d.%d   "
			       "%s\n",
			       e[i].index, e[i].node, e[i].pci_address[0] ? e[i].pci_address : "-",
			       e[i].pci_vendor, e[i].pci_device, e[i].numa_node, link, drv, hw, fw,
			       ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR, ACCEL_VERSION_PATCH,
			       verdict(&d));
			for (size_t r = 0; r < json_object_array_length(d.reasons); r++)
				printf("      %s\n",
				       json_object_get_string(
					       json_object_array_get_idx(d.reasons, r)));
		}
		json_object_put(d.reasons);
	}
	free(descs);
	free(ok);
	free(e);
	if (json_mode) {
		json_object_object_add(root, "devices", arr);
		emit(root);
	}
	return status;
}

/* The counters `info` prints as text; --json has all of them. */
#define TEXT_COUNTERS (ACCEL_COUNTER_HEARTBEAT_TIMEOUTS + 1)

static bool have_counter(const struct accel_device_state *st, unsigned int i)
{
	return st->counter_valid & (1u << i);
}

static int cmd_info(unsigned int index)
{
	json_object *o = NULL, *qa = NULL, *ctr = NULL, *caps = NULL;
	struct accel_queue_info *q = NULL;
	struct accel_device_entry e;
	accel_device *dev = NULL;
	struct devdesc d;
	size_t nq = 0;
	int ret, status = 0;

	ret = find_device(index, &e);
	if (ret)
		return ret;
	ret = describe(&e, &d, &dev);
	if (ret) {
		json_object_put(d.reasons);
		return ret;
	}
	ret = accel_device_query_queues(dev, NULL, 0, &nq);
	if (!ret) {
		q = calloc(nq ? nq : 1, sizeof(*q));
		ret = q ? accel_device_query_queues(dev, q, nq, &nq) : -ENOMEM;
	}
	if (ret) {
		status = fail(EXIT_DEVICE, "%s", accel_device_last_error(dev));
		goto out;
	}
	if (json_mode) {
		o = device_json(&e, &d);
		json_object_object_add(o, "fw_features", json_object_new_int64(d.info.fw_features));
		json_object_object_add(o, "caps_mask", json_object_new_int64(d.info.caps));
		caps = json_object_new_array();
		if (d.info.caps & 1)
			json_object_array_add(caps, json_object_new_string("mmu"));
		if (d.info.caps & 2)
			json_object_array_add(caps, json_object_new_string("gemm_f32"));
		if (d.info.caps & 4)
			json_object_array_add(caps, json_object_new_string("fault_inject"));
		json_object_object_add(o, "caps", caps);
		json_object_object_add(o, "num_queues",
				       json_object_new_int((int)d.info.num_queues));
		json_object_object_add(o, "max_address_spaces",
				       json_object_new_int((int)d.info.max_address_spaces));
		json_object_object_add(o, "va_bits", json_object_new_int((int)d.info.va_bits));
		json_object_object_add(o, "num_priorities",
				       json_object_new_int((int)d.info.num_priorities));
		json_object_object_add(o, "va_start", json_object_new_uint64(d.info.va_start));
		json_object_object_add(o, "va_end", json_object_new_uint64(d.info.va_end));
		qa = json_object_new_array();
		for (size_t i = 0; i < nq; i++) {
			json_object *qo = json_object_new_object();

			json_object_object_add(qo, "index", json_object_new_int((int)q[i].index));
			json_object_object_add(
				qo, "priority",
				json_object_new_string(q[i].priority < NUM_PRIO
							       ? prio_names[q[i].priority]
							       : "?"));
			json_object_object_add(qo, "ring_entries",
					       json_object_new_int((int)q[i].ring_entries));
			json_object_object_add(qo, "jobs_pending",
					       json_object_new_int((int)q[i].jobs_pending));
			json_object_object_add(qo, "jobs_completed",
					       json_object_new_uint64(q[i].jobs_completed));
			json_object_array_add(qa, qo);
		}
		json_object_object_add(o, "queues", qa);
		ctr = json_object_new_object();
		for (unsigned int i = 0; i < ACCEL_NUM_COUNTERS; i++)
			if (have_counter(&d.st, i))
				json_object_object_add(ctr, accel_counter_name(i),
						       json_object_new_uint64(d.st.counter[i]));
		json_object_object_add(o, "counters", ctr);
		json_object *root = envelope();

		json_object_object_add(root, "device", o);
		emit(root);
		goto out;
	}

	printf("node:               %s\n", e.node);
	printf("pci_address:        %s\n", e.pci_address[0] ? e.pci_address : "-");
	printf("driver:             ares %d.%d.%d\n", d.info.driver_major, d.info.driver_minor,
	       d.info.driver_patch);
	printf("hw_version:         " VER_FMT " (0x%06x)\n", VER_ARGS(d.info.hw_version),
	       d.info.hw_version);
	printf("fw_version:         " VER_FMT " (0x%06x)\n", VER_ARGS(d.info.fw_version),
	       d.info.fw_version);
	printf("fw_features:        0x%08x\n", d.info.fw_features);
	printf("caps:               0x%08x%s%s%s\n", d.info.caps, d.info.caps & 1 ? " mmu" : "",
	       d.info.caps & 2 ? " gemm_f32" : "", d.info.caps & 4 ? " fault_inject" : "");
	printf("num_queues:         %u\n", d.info.num_queues);
	printf("max_address_spaces: %u\n", d.info.max_address_spaces);
	printf("va_bits:            %u\n", d.info.va_bits);
	printf("num_priorities:     %u\n", d.info.num_priorities);
	printf("va_range:           0x%llx-0x%llx\n", (unsigned long long)d.info.va_start,
	       (unsigned long long)d.info.va_end);
	printf("pci_id:             %04x:%04x\n", d.info.pci_vendor, d.info.pci_device);
	printf("reset_count:        %u\n", d.info.reset_count);
	printf("state:              %s\n", d.st.state[0] ? d.st.state : "?");
	printf("compatibility:      %s\n", verdict(&d));
	for (unsigned int i = 0; i < TEXT_COUNTERS; i++)
		if (have_counter(&d.st, i))
			printf("%-19s %" PRIu64 "\n", accel_counter_name(i), d.st.counter[i]);
	printf("queues:\n  %-5s %-9s %-12s %-8s %s\n", "INDEX", "PRIORITY", "RING_ENTRIES",
	       "PENDING", "COMPLETED");
	for (size_t i = 0; i < nq; i++)
		printf("  %-5u %-9s %-12u %-8u %llu\n", q[i].index,
		       q[i].priority < NUM_PRIO ? prio_names[q[i].priority] : "?",
		       q[i].ring_entries, q[i].jobs_pending,
		       (unsigned long long)q[i].jobs_completed);
out:
	json_object_put(d.reasons);
	free(q);
	accel_device_close(dev);
	return status;
}

/* ---- top ---- */

struct sample {
	uint64_t t_ns;
	uint64_t busy_ns, jobs;
	struct accel_client *c;
	size_t n, cap;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void take_sample(struct sample *s, const struct accel_device_entry *e)
{
	struct accel_device_state st;

	s->t_ns = mono_ns();
	accel_device_state(e, &st);
	s->busy_ns =
		have_counter(&st, ACCEL_COUNTER_BUSY_NS) ? st.counter[ACCEL_COUNTER_BUSY_NS] : 0;
	s->jobs = have_counter(&st, ACCEL_COUNTER_JOBS_COMPLETED)
			  ? st.counter[ACCEL_COUNTER_JOBS_COMPLETED]
			  : 0;
	/* Files open and close while we look: retry until the array was big enough. */
	for (;;) {
		size_t n = 0;
		struct accel_client *nc;

		if (accel_device_clients(e, s->c, s->cap, &n)) {
			s->n = 0;
			return;
		}
		if (n <= s->cap) {
			s->n = n;
			return;
		}
		nc = realloc(s->c, (n + 16) * sizeof(*nc));
		if (!nc) {
			s->n = s->cap;
			return;
		}
		s->c = nc;
		s->cap = n + 16;
	}
}

static double pct(uint64_t ns, uint64_t interval)
{
	double v = interval ? 100.0 * (double)ns / (double)interval : 0.0;

	return v > 100.0 ? 100.0 : v;
}

/* Prints (or emits) the change from @a to @b. */
static void report(const struct accel_device_entry *e, const struct sample *a,
		   const struct sample *b, unsigned int seq)
{
	uint64_t dt = b->t_ns - a->t_ns;
	uint64_t busy = b->busy_ns >= a->busy_ns ? b->busy_ns - a->busy_ns : 0;
	uint64_t jobs = b->jobs >= a->jobs ? b->jobs - a->jobs : 0;
	json_object *root = NULL, *dev = NULL, *procs = NULL;

	if (json_mode) {
		root = envelope();
		dev = json_object_new_object();
		procs = json_object_new_array();
		json_object_object_add(root, "sample", json_object_new_int((int)seq));
		json_object_object_add(root, "interval_ns", json_object_new_uint64(dt));
		json_object_object_add(dev, "index", json_object_new_int((int)e->index));
		json_object_object_add(dev, "pci_address", jstr_or_null(e->pci_address));
		json_object_object_add(dev, "busy_ns", json_object_new_uint64(busy));
		json_object_object_add(dev, "busy_percent", json_object_new_double(pct(busy, dt)));
		json_object_object_add(dev, "jobs_completed", json_object_new_uint64(jobs));
	} else {
		printf("accel%u %s  busy %5.1f%%  jobs %" PRIu64 "  (%.1f s)\n", e->index,
		       e->pci_address, pct(busy, dt), jobs, (double)dt / 1e9);
		printf("  %-7s %-16s %-8s %7s %7s %7s %7s %10s\n", "PID", "COMM", "CLIENT", "LOW%",
		       "NORM%", "HIGH%", "RT%", "MEM_KIB");
	}
	for (size_t i = 0; i < b->n; i++) {
		const struct accel_client *c = &b->c[i];
		const struct accel_client *prev = NULL;
		uint64_t d[NUM_PRIO];

		for (size_t j = 0; j < a->n; j++)
			if (a->c[j].client_id == c->client_id && a->c[j].pid == c->pid)
				prev = &a->c[j];
		for (int p = 0; p < NUM_PRIO; p++)
			d[p] = prev && c->engine_ns[p] >= prev->engine_ns[p]
				       ? c->engine_ns[p] - prev->engine_ns[p]
			       : prev ? 0
				      : c->engine_ns[p];
		if (json_mode) {
			json_object *po = json_object_new_object(), *eng = json_object_new_object();

			json_object_object_add(po, "pid", json_object_new_int(c->pid));
			json_object_object_add(po, "comm", json_object_new_string(c->comm));
			json_object_object_add(po, "client_id",
					       json_object_new_uint64(c->client_id));
			for (int p = 0; p < NUM_PRIO; p++) {
				json_object *eo = json_object_new_object();

				json_object_object_add(eo, "busy_ns", json_object_new_uint64(d[p]));
				json_object_object_add(eo, "busy_percent",
						       json_object_new_double(pct(d[p], dt)));
				json_object_object_add(eo, "total_ns",
						       json_object_new_uint64(c->engine_ns[p]));
				json_object_object_add(eng, prio_names[p], eo);
			}
			json_object_object_add(po, "engines", eng);
			json_object_object_add(po, "memory_kib",
					       json_object_new_uint64(c->memory_kib));
			json_object_array_add(procs, po);
		} else {
			printf("  %-7d %-16s %-8" PRIu64 " %7.1f %7.1f %7.1f %7.1f %10" PRIu64 "\n",
			       c->pid, c->comm, c->client_id, pct(d[0], dt), pct(d[1], dt),
			       pct(d[2], dt), pct(d[3], dt), c->memory_kib);
		}
	}
	if (json_mode) {
		json_object_object_add(dev, "processes", procs);
		json_object_object_add(root, "device", dev);
		emit(root);
	} else {
		fflush(stdout);
	}
}

static int cmd_top(unsigned int index, long count, long interval_ms)
{
	struct sample s[2] = {{0}};
	struct accel_device_state st;
	struct accel_device_entry e;
	int ret, cur = 0;

	ret = find_device(index, &e);
	if (ret)
		return ret;
	ret = accel_device_state(&e, &st);
	if (ret)
		return fail(EXIT_DEVICE,
			    "accel%u: no sysfs ares group: %s (driver too old for top?)", index,
			    accel_strerror(ret));
	take_sample(&s[cur], &e);
	for (long i = 0; count <= 0 || i < count; i++) {
		struct timespec ts = {.tv_sec = interval_ms / 1000,
				      .tv_nsec = (interval_ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
		take_sample(&s[!cur], &e);
		report(&e, &s[cur], &s[!cur], (unsigned int)i);
		cur = !cur;
	}
	free(s[0].c);
	free(s[1].c);
	return 0;
}

/* ---- reset ---- */

static int cmd_reset(unsigned int index)
{
	struct accel_device_state st;
	uint64_t before, after;
	struct accel_device_entry e;
	json_object *root, *r;
	uint64_t t0;
	int ret;

	ret = find_device(index, &e);
	if (ret)
		return ret;
	if (accel_device_state(&e, &st) || !have_counter(&st, ACCEL_COUNTER_RESET_COUNT))
		return fail(EXIT_DEVICE, "accel%u: cannot read reset_count (driver too old?)",
			    index);
	before = st.counter[ACCEL_COUNTER_RESET_COUNT];
	t0 = mono_ns();
	ret = accel_device_reset(&e);
	if (ret == -EACCES || ret == -EPERM)
		return fail(EXIT_DEVICE, "reset of accel%u: %s (resetting needs root)", index,
			    accel_strerror(ret));
	accel_device_state(&e, &st);
	after = have_counter(&st, ACCEL_COUNTER_RESET_COUNT) ? st.counter[ACCEL_COUNTER_RESET_COUNT]
							     : before;
	if (ret)
		return fail(EXIT_DEVICE, "reset of accel%u (%s) failed: %s; device state %s", index,
			    e.pci_address, accel_strerror(ret), st.state[0] ? st.state : "unknown");
	if (after <= before || strcmp(st.state, "running"))
		return fail(EXIT_DEVICE,
			    "reset of accel%u: reset_count %" PRIu64 " -> %" PRIu64
			    ", state %s: the device did not recover",
			    index, before, after, st.state);
	if (!json_mode) {
		printf("accel%u (%s): reset done in %.2f s, reset_count %" PRIu64
		       ", firmware running\n",
		       index, e.pci_address, (double)(mono_ns() - t0) / 1e9, after);
		return 0;
	}
	root = envelope();
	r = json_object_new_object();
	json_object_object_add(r, "index", json_object_new_int((int)index));
	json_object_object_add(r, "pci_address", jstr_or_null(e.pci_address));
	json_object_object_add(r, "reset_count_before", json_object_new_uint64(before));
	json_object_object_add(r, "reset_count_after", json_object_new_uint64(after));
	json_object_object_add(r, "state", json_object_new_string(st.state));
	json_object_object_add(r, "duration_ns", json_object_new_uint64(mono_ns() - t0));
	json_object_object_add(root, "reset", r);
	emit(root);
	return 0;
}

/* ---- fw ---- */

static int cmd_fw(unsigned int index, bool log)
{
	struct accel_device_entry e;
	json_object *root, *fw;
	struct devdesc d;
	char err[600], *text = NULL;
	uint64_t hb;
	int ret;

	ret = find_device(index, &e);
	if (ret)
		return ret;
	if (log) {
		ret = accel_device_debugfs(&e, "fw_log", &text, err, sizeof(err));
		if (ret)
			return fail(EXIT_DEVICE, "%s", err);
		/* The log is the firmware's bytes: keep JSON and terminals to text. */
		for (char *c = text; *c; c++)
			if ((unsigned char)*c >= 0x7f ||
			    ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t'))
				*c = '?';
	}
	ret = describe(&e, &d, NULL);
	if (ret) {
		json_object_put(d.reasons);
		free(text);
		return ret;
	}
	hb = have_counter(&d.st, ACCEL_COUNTER_HEARTBEAT_TIMEOUTS)
		     ? d.st.counter[ACCEL_COUNTER_HEARTBEAT_TIMEOUTS]
		     : 0;
	if (!json_mode) {
		printf("running:        " VER_FMT "\n", VER_ARGS(d.info.fw_version));
		if (d.st.fw_image_version)
			printf("image:          " VER_FMT "\n", VER_ARGS(d.st.fw_image_version));
		if (d.st.fw_compat_min)
			printf("driver accepts: " VER_FMT " to " VER_FMT "\n",
			       VER_ARGS(d.st.fw_compat_min), VER_ARGS(d.st.fw_compat_max));
		printf("compatibility:  %s\n", verdict(&d));
		printf("features:       0x%08x\n", d.info.fw_features);
		printf("state:          %s\n", d.st.state[0] ? d.st.state : "?");
		printf("heartbeat_timeouts: %" PRIu64 "\n", hb);
		if (text)
			printf("log:\n%s", text);
	} else {
		root = envelope();
		fw = json_object_new_object();
		json_object_object_add(fw, "index", json_object_new_int((int)index));
		json_object_object_add(fw, "pci_address", jstr_or_null(e.pci_address));
		json_object_object_add(fw, "running_version", jversion(d.info.fw_version));
		json_object_object_add(fw, "image_version",
				       d.st.fw_image_version ? jversion(d.st.fw_image_version)
							     : NULL);
		json_object_object_add(fw, "compat_min",
				       d.st.fw_compat_min ? jversion(d.st.fw_compat_min) : NULL);
		json_object_object_add(fw, "compat_max",
				       d.st.fw_compat_max ? jversion(d.st.fw_compat_max) : NULL);
		json_object_object_add(fw, "verdict", json_object_new_string(verdict(&d)));
		json_object_object_add(fw, "features", json_object_new_int64(d.info.fw_features));
		json_object_object_add(fw, "state", jstr_or_null(d.st.state));
		json_object_object_add(fw, "heartbeat_timeouts", json_object_new_uint64(hb));
		json_object_object_add(fw, "log", text ? json_object_new_string(text) : NULL);
		json_object_object_add(root, "firmware", fw);
		emit(root);
	}
	json_object_put(d.reasons);
	free(text);
	return 0;
}

/* ---- dump ---- */

static int cmd_dump(unsigned int index)
{
	struct accel_device_entry e;
	char err[600], *regs, *queues, *line, *save;
	json_object *root = NULL, *ra = NULL, *qa = NULL, *d = NULL;
	int ret;

	ret = find_device(index, &e);
	if (ret)
		return ret;
	ret = accel_device_debugfs(&e, "regs", &regs, err, sizeof(err));
	if (ret)
		return fail(EXIT_DEVICE, "%s", err);
	ret = accel_device_debugfs(&e, "queues", &queues, err, sizeof(err));
	if (ret) {
		free(regs);
		return fail(EXIT_DEVICE, "%s", err);
	}
	if (!json_mode) {
		printf("registers:\n%s\nqueues:\n%s", regs, queues);
		free(regs);
		free(queues);
		return 0;
	}
	root = envelope();
	d = json_object_new_object();
	ra = json_object_new_array();
	qa = json_object_new_array();
	json_object_object_add(d, "index", json_object_new_int((int)index));
	json_object_object_add(d, "pci_address", jstr_or_null(e.pci_address));
	for (line = strtok_r(regs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		unsigned long long off, val;
		json_object *r;

		if (sscanf(line, "%31s 0x%llx 0x%llx", name, &off, &val) != 3)
			continue;
		r = json_object_new_object();
		json_object_object_add(r, "name", json_object_new_string(name));
		json_object_object_add(r, "offset", json_object_new_uint64(off));
		json_object_object_add(r, "value", json_object_new_uint64(val));
		json_object_array_add(ra, r);
	}
	for (line = strtok_r(queues, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int q, prio, head, tail, st, pending, weight;
		int ctx, busy, fields;
		unsigned long long done, seq;
		json_object *qo;

		/* weight and busy are absent in drivers before queue weights. */
		fields = sscanf(line, "%u %u %d %u %u 0x%x %u %llu %llu %u %d", &q, &prio, &ctx,
				&head, &tail, &st, &pending, &done, &seq, &weight, &busy);
		if (fields != 9 && fields != 11)
			continue;
		qo = json_object_new_object();
		json_object_object_add(qo, "index", json_object_new_int((int)q));
		json_object_object_add(
			qo, "priority",
			json_object_new_string(prio < NUM_PRIO ? prio_names[prio] : "?"));
		json_object_object_add(qo, "contexts", json_object_new_int(ctx));
		json_object_object_add(qo, "head", json_object_new_int64(head));
		json_object_object_add(qo, "tail", json_object_new_int64(tail));
		json_object_object_add(qo, "status", json_object_new_int64(st));
		json_object_object_add(qo, "jobs_pending", json_object_new_int64(pending));
		json_object_object_add(qo, "jobs_completed", json_object_new_uint64(done));
		json_object_object_add(qo, "hw_seqno", json_object_new_uint64(seq));
		if (fields == 11) {
			json_object_object_add(qo, "weight", json_object_new_int64(weight));
			json_object_object_add(qo, "busy_contexts", json_object_new_int(busy));
		}
		json_object_array_add(qa, qo);
	}
	json_object_object_add(d, "registers", ra);
	json_object_object_add(d, "queues", qa);
	json_object_object_add(root, "dump", d);
	emit(root);
	free(regs);
	free(queues);
	return 0;
}

/* ---- command line ---- */

static int parse_ulong(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || end == s || *out > max) {
		fprintf(stderr, "accelctl: %s wants a number up to %lu, got \"%s\"\n", opt, max, s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"device", required_argument, NULL, 'd'},
		{"once", no_argument, NULL, 'o'},
		{"iterations", required_argument, NULL, 'n'},
		{"interval", required_argument, NULL, 'i'},
		{"log", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long index = 0, count = 0, interval = 1000, v;
	bool log = false, top_opts = false;
	int opt;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	command = argv[1];
	if (!strcmp(command, "visible"))
		return accelctl_visible_main(argc, argv);
	if (!strcmp(command, "cdi"))
		return accelctl_cdi_main(argc, argv);
	optind = 2;
	while ((opt = getopt_long(argc, argv, "d:n:i:", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_mode = true;
			break;
		case 'd':
			if (parse_ulong("-d", optarg, 0xffffffffUL, &index))
				return EXIT_USAGE;
			break;
		case 'o':
			count = 1;
			top_opts = true;
			break;
		case 'n':
			if (parse_ulong("-n", optarg, 1000000, &v) || !v) {
				fprintf(stderr, "accelctl: -n wants at least 1 sample\n");
				return EXIT_USAGE;
			}
			count = v;
			top_opts = true;
			break;
		case 'i':
			if (parse_ulong("-i", optarg, 3600000, &interval) || interval < 10) {
				fprintf(stderr, "accelctl: -i wants 10 to 3600000 ms\n");
				return EXIT_USAGE;
			}
			top_opts = true;
			break;
		case 'l':
			log = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "accelctl: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (top_opts && strcmp(command, "top")) {
		fprintf(stderr, "accelctl: -n, --once and -i are options of top\n");
		return EXIT_USAGE;
	}
	if (log && strcmp(command, "fw")) {
		fprintf(stderr, "accelctl: --log is an option of fw\n");
		return EXIT_USAGE;
	}
	if (!strcmp(command, "list"))
		return cmd_list();
	if (!strcmp(command, "info"))
		return cmd_info((unsigned int)index);
	if (!strcmp(command, "top"))
		return cmd_top((unsigned int)index, (long)count, (long)interval);
	if (!strcmp(command, "reset"))
		return cmd_reset((unsigned int)index);
	if (!strcmp(command, "fw"))
		return cmd_fw((unsigned int)index, log);
	if (!strcmp(command, "dump"))
		return cmd_dump((unsigned int)index);
	fprintf(stderr, "accelctl: unknown command \"%s\"\n", command);
	usage(stderr);
	return EXIT_USAGE;
}
