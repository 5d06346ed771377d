// SPDX-License-Identifier: MIT
/*
 * A program built only from what `make install` installed: the headers as
 * an outside user includes them, the flags from the installed pkg-config
 * files. It runs the ONNX model given as argv[1] on the CPU through the
 * installed libares_rt, checks libaccel answers through its error API, and
 * uses the uAPI and contract headers so a broken install of either fails
 * to compile.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <accel.h>
#include <ares/ops.h>
#include <ares/regs.h>
#include <ares_rt.h>
#include <drm/ares_accel.h>

/* Output 0 against the model's reference, for a float model. */
static int check_output(art_session *s, const char *model)
{
	struct art_tensor got, want;
	char path[4096], err[256];
	int64_t n;
	int rc;

	snprintf(path, sizeof(path), "%.*s/test_data_set_0/output_0.pb",
		 (int)(strrchr(model, '/') - model), model);
	rc = art_tensor_load(path, &want, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pkgconfig_user: %s\n", err);
		return rc;
	}
	art_session_get_output(s, 0, &got);
	n = art_tensor_elems(&want);
	if (want.dtype != ART_FLOAT || got.dtype != ART_FLOAT || art_tensor_elems(&got) != n) {
		fprintf(stderr,
			"pkgconfig_user: output 0 is type %d with %lld elements, reference "
			"type %d with %lld\n",
			got.dtype, (long long)art_tensor_elems(&got), want.dtype, (long long)n);
		rc = 1;
	}
	for (int64_t i = 0; i < n && !rc; i++) {
		float g = ((const float *)got.data)[i], w = ((const float *)want.data)[i];

		if (g - w > 1e-5f || w - g > 1e-5f) {
			fprintf(stderr, "pkgconfig_user: output 0[%lld] = %g, reference %g\n",
				(long long)i, g, w);
			rc = 1;
		}
	}
	art_tensor_free(&want);
	if (!rc)
		printf("ran %s on the CPU: %lld outputs match the reference\n", model,
		       (long long)n);
	return rc;
}

int main(int argc, char **argv)
{
	struct drm_ares_submit submit;
	art_session *s = NULL;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pkgconfig_user MODEL.onnx\n");
		return 2;
	}
	memset(&submit, 0, sizeof(submit));
	printf("uapi: DRM_IOCTL_ARES_SUBMIT 0x%lx, submit %zu bytes\n",
	       (unsigned long)DRM_IOCTL_ARES_SUBMIT, sizeof(submit));
	printf("contract: hw version 1.0.0 = 0x%x\n", ARES_VERSION(1, 0, 0));
	printf("libaccel %d.%d.%d: ENODEV is \"%s\"\n", ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR,
	       ACCEL_VERSION_PATCH, accel_strerror(-ENODEV));
	if (!accel_strerror(-ENODEV)[0])
		return 1;

	rc = art_session_create(argv[1], ART_CPU_ONLY, &s);
	if (rc) {
		fprintf(stderr, "pkgconfig_user: art_session_create: %s\n", art_session_errmsg(s));
		art_session_destroy(s);
		return 1;
	}
	for (int i = 0; i < art_session_input_count(s) && !rc; i++) {
		struct art_tensor t;
		const char *name;
		char path[4096], err[256];

		art_session_input_info(s, i, &name, &t);
		snprintf(path, sizeof(path), "%.*s/test_data_set_0/input_%d.pb",
			 (int)(strrchr(argv[1], '/') - argv[1]), argv[1], i);
		rc = art_tensor_load(path, &t, err, sizeof(err));
		if (rc)
			fprintf(stderr, "pkgconfig_user: %s: %s\n", path, err);
		else
			rc = art_session_set_input(s, i, &t);
		art_tensor_free(&t);
	}
	if (!rc)
		rc = art_session_run(s);
	if (rc) {
		fprintf(stderr, "pkgconfig_user: %s\n", art_session_errmsg(s));
	} else {
		rc = check_output(s, argv[1]);
	}
	art_session_destroy(s);
	return rc ? 1 : 0;
}
