// SPDX-License-Identifier: MIT
/*
 * ares-ocr's image reader: PNG through libpng, JPEG through libjpeg
 * (Debian's libpng16 and libjpeg62-turbo, the decoders every image tool
 * on the system already trusts), and binary PPM, which the tests and the
 * main job wrote before PNG was read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "ocr_image.h"

static int bad_size(const char *path, const char *kind, long w, long h)
{
	if (w > 0 && h > 0 && w <= OCR_IMAGE_MAX_SIDE && h <= OCR_IMAGE_MAX_SIDE)
		return 0;
	fprintf(stderr, "ares-ocr: %s: %s image of %ldx%ld pixels; each side must be 1 to %d\n",
		path, kind, w, h, OCR_IMAGE_MAX_SIDE);
	return -1;
}

static int read_ppm(const char *path, FILE *f, struct image *img)
{
	int maxval = 0;

	/* P6 header: magic, width, height, maxval, one whitespace byte. */
	if (fscanf(f, "P6 %d %d %d", &img->w, &img->h, &maxval) != 3 || fgetc(f) == EOF ||
	    maxval != 255) {
		fprintf(stderr, "ares-ocr: %s: not an 8-bit binary PPM (P6) image\n", path);
		return -1;
	}
	if (bad_size(path, "PPM", img->w, img->h))
		return -1;
	size_t n = (size_t)img->w * img->h * 3;
	img->rgb = malloc(n);
	if (!img->rgb || fread(img->rgb, 1, n, f) != n) {
		fprintf(stderr, "ares-ocr: %s: truncated pixel data\n", path);
		return -1;
	}
	return 0;
}

struct png_err {
	const char *path;
	char msg[200];
};

static void png_fail(png_structp png, png_const_charp msg)
{
	struct png_err *e = png_get_error_ptr(png);

	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int read_png(const char *path, FILE *f, struct image *img)
{
	struct png_err err = {path, ""};
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, png_fail, png_warn);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *volatile rgba = NULL;
	png_bytep *volatile rows = NULL;

	if (!info) {
		fprintf(stderr, "ares-ocr: %s: out of memory\n", path);
		png_destroy_read_struct(&png, NULL, NULL);
		return -1;
	}
	if (setjmp(png_jmpbuf(png))) {
		fprintf(stderr, "ares-ocr: %s: bad PNG image: %s\n", path, err.msg);
		png_destroy_read_struct(&png, &info, NULL);
		free(rows);
		free(rgba);
		return -1;
	}
	png_init_io(png, f);
	png_set_user_limits(png, OCR_IMAGE_MAX_SIDE, OCR_IMAGE_MAX_SIDE);
	png_read_info(png, info);
	/*
	 * Everything to 8-bit RGBA: 16-bit samples scaled (rounded, not
	 * truncated), palettes and low-depth gray expanded, transparency
	 * turned into alpha, gray copied to three channels, and an alpha
	 * channel added where there is none.
	 */
	png_set_scale_16(png);
	png_set_expand(png);
	png_set_gray_to_rgb(png);
	png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	img->w = (int)png_get_image_width(png, info);
	img->h = (int)png_get_image_height(png, info);
	if (png_get_rowbytes(png, info) != (size_t)img->w * 4) {
		snprintf(err.msg, sizeof(err.msg), "unexpected row layout");
		png_longjmp(png, 1);
	}
	rgba = malloc((size_t)img->w * img->h * 4);
	rows = malloc((size_t)img->h * sizeof(*rows));
	img->rgb = malloc((size_t)img->w * img->h * 3);
	if (!rgba || !rows || !img->rgb) {
		snprintf(err.msg, sizeof(err.msg), "out of memory");
		png_longjmp(png, 1);
	}
	for (int y = 0; y < img->h; y++)
		rows[y] = rgba + (size_t)y * img->w * 4;
	png_read_image(png, rows);
	png_read_end(png, NULL);
	/* Transparent pixels are paper: lay the image over white. */
	for (size_t i = 0; i < (size_t)img->w * img->h; i++) {
		unsigned int a = rgba[i * 4 + 3];

		for (int c = 0; c < 3; c++)
			img->rgb[i * 3 + c] =
				(uint8_t)((rgba[i * 4 + c] * a + 255 * (255 - a) + 127) / 255);
	}
	png_destroy_read_struct(&png, &info, NULL);
	free(rows);
	free(rgba);
	return 0;
}

struct jpeg_err {
	struct jpeg_error_mgr mgr;
	jmp_buf env;
};

static void jpeg_fail(j_common_ptr cinfo)
{
	longjmp(((struct jpeg_err *)cinfo->err)->env, 1);
}

static int read_jpeg(const char *path, FILE *f, struct image *img)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_err err;

	cinfo.err = jpeg_std_error(&err.mgr);
	err.mgr.error_exit = jpeg_fail;
	if (setjmp(err.env)) {
		char msg[JMSG_LENGTH_MAX];

		err.mgr.format_message((j_common_ptr)&cinfo, msg);
		fprintf(stderr, "ares-ocr: %s: bad JPEG image: %s\n", path, msg);
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_stdio_src(&cinfo, f);
	jpeg_read_header(&cinfo, TRUE);
	if (bad_size(path, "JPEG", (long)cinfo.image_width, (long)cinfo.image_height)) {
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	/* libjpeg converts gray and YCbCr to RGB; CMYK it refuses, by name. */
	cinfo.out_color_space = JCS_RGB;
	jpeg_start_decompress(&cinfo);
	img->w = (int)cinfo.output_width;
	img->h = (int)cinfo.output_height;
	img->rgb = malloc((size_t)img->w * img->h * 3);
	if (!img->rgb) {
		fprintf(stderr, "ares-ocr: %s: out of memory\n", path);
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = img->rgb + (size_t)cinfo.output_scanline * img->w * 3;

		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	return 0;
}

int ocr_image_read(const char *path, struct image *img)
{
	static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint8_t magic[8] = {0};
	size_t got;
	int rc;

	memset(img, 0, sizeof(*img));
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "ares-ocr: %s: %s\n", path, strerror(errno));
		return -1;
	}
	got = fread(magic, 1, sizeof(magic), f);
	rewind(f);
	if (got == sizeof(magic) && !memcmp(magic, png_sig, sizeof(png_sig)))
		rc = read_png(path, f, img);
	else if (got >= 3 && magic[0] == 0xff && magic[1] == 0xd8 && magic[2] == 0xff)
		rc = read_jpeg(path, f, img);
	else if (got >= 2 && magic[0] == 'P' && magic[1] == '6')
		rc = read_ppm(path, f, img);
	else {
		fprintf(stderr, "ares-ocr: %s: not a PNG, JPEG or binary PPM (P6) image\n", path);
		rc = -1;
	}
	fclose(f);
	if (rc) {
		free(img->rgb);
		img->rgb = NULL;
	}
	return rc;
}
