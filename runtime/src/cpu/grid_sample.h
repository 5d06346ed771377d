/* SPDX-License-Identifier: MIT */
/*
 * GridSample's geometry, shared by the CPU kernel (kernels_sample.c), which
 * sums the pixels it visits, and the device form (device/op_sample.c),
 * which writes the same weights into a sampling matrix: one definition of
 * where each output cell reads keeps the two paths from drifting apart.
 */
#ifndef ART_CPU_GRID_SAMPLE_H
#define ART_CPU_GRID_SAMPLE_H

#include <stdint.h>

enum rt_gs_mode { RT_GS_NEAREST, RT_GS_LINEAR, RT_GS_CUBIC };
enum rt_gs_pad { RT_GS_ZEROS, RT_GS_BORDER, RT_GS_REFLECTION };

struct rt_gs_geom {
	int64_t H, W; /* the image sampled */
	enum rt_gs_mode mode;
	enum rt_gs_pad pad;
	int align_corners;
	double lo_x, hi_x, lo_y, hi_y; /* the reflection bounds */
};

void rt_gs_geom_init(struct rt_gs_geom *g, int64_t H, int64_t W, enum rt_gs_mode mode,
		     enum rt_gs_pad pad, int align);

/* Called once per pixel an output cell reads, with the pixel's index r W + c
 * and its weight; pixels in zero padding are not visited. */
typedef void rt_gs_tap_fn(void *ctx, int64_t pixel, double weight);

/* The pixels read for the grid point (GX, GY) in [-1, 1] (denormalised,
 * rounded half to even for nearest, moved inside by the padding mode when
 * outside, each fetched pixel padded again), in the kernel's order. */
void rt_gs_taps(const struct rt_gs_geom *g, double gx, double gy, rt_gs_tap_fn *tap, void *ctx);

#endif
