/* SPDX-License-Identifier: MIT */
/* The ivshmem-doorbell server side of QEMU's chardev socket protocol. */
#ifndef SIM_IVSHMEM_H
#define SIM_IVSHMEM_H

#include <stdint.h>

#include <ares/regs.h>

/* The device is peer 0 (ARES_REG_DB_PEER); its single client (QEMU) is peer 1. */
#define SIM_IVSHMEM_DEVICE_PEER 0
#define SIM_IVSHMEM_CLIENT_PEER 1

int sim_ivshmem_listen(const char *path);
int sim_ivshmem_handshake(int cfd, int shm_fd, const int dev_fds[ARES_NUM_VECTORS],
			  const int client_fds[ARES_NUM_VECTORS]);

#endif /* SIM_IVSHMEM_H */
