/* SPDX-License-Identifier: MIT */
/*
 * The runtime's plain C test programs (art-device-test, art-input-test):
 * CHECK counts a failure and says what was expected, the run goes on, and
 * main() returns nonzero if anything failed. (Check is used where a test
 * forks per case; these drive one session and its device in sequence.)
 */
#ifndef ARES_RUNTIME_TEST_CHECK_H
#define ARES_RUNTIME_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL: " __VA_ARGS__);                                              \
			printf("\n");                                                              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

#endif
