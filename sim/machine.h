/* SPDX-License-Identifier: MIT */
/* The main (control) process: its descriptors and the control-command unit. */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <stdint.h>
#include <sys/types.h>

#include "sim.h"

struct sim_machine {
	struct sim_dev dev;
	int shm_fd;    /* BAR2 memfd handed to QEMU */
	int listen_fd; /* ivshmem server socket until the client connects */
	int client_fd; /* the one client (QEMU) */
	int epoll_fd;
	int signal_fd; /* SIGTERM, SIGINT, SIGCHLD */
	int timer_fd;  /* BOOT's READY deadline */
	int notify_rd; /* CP -> main: firmware reported READY */
	int notify_wr;
	pid_t cp_pid; /* 0: no CP running */
	int boot_pending;
	uint32_t boot_seq; /* CTRL_SEQ of the pending BOOT */
	uint32_t last_seq; /* CTRL_SEQ last executed */
};

void sim_ctrl_doorbell(struct sim_machine *m);
void sim_ctrl_cp_notify(struct sim_machine *m);
void sim_ctrl_cp_reap(struct sim_machine *m);
void sim_ctrl_boot_timeout(struct sim_machine *m);
void sim_ctrl_stop_cp(struct sim_machine *m);

#endif /* SIM_MACHINE_H */
