/* SPDX-License-Identifier: MIT */
/*
 * Fixed-width types for the Ares hardware contract.
 *
 * The contract headers are read by four programs: the kernel driver, the
 * firmware (freestanding), the emulator and libaccel. <linux/types.h> gives
 * the same __u32/__le64 names in all of them, and _Static_assert is C11, which
 * the kernel (gnu11) and userspace both build with.
 */
#ifndef ARES_TYPES_H
#define ARES_TYPES_H

#include <linux/types.h>

#define ARES_ASSERT_SIZE(type, bytes) \
	_Static_assert(sizeof(type) == (bytes), #type " must be " #bytes " bytes")

#endif /* ARES_TYPES_H */
