/* SPDX-License-Identifier: MIT */
/* ares-ocr's input: PNG, JPEG or binary PPM, as 8-bit RGB. */
#ifndef ARES_OCR_IMAGE_H
#define ARES_OCR_IMAGE_H

#include <stdint.h>

/* Images larger than this on a side are refused before decoding. */
#define OCR_IMAGE_MAX_SIDE 16384

struct image {
	int w, h;
	uint8_t *rgb; /* w * h * 3 */
};

/*
 * Reads @path into @img, by its first bytes: PNG (any bit depth, gray or
 * colour, palette; 16-bit samples scaled to 8, alpha laid over white),
 * JPEG (gray or colour) or 8-bit binary PPM. Returns 0, or -1 after
 * printing what is wrong with the file on stderr.
 */
int ocr_image_read(const char *path, struct image *img);

#endif
