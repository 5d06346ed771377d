/* SPDX-License-Identifier: MIT */
/* The control processor: a child process running the firmware payload. */
#ifndef SIM_CP_H
#define SIM_CP_H

#include <stdint.h>
#include <sys/types.h>

#include "sim.h"

/* Exit statuses of the CP child that are not a crash. */
#define SIM_CP_EXIT_RETURNED 0x40 /* firmware returned from its entry */
#define SIM_CP_EXIT_LOAD     0x41 /* dlopen refused the payload */
#define SIM_CP_EXIT_ENTRY    0x42 /* entry outside the loaded object */
#define SIM_CP_EXIT_SANDBOX  0x43 /* the sandbox could not be set up */

/* Byte the CP writes to the notify pipe when the firmware reports READY. */
#define SIM_CP_NOTIFY_READY 'R'

/*
 * Forks the CP. The child closes @close_fds (the main process's own
 * descriptors: client socket, epoll...), loads @payload and enters it at
 * @entry. Returns the child's pid or a negative errno.
 */
pid_t sim_cp_start(struct sim_dev *d, const uint8_t *payload, uint64_t len, uint64_t entry,
		   int notify_fd, const int *close_fds, int nclose);

/*
 * In the CP child, after loading the payload and before entering it:
 * closes every descriptor but the device's eventfds, @notify_fd, the log
 * and stderr, sets no_new_privs and installs the seccomp filter on every
 * thread (sim/cp_sandbox.c). 0 or a negative errno; on failure the CP must
 * not enter the firmware.
 */
int sim_cp_sandbox_enter(const struct sim_dev *d, int notify_fd);

#endif /* SIM_CP_H */
