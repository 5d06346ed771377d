/* SPDX-License-Identifier: MIT */
/*
 * The runtime's loaders take paths, so each fuzz input is handed over as a
 * memfd's /proc/self/fd path: the bytes under test go through exactly the
 * code a file on disk would.
 */
#ifndef ARES_FUZZ_INPUT_H
#define ARES_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline const char *fuzz_input_path(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("ares-fuzz", 0);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("staging the fuzz input");
		abort();
	}
	return path;
}

#endif
