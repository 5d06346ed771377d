/* SPDX-License-Identifier: MIT */
/*
 * Control commands (hw-spec §4) and the CP's lifecycle. These run in the
 * main process, never in firmware, so RESET and BOOT work whatever state
 * the firmware is in.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ares/fw_image.h>

#include "cp.h"
#include "machine.h"

#define SIM_BOOT_TIMEOUT_S 2

static void ctrl_ack(struct sim_machine *m, uint32_t seq, uint32_t result)
{
	sim_wr32(&m->dev, ARES_REG_CTRL_RESULT, result);
	sim_wr32(&m->dev, ARES_REG_CTRL_ACK, seq);
	sim_raise_irq(&m->dev, ARES_VEC_CTRL);
}

static void boot_timer(struct sim_machine *m, int seconds)
{
	struct itimerspec its = {.it_value = {.tv_sec = seconds}};

	timerfd_settime(m->timer_fd, 0, &its, NULL);
}

void sim_ctrl_stop_cp(struct sim_machine *m)
{
	if (m->cp_pid > 0) {
		kill(m->cp_pid, SIGKILL);
		while (waitpid(m->cp_pid, NULL, 0) < 0 && errno == EINTR)
			;
		sim_log(&m->dev, "cp: stopped (pid %d)", (int)m->cp_pid);
	}
	m->cp_pid = 0;
	m->boot_pending = 0;
	boot_timer(m, 0);
}

static void boot_finish(struct sim_machine *m, uint32_t boot_status, uint32_t status,
			uint32_t result)
{
	sim_wr32(&m->dev, ARES_REG_BOOT_STATUS, boot_status);
	sim_wr32(&m->dev, ARES_REG_STATUS, status);
	m->boot_pending = 0;
	boot_timer(m, 0);
	sim_log(&m->dev, "ctrl: BOOT seq %u done, result 0x%x", m->boot_seq, result);
	ctrl_ack(m, m->boot_seq, result);
}

static void ctrl_reset(struct sim_machine *m)
{
	sim_ctrl_stop_cp(m);
	sim_regs_reset(&m->dev);
}

/* Returns a CTRL_RESULT, or -1 when the ack waits for the firmware. */
static int ctrl_boot(struct sim_machine *m, uint64_t bus, uint64_t size)
{
	struct ares_fw_header h;
	const uint8_t *src;
	uint8_t *image;
	uint32_t err;
	int fds[6];
	pid_t pid;

	if (m->cp_pid || (sim_rd32(&m->dev, ARES_REG_STATUS) &
			  (ARES_STATUS_FATAL | ARES_STATUS_BOOTING | ARES_STATUS_FW_READY)))
		return ARES_CTRL_ERR_NOT_READY;
	/* Bounded before anything is read or allocated: the size is the guest's word. */
	if (size > ARES_FW_HEADER_SIZE + (uint64_t)ARES_FW_PAYLOAD_MAX + ARES_FW_SIG_SIZE)
		return ARES_BOOT_ERR_BAD_SIZE;
	src = size ? sim_mem_ptr(&m->dev.mem, bus, size) : NULL;
	if (size && !src)
		return ARES_BOOT_ERR_DMA;
	/*
	 * Check a private copy: the guest could rewrite the image after the
	 * check. The image never touches a file the guest can name: the CP
	 * stages the payload in an anonymous memfd.
	 */
	image = malloc(size ? size : 1);
	if (!image)
		return ARES_BOOT_ERR_LOAD;
	if (size)
		memcpy(image, src, size);
	err = sim_bootrom_check(image, size, sim_fw_verify_key);
	if (err == ARES_BOOT_ERR_BAD_SIGNATURE)
		sim_log(&m->dev,
			"ctrl: BOOT image %llu bytes: signature does not verify against "
			"the device key, not loaded",
			(unsigned long long)size);
	if (err) {
		free(image);
		return err;
	}
	memcpy(&h, image, sizeof(h));
	sim_wr32(&m->dev, ARES_REG_BOOT_STATUS, ARES_BOOT_LOADING);
	sim_wr32(&m->dev, ARES_REG_STATUS, ARES_STATUS_BOOTING);
	fds[0] = m->client_fd;
	fds[1] = m->listen_fd;
	fds[2] = m->epoll_fd;
	fds[3] = m->signal_fd;
	fds[4] = m->timer_fd;
	fds[5] = m->notify_rd;
	pid = sim_cp_start(&m->dev, image + ARES_FW_HEADER_SIZE, h.payload_size, h.entry,
			   m->notify_wr, fds, 6);
	free(image);
	if (pid < 0) {
		sim_wr32(&m->dev, ARES_REG_STATUS, 0);
		return ARES_BOOT_ERR_LOAD;
	}
	m->cp_pid = pid;
	m->boot_pending = 1;
	boot_timer(m, SIM_BOOT_TIMEOUT_S);
	sim_log(&m->dev, "ctrl: BOOT image %llu bytes fw %u.%u.%u, CP pid %d",
		(unsigned long long)size, ARES_VERSION_MAJOR(h.fw_version),
		ARES_VERSION_MINOR(h.fw_version), ARES_VERSION_PATCH(h.fw_version), (int)pid);
	return -1;
}

