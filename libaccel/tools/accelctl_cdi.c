/* SPDX-License-Identifier: MIT */
/*
 * accelctl cdi generate [--output FILE]: a Container Device Interface spec
 * (JSON) for the Ares devices of this machine, kind ares.dev/npu: one CDI
 * device per accel node, named by its index N (accelN), plus "all". Each
 * carries the node and the node's udev by-path links (as extra nodes of
 * the same device number, since CDI cannot make symlinks). The spec-wide
 * edits set ARES_VISIBLE_DEVICES=all: a container sees exactly the nodes
 * injected, and a list inherited from the image or host, which would name
 * devices that are not there, must not apply. See docs/containers.md.
 *
 * With --output the file is written beside its final name and renamed, so
 * a runtime watching /etc/cdi never reads half a spec. Exit status: 0, 1
 * write error, 2 usage, 3 no Ares device.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <json-c/json.h>

#include "accel.h"
#include "accelctl_ext.h"

#define CDI_VERSION "0.5.0" /* deviceNodes[].hostPath; podman 4.3 reads 0.5.0 */
#define CDI_KIND    "ares.dev/npu"
#define BY_PATH_DIR "/dev/accel/by-path"
#define MAX_DEVICES 64

/* A deviceNodes[] entry for @host seen at @path in the container. */
static json_object *device_node(const char *path, const char *host, const struct stat *st)
{
	json_object *n = json_object_new_object();

	json_object_object_add(n, "path", json_object_new_string(path));
	if (strcmp(path, host))
		json_object_object_add(n, "hostPath", json_object_new_string(host));
	json_object_object_add(n, "type", json_object_new_string("c"));
	json_object_object_add(n, "major", json_object_new_int64(major(st->st_rdev)));
	json_object_object_add(n, "minor", json_object_new_int64(minor(st->st_rdev)));
	json_object_object_add(n, "permissions", json_object_new_string("rw"));
	return n;
}

/* Appends @e's node and every by-path link that resolves to it to @nodes. */
static int add_nodes(json_object *nodes, const struct accel_device_entry *e)
{
	char link[PATH_MAX], real[PATH_MAX], node_real[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (stat(e->node, &st) || !S_ISCHR(st.st_mode)) {
		fprintf(stderr, "accelctl: %s is not a character device\n", e->node);
		return -ENODEV;
	}
	if (!realpath(e->node, node_real))
		return -errno;
	json_object_array_add(nodes, device_node(e->node, e->node, &st));
	d = opendir(BY_PATH_DIR);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), BY_PATH_DIR "/%s", de->d_name);
		if (realpath(link, real) && !strcmp(real, node_real))
			json_object_array_add(nodes, device_node(link, e->node, &st));
	}
	closedir(d);
	return 0;
}

static json_object *cdi_device(const char *name, json_object *nodes)
{
	json_object *dev = json_object_new_object(), *edits = json_object_new_object();

	json_object_object_add(dev, "name", json_object_new_string(name));
	json_object_object_add(edits, "deviceNodes", nodes);
	json_object_object_add(dev, "containerEdits", edits);
	return dev;
}

static json_object *build_spec(const struct accel_device_entry *e, size_t n)
{
	json_object *spec = json_object_new_object(), *devices = json_object_new_array();
	json_object *all = json_object_new_array(), *edits = json_object_new_object();
	json_object *env = json_object_new_array();
	size_t i;

	json_object_object_add(spec, "cdiVersion", json_object_new_string(CDI_VERSION));
	json_object_object_add(spec, "kind", json_object_new_string(CDI_KIND));
	for (i = 0; i < n; i++) {
		json_object *nodes = json_object_new_array();
		char name[16];

		if (add_nodes(nodes, &e[i]) || add_nodes(all, &e[i])) {
			json_object_put(nodes);
			json_object_put(all);
			json_object_put(devices);
			json_object_put(edits);
			json_object_put(env);
			json_object_put(spec);
			return NULL;
		}
		snprintf(name, sizeof(name), "%u", e[i].index);
		json_object_array_add(devices, cdi_device(name, nodes));
	}
	json_object_array_add(devices, cdi_device("all", all));
	json_object_object_add(spec, "devices", devices);
	json_object_array_add(env, json_object_new_string("ARES_VISIBLE_DEVICES=all"));
	json_object_object_add(edits, "env", env);
	json_object_object_add(spec, "containerEdits", edits);
	return spec;
}

static int write_spec(const char *text, const char *output)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (!output) {
		puts(text);
		return fflush(stdout) ? 1 : 0;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", output, (int)getpid()) >= sizeof(tmp)) {
		fprintf(stderr, "accelctl: output path too long: %s\n", output);
		return 2;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "accelctl: cannot write %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	/* CDI specs are world-readable configuration; runtimes run as any user. */
	if (fchmod(fileno(f), 0644) || fprintf(f, "%s\n", text) < 0 || fclose(f)) {
		fprintf(stderr, "accelctl: writing %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		return 1;
	}
	if (rename(tmp, output)) {
		fprintf(stderr, "accelctl: renaming %s to %s: %s\n", tmp, output, strerror(errno));
		unlink(tmp);
		return 1;
	}
	return 0;
}

static void cdi_usage(FILE *f)
{
	fprintf(f, "usage: accelctl cdi generate [--output FILE]\n"
		   "writes a CDI spec (kind " CDI_KIND ", cdiVersion " CDI_VERSION
		   ") for every Ares device, e.g. to /etc/cdi/ares.json\n");
}

int accelctl_cdi_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct accel_device_entry e[MAX_DEVICES];
	const char *output = NULL;
	json_object *spec;
	size_t n = 0;
	int opt, ret;

	if (argc < 3 || strcmp(argv[2], "generate")) {
		if (argc >= 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			cdi_usage(stdout);
			return 0;
		}
		fprintf(stderr, "accelctl: cdi wants the subcommand \"generate\"\n");
		cdi_usage(stderr);
		return 2;
	}
	optind = 3;
	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			cdi_usage(stdout);
			return 0;
		default:
			cdi_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "accelctl: unexpected argument \"%s\"\n", argv[optind]);
		cdi_usage(stderr);
		return 2;
	}
	/* The spec describes the machine, not this process's visible subset. */
	ret = accel_enumerate_at("/dev/accel", "/sys/class/accel", e, MAX_DEVICES, &n);
	if (ret) {
		fprintf(stderr, "accelctl: scanning /dev/accel: %s\n", accel_strerror(ret));
		return 1;
	}
	if (!n) {
		char why[1024];

		accel_no_device_reason(NULL, NULL, why, sizeof(why));
		fprintf(stderr, "accelctl: %s\n", why);
		return 3;
	}
	if (n > MAX_DEVICES) {
		fprintf(stderr, "accelctl: %zu Ares devices, more than the %d a spec lists\n", n,
			MAX_DEVICES);
		return 1;
	}
	spec = build_spec(e, n);
	if (!spec)
		return 1;
	ret = write_spec(json_object_to_json_string_ext(
				 spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					       JSON_C_TO_STRING_NOSLASHESCAPE),
			 output);
	json_object_put(spec);
	return ret;
}