void sim_ctrl_doorbell(struct sim_machine *m)
{
	struct sim_dev *d = &m->dev;
	uint32_t seq = sim_rd32(d, ARES_REG_CTRL_SEQ), cmd;
	uint64_t arg0, arg1;
	int result;

	if (seq == m->last_seq)
		return;
	m->last_seq = seq;
	cmd = sim_rd32(d, ARES_REG_CTRL_CMD);
	arg0 = sim_rd64(d, ARES_REG_CTRL_ARG0);
	arg1 = sim_rd64(d, ARES_REG_CTRL_ARG1);
	switch (cmd) {
	case ARES_CTRL_RESET:
		ctrl_reset(m);
		result = ARES_CTRL_OK;
		break;
	case ARES_CTRL_BOOT:
		result = ctrl_boot(m, arg0, arg1);
		if (result < 0) {
			m->boot_seq = seq;
			return;
		}
		/* A BOOT refused for NOT_READY leaves the running firmware's state alone. */
		if (result != ARES_CTRL_ERR_NOT_READY)
			sim_wr32(d, ARES_REG_BOOT_STATUS, (uint32_t)result);
		break;
	case ARES_CTRL_TLB_INVALIDATE:
		/* Nothing is cached (see mmu.c), so only the argument needs checking. */
		result = (arg0 == ARES_AS_ALL || arg0 < ARES_MAX_AS) ? ARES_CTRL_OK
								     : ARES_CTRL_ERR_BAD_ARG;
		break;
	default:
		result = ARES_CTRL_ERR_UNKNOWN_CMD;
		break;
	}
	sim_log(d, "ctrl: cmd %u seq %u arg0 0x%llx arg1 0x%llx -> 0x%x", cmd, seq,
		(unsigned long long)arg0, (unsigned long long)arg1, (unsigned)result);
	ctrl_ack(m, seq, (uint32_t)result);
}

void sim_ctrl_cp_notify(struct sim_machine *m)
{
	char buf[16];
	ssize_t n;
	int ready = 0, i;

	while ((n = read(m->notify_rd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			ready |= buf[i] == SIM_CP_NOTIFY_READY;
	if (ready && m->boot_pending && m->cp_pid)
		boot_finish(m, ARES_BOOT_READY, ARES_STATUS_FW_READY, 0);
}

static const char *fatal_cause_name(uint32_t cause)
{
	switch (cause) {
	case ARES_FATAL_FW_EXIT:
		return "firmware exited";
	case ARES_FATAL_CP_SANDBOX:
		return "sandbox violation: the firmware made a forbidden system call";
	default:
		return "firmware crashed";
	}
}

void sim_ctrl_cp_reap(struct sim_machine *m)
{
	uint32_t cause, err;
	int status;
	pid_t pid;

	if (!m->cp_pid)
		return;
	pid = waitpid(m->cp_pid, &status, WNOHANG);
	if (pid != m->cp_pid)
		return;
	m->cp_pid = 0;
	/* A READY written just before dying still counts as a finished boot. */
	sim_ctrl_cp_notify(m);
	if (WIFEXITED(status) &&
	    (WEXITSTATUS(status) == SIM_CP_EXIT_LOAD || WEXITSTATUS(status) == SIM_CP_EXIT_SANDBOX))
		err = ARES_BOOT_ERR_LOAD;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == SIM_CP_EXIT_ENTRY)
		err = ARES_BOOT_ERR_ENTRY;
	else
		err = 0;
	if (m->boot_pending && err) {
		sim_log(&m->dev, "cp: image not loadable (0x%x)", err);
		boot_finish(m, err, 0, err);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == SIM_CP_EXIT_RETURNED)
		cause = ARES_FATAL_FW_EXIT;
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		cause = ARES_FATAL_CP_SANDBOX; /* seccomp's SECCOMP_RET_KILL_PROCESS */
	else
		cause = ARES_FATAL_FW_CRASH;
	sim_log(&m->dev, "cp: %s (status 0x%x): STATUS.FATAL", fatal_cause_name(cause), status);
	sim_wr32(&m->dev, ARES_REG_FATAL_CAUSE, cause);
	if (m->boot_pending) {
		boot_finish(m, ARES_BOOT_ERR_INIT, ARES_STATUS_FATAL, ARES_BOOT_ERR_INIT);
		return;
	}
	sim_wr32(&m->dev, ARES_REG_STATUS, ARES_STATUS_FATAL);
	sim_raise_irq(&m->dev, ARES_VEC_CTRL);
}

void sim_ctrl_boot_timeout(struct sim_machine *m)
{
	uint64_t expirations;

	if (read(m->timer_fd, &expirations, sizeof(expirations)) < 0 || !m->boot_pending)
		return;
	sim_log(&m->dev, "ctrl: firmware did not report READY in %d s", SIM_BOOT_TIMEOUT_S);
	kill(m->cp_pid, SIGKILL);
	while (waitpid(m->cp_pid, NULL, 0) < 0 && errno == EINTR)
		;
	m->cp_pid = 0;
	boot_finish(m, ARES_BOOT_ERR_TIMEOUT, 0, ARES_BOOT_ERR_TIMEOUT);
}
