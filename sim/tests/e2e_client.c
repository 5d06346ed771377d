/* SPDX-License-Identifier: MIT */
/* See e2e_client.h. Plays QEMU's role so the device is testable without a VM. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ares/mmu.h>

#include "e2e_client.h"

#ifndef ARES_SIM_BIN
#define ARES_SIM_BIN "build/sim/ares-sim"
#endif

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int recv_msg(struct e2e_dev *e, int64_t *value, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = value, .iov_len = sizeof(*value)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	struct pollfd p = {.fd = e->sock_fd, .events = POLLIN};
	ssize_t n;

	*fd = -1;
	if (poll(&p, 1, E2E_TIMEOUT_MS) != 1) {
		snprintf(e->err, sizeof(e->err), "handshake: no message from ares-sim");
		return -1;
	}
	n = recvmsg(e->sock_fd, &msg, MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(*value)) {
		snprintf(e->err, sizeof(e->err), "handshake: expected an 8-byte message, got %zd",
			 n);
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

/* Exactly the order QEMU 7.2 requires; anything else is a failed handshake. */
static int expect(struct e2e_dev *e, int64_t want, int want_fd, int *fd_out)
{
	int64_t v;
	int fd;

	if (recv_msg(e, &v, &fd))
		return -1;
	if (v != want || (want_fd != (fd >= 0))) {
		snprintf(e->err, sizeof(e->err),
			 "handshake: expected value %lld %s an fd, got %lld %s an fd",
			 (long long)want, want_fd ? "with" : "without", (long long)v,
			 fd >= 0 ? "with" : "without");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd_out)
		*fd_out = fd;
	return 0;
}

static int handshake(struct e2e_dev *e)
{
	struct stat st;
	int i;

	if (expect(e, 0, 0, NULL) || expect(e, 1, 0, NULL) || expect(e, -1, 1, &e->shm_fd))
		return -1;
	for (i = 0; i < ARES_NUM_VECTORS; i++)
		if (expect(e, 0, 1, &e->dev_fd[i]))
			return -1;
	for (i = 0; i < ARES_NUM_VECTORS; i++)
		if (expect(e, 1, 1, &e->irq_fd[i]))
			return -1;
	if (fstat(e->shm_fd, &st) || st.st_size != ARES_BAR2_SIZE) {
		snprintf(e->err, sizeof(e->err), "BAR2 memfd is %lld bytes, want %u",
			 (long long)st.st_size, ARES_BAR2_SIZE);
		return -1;
	}
	e->regs = mmap(NULL, ARES_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, e->shm_fd, 0);
	if (e->regs == MAP_FAILED) {
		e->regs = NULL;
		snprintf(e->err, sizeof(e->err), "mmap BAR2: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int spawn(struct e2e_dev *e, const char *extra_arg, const char *extra_val)
{
	const char *argv[12];
	int n = 0;

	argv[n++] = ARES_SIM_BIN;
	argv[n++] = "--socket";
	argv[n++] = e->sock_path;
	argv[n++] = "--ram";
	argv[n++] = e->ram_path;
	argv[n++] = "--log";
	argv[n++] = e->log_path;
	argv[n++] = "-v";
	if (extra_arg)
		argv[n++] = extra_arg;
	if (extra_val)
		argv[n++] = extra_val;
	argv[n] = NULL;
	e->sim_pid = fork();
	if (e->sim_pid < 0)
		return -1;
	if (e->sim_pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return 0;
}

int e2e_start(struct e2e_dev *e, const char *extra_arg, const char *extra_val)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint64_t deadline;
	int fd, i, status;

	memset(e, 0, sizeof(*e));
	e->sock_fd = e->shm_fd = -1;
	for (i = 0; i < ARES_NUM_VECTORS; i++)
		e->dev_fd[i] = e->irq_fd[i] = -1;
	e->pt_next = E2E_PT_BASE;
	e->below4g = E2E_RAM_SIZE;
	e->image_bus = E2E_IMAGE_BASE;
	if (extra_arg && !strcmp(extra_arg, "--ram-below-4g")) {
		e->below4g = strtoull(extra_val, NULL, 0);
		if (e->below4g <= E2E_IMAGE_BASE)
			e->image_bus = 1ull << 32;
	}
	e->data_next = E2E_DATA_BASE;
	strcpy(e->dir, "/tmp/ares-e2e-XXXXXX");
	if (!mkdtemp(e->dir)) {
		snprintf(e->err, sizeof(e->err), "mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(e->sock_path, sizeof(e->sock_path), "%s/sock", e->dir);
	snprintf(e->ram_path, sizeof(e->ram_path), "%s/ram", e->dir);
	snprintf(e->log_path, sizeof(e->log_path), "%s/log", e->dir);

	/* Like QEMU's memory-backend-file: a pre-created file of exactly the RAM size. */
	fd = open(e->ram_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, E2E_RAM_SIZE)) {
		snprintf(e->err, sizeof(e->err), "ram file: %s", strerror(errno));
		return -1;
	}
	e->ram = mmap(NULL, E2E_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (e->ram == MAP_FAILED) {
		e->ram = NULL;
		snprintf(e->err, sizeof(e->err), "mmap ram: %s", strerror(errno));
		return -1;
	}
	if (spawn(e, extra_arg, extra_val))
		return -1;

	/* The socket path only appears once the server listens. */
	deadline = now_ms() + E2E_TIMEOUT_MS;
	while (access(e->sock_path, F_OK)) {
		if (waitpid(e->sim_pid, &status, WNOHANG) == e->sim_pid) {
			e->sim_pid = 0;
			snprintf(e->err, sizeof(e->err), "ares-sim exited early, status 0x%x",
				 status);
			return -1;
		}
		if (now_ms() > deadline) {
			snprintf(e->err, sizeof(e->err), "ares-sim never created %s", e->sock_path);
			return -1;
		}
		sleep_ms(2);
	}
	e->sock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, e->sock_path, strlen(e->sock_path) + 1);
	if (e->sock_fd < 0 || connect(e->sock_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(e->err, sizeof(e->err), "connect %s: %s", e->sock_path, strerror(errno));
		return -1;
	}
	return handshake(e);
}

void e2e_dump_log(const struct e2e_dev *e)
{
	char buf[4096];
	ssize_t n;
	int fd = open(e->log_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	fprintf(stderr, "---- ares-sim log (%s) ----\n", e->log_path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
	fprintf(stderr, "---- end of log ----\n");
	close(fd);
}

/* Disconnects like QEMU exiting; returns ares-sim's exit status (0 expected) or -1. */
int e2e_stop(struct e2e_dev *e)
{
	uint64_t deadline = now_ms() + E2E_TIMEOUT_MS;
	int i, status = e->sim_pid > 0 ? -1 : 0; /* 0: the caller already reaped it */

	if (e->sock_fd >= 0)
		close(e->sock_fd);
	e->sock_fd = -1;
	while (e->sim_pid > 0) {
		pid_t r = waitpid(e->sim_pid, &status, WNOHANG);

		if (r == e->sim_pid) {
			status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		if (now_ms() > deadline) {
			kill(e->sim_pid, SIGKILL);
			waitpid(e->sim_pid, NULL, 0);
			status = -1;
			break;
		}
		sleep_ms(2);
	}
	e->sim_pid = 0;
	for (i = 0; i < ARES_NUM_VECTORS; i++) {
		if (e->dev_fd[i] >= 0)
			close(e->dev_fd[i]);
		if (e->irq_fd[i] >= 0)
			close(e->irq_fd[i]);
		e->dev_fd[i] = e->irq_fd[i] = -1;
	}
	if (e->regs)
		munmap(e->regs, ARES_BAR2_SIZE);
	if (e->ram)
		munmap(e->ram, E2E_RAM_SIZE);
	if (e->shm_fd >= 0)
		close(e->shm_fd);
	e->regs = e->ram = NULL;
	e->shm_fd = -1;
	if (status != 0)
		e2e_dump_log(e);
	unlink(e->ram_path);
	unlink(e->log_path);
	unlink(e->sock_path);
	rmdir(e->dir);
	return status;
}

uint32_t e2e_rd32(const struct e2e_dev *e, uint32_t off)
{
	return __atomic_load_n((const uint32_t *)(e->regs + off), __ATOMIC_ACQUIRE);
}

uint64_t e2e_rd64(const struct e2e_dev *e, uint32_t off)
{
	return __atomic_load_n((const uint64_t *)(e->regs + off), __ATOMIC_ACQUIRE);
}

void e2e_wr32(struct e2e_dev *e, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(e->regs + off), v, __ATOMIC_RELEASE);
}

void e2e_wr64(struct e2e_dev *e, uint32_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)(e->regs + off), v, __ATOMIC_RELEASE);
}

/* What QEMU does on a guest write of (0 << 16 | vector) to the Doorbell register. */
void e2e_ring(struct e2e_dev *e, uint32_t vector)
{
	uint64_t one = 1;

	if (write(e->dev_fd[vector], &one, sizeof(one)) != sizeof(one))
		abort();
}

/* Consumes the vector's pending interrupts; 1 if there was at least one. */
int e2e_irq_pending(struct e2e_dev *e, uint32_t vector, int timeout_ms)
{
	struct pollfd p = {.fd = e->irq_fd[vector], .events = POLLIN};
	uint64_t v;

	if (poll(&p, 1, timeout_ms) != 1)
		return 0;
	return read(e->irq_fd[vector], &v, sizeof(v)) == sizeof(v);
}

/* Waits until (reg & mask) == want, sleeping on @vector between looks. */
int e2e_wait_reg(struct e2e_dev *e, uint32_t off, uint32_t mask, uint32_t want, uint32_t vector)
{
	uint64_t deadline = now_ms() + E2E_TIMEOUT_MS;

	while ((e2e_rd32(e, off) & mask) != want) {
		if (now_ms() > deadline)
			return -1;
		e2e_irq_pending(e, vector, 10);
	}
	return 0;
}

int e2e_ctrl(struct e2e_dev *e, uint32_t cmd, uint64_t arg0, uint64_t arg1, uint32_t *result)
{
	e2e_wr64(e, ARES_REG_CTRL_ARG0, arg0);
	e2e_wr64(e, ARES_REG_CTRL_ARG1, arg1);
	e2e_wr32(e, ARES_REG_CTRL_CMD, cmd);
	e2e_wr32(e, ARES_REG_CTRL_SEQ, ++e->ctrl_seq);
	e2e_ring(e, ARES_VEC_CTRL);
	if (e2e_wait_reg(e, ARES_REG_CTRL_ACK, ~0u, e->ctrl_seq, ARES_VEC_CTRL)) {
		snprintf(e->err, sizeof(e->err), "control command %u seq %u never acked", cmd,
			 e->ctrl_seq);
		return -1;
	}
	*result = e2e_rd32(e, ARES_REG_CTRL_RESULT);
	return 0;
}

int e2e_boot(struct e2e_dev *e, const char *image, uint32_t *result)
{
	int fd = open(image, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(e->err, sizeof(e->err), "%s: %s", image, strerror(errno));
		return -1;
	}
	n = read(fd, e2e_bus(e, e->image_bus), 8u << 20);
	close(fd);
	if (n <= 0) {
		snprintf(e->err, sizeof(e->err), "%s: empty", image);
		return -1;
	}
	return e2e_ctrl(e, ARES_CTRL_BOOT, e->image_bus, (uint64_t)n, result);
}

/* The same GPA -> file offset rule as QEMU's pc/q35 RAM layout. */
uint8_t *e2e_bus(struct e2e_dev *e, uint64_t bus)
{
	if (bus < e->below4g)
		return e->ram + bus;
	if (bus >= (1ull << 32) && bus - (1ull << 32) < E2E_RAM_SIZE - e->below4g)
		return e->ram + e->below4g + (bus - (1ull << 32));
	abort();
}

uint64_t e2e_alloc_page(struct e2e_dev *e)
{
	uint64_t p = e->data_next;

	if (p >= E2E_DATA_END)
		abort();
	e->data_next += ARES_PAGE_SIZE;
	memset(e2e_bus(e, p), 0, ARES_PAGE_SIZE);
	return p;
}

static uint64_t alloc_table(struct e2e_dev *e)
{
	uint64_t p = e->pt_next;

	if (p >= E2E_PT_END)
		abort();
	e->pt_next += ARES_PAGE_SIZE;
	memset(e2e_bus(e, p), 0, ARES_PAGE_SIZE);
	return p;
}

void e2e_as_enable(struct e2e_dev *e, uint32_t asid)
{
	e2e_wr64(e, ARES_REG_AS_ROOT(asid), alloc_table(e));
	e2e_wr32(e, ARES_REG_AS_CONFIG(asid), ARES_AS_CONFIG_ENABLE);
}

static uint64_t *leaf_entry(struct e2e_dev *e, uint32_t asid, uint64_t va, int create)
{
	uint64_t table = e2e_rd64(e, ARES_REG_AS_ROOT(asid)), *ent;
	int level;

	for (level = 0; level < ARES_PT_LEVELS - 1; level++) {
		ent = (uint64_t *)e2e_bus(e, table) + ARES_PT_INDEX(va, level);
		if (!(*ent & ARES_PTE_VALID)) {
			if (!create)
				return NULL;
			*ent = alloc_table(e) | ARES_PTE_VALID;
		}
		table = *ent & ARES_PTE_ADDR_MASK;
	}
	return (uint64_t *)e2e_bus(e, table) + ARES_PT_INDEX(va, ARES_PT_LEVELS - 1);
}

void e2e_map(struct e2e_dev *e, uint32_t asid, uint64_t va, uint64_t bus, uint64_t flags)
{
	*leaf_entry(e, asid, va, 1) = bus | ARES_PTE_VALID | flags;
}

void e2e_unmap(struct e2e_dev *e, uint32_t asid, uint64_t va)
{
	uint64_t *ent = leaf_entry(e, asid, va, 0);

	if (ent)
		*ent = 0;
}

/*
 * Maps fresh zeroed pages, in reverse allocation order, so a VA range is
 * never contiguous in bus space and engines must really walk page by page.
 */
void e2e_map_range(struct e2e_dev *e, uint32_t asid, uint64_t va, uint64_t bytes, uint64_t flags)
{
	uint64_t pages = (bytes + ARES_PAGE_SIZE - 1) / ARES_PAGE_SIZE, i;
	uint64_t first = e->data_next;

	for (i = 0; i < pages; i++)
		e2e_alloc_page(e);
	for (i = 0; i < pages; i++)
		e2e_map(e, asid, va + i * ARES_PAGE_SIZE, first + (pages - 1 - i) * ARES_PAGE_SIZE,
			flags);
}

uint8_t *e2e_va(struct e2e_dev *e, uint32_t asid, uint64_t va)
{
	uint64_t *ent = leaf_entry(e, asid, va, 0);

	if (!ent || !(*ent & ARES_PTE_VALID))
		abort();
	return e2e_bus(e, (*ent & ARES_PTE_ADDR_MASK) + (va & (ARES_PAGE_SIZE - 1)));
}

void e2e_va_write(struct e2e_dev *e, uint32_t asid, uint64_t va, const void *src, uint64_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint64_t n = ARES_PAGE_SIZE - (va & (ARES_PAGE_SIZE - 1));

		n = n < len ? n : len;
		memcpy(e2e_va(e, asid, va), s, n);
		va += n;
		s += n;
		len -= n;
	}
}

void e2e_va_read(struct e2e_dev *e, uint32_t asid, uint64_t va, void *dst, uint64_t len)
{
	uint8_t *d = dst;

	while (len) {
		uint64_t n = ARES_PAGE_SIZE - (va & (ARES_PAGE_SIZE - 1));

		n = n < len ? n : len;
		memcpy(d, e2e_va(e, asid, va), n);
		va += n;
		d += n;
		len -= n;
	}
}

void e2e_queue_enable(struct e2e_dev *e, uint32_t q, uint32_t priority, uint32_t entries)
{
	e2e_wr32(e, ARES_REG_Q(q, ARES_Q_CONTROL), 0);
	e2e_wr64(e, ARES_REG_Q(q, ARES_Q_RING_BASE), E2E_RING_BASE(q));
	e2e_wr32(e, ARES_REG_Q(q, ARES_Q_RING_ENTRIES), entries);
	e2e_wr32(e, ARES_REG_Q(q, ARES_Q_PRIORITY), priority);
	e2e_wr64(e, ARES_REG_Q(q, ARES_Q_COMPL_BASE), E2E_COMPL_BASE(q));
	e2e_wr32(e, ARES_REG_Q(q, ARES_Q_TAIL), 0);
	e2e_wr32(e, ARES_REG_Q(q, ARES_Q_HEAD), 0);
	e->tail[q] = 0;
	e2e_wr32(e, ARES_REG_Q(q, ARES_Q_CONTROL), ARES_Q_CONTROL_ENABLE);
	e2e_ring(e, ARES_VEC_QUEUE(q));
}

void e2e_submit_desc(struct e2e_dev *e, uint32_t q, const struct ares_job_desc *d)
{
	uint32_t entries = e2e_rd32(e, ARES_REG_Q(q, ARES_Q_RING_ENTRIES));

	memcpy(e2e_bus(e, E2E_RING_BASE(q) + (uint64_t)(e->tail[q] % entries) * sizeof(*d)), d,
	       sizeof(*d));
	e2e_wr32(e, ARES_REG_Q(q, ARES_Q_TAIL), ++e->tail[q]);
	e2e_ring(e, ARES_VEC_QUEUE(q));
}

uint64_t e2e_submit(struct e2e_dev *e, uint32_t q, uint32_t asid, uint64_t cmd_va,
		    uint32_t cmd_size)
{
	struct ares_job_desc d = {
		.seqno = ++e->seqno[q],
		.cmd_va = cmd_va,
		.cmd_size = cmd_size,
		.asid = (uint16_t)asid,
		.tag = 0x7a6,
	};

	e2e_submit_desc(e, q, &d);
	return d.seqno;
}

int e2e_wait_head(struct e2e_dev *e, uint32_t q, uint32_t head)
{
	uint64_t deadline = now_ms() + E2E_TIMEOUT_MS;

	/* HEAD is free-running: compare as a distance so wrap-around is harmless. */
	while ((int32_t)(e2e_rd32(e, ARES_REG_Q(q, ARES_Q_HEAD)) - head) < 0) {
		if (now_ms() > deadline)
			return -1;
		e2e_irq_pending(e, ARES_VEC_QUEUE(q), 10);
	}
	return 0;
}

const struct ares_completion *e2e_completion(struct e2e_dev *e, uint32_t q, uint32_t slot)
{
	return (const struct ares_completion *)e2e_bus(
		e, E2E_COMPL_BASE(q) + ARES_COMPL_RECORD_OFFSET((uint64_t)slot));
}

uint64_t e2e_done_seqno(struct e2e_dev *e, uint32_t q)
{
	return __atomic_load_n((uint64_t *)e2e_bus(e, E2E_COMPL_BASE(q)), __ATOMIC_ACQUIRE);
}

/* The driver's part: program the block while disabled, TAIL = HEAD, then enable. */
void e2e_uq_setup(struct e2e_dev *e, uint32_t n, uint32_t priority, uint32_t entries, uint32_t asid)
{
	e2e_wr32(e, ARES_REG_UQ(n, ARES_UQ_CONTROL), 0);
	e2e_wr64(e, ARES_REG_UQ(n, ARES_UQ_RING_BASE), E2E_UQ_RING_BASE(n));
	e2e_wr32(e, ARES_REG_UQ(n, ARES_UQ_RING_ENTRIES), entries);
	e2e_wr32(e, ARES_REG_UQ(n, ARES_UQ_PRIORITY), priority);
	e2e_wr64(e, ARES_REG_UQ(n, ARES_UQ_COMPL_BASE), E2E_UQ_COMPL_BASE(n));
	e2e_wr32(e, ARES_REG_UQ(n, ARES_UQ_ASID), asid);
	e2e_wr32(e, ARES_REG_UQ(n, ARES_UQ_HEAD), 0);
	memset(e2e_bus(e, E2E_UQ_COMPL_BASE(n)), 0, ARES_COMPL_RECORD_OFFSET((uint64_t)entries));
	__atomic_store_n(&e2e_uq_db(e, n)->tail, 0, __ATOMIC_RELEASE);
	e->uq_tail[n] = 0;
	e->uq_seqno[n] = 0;
}

void e2e_uq_enable(struct e2e_dev *e, uint32_t n, uint32_t priority, uint32_t entries,
		   uint32_t asid)
{
	e2e_uq_setup(e, n, priority, entries, asid);
	e2e_wr32(e, ARES_REG_UQ(n, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE);
	e2e_ring(e, ARES_VEC_UQ);
}

struct ares_uq_doorbell *e2e_uq_db(struct e2e_dev *e, uint32_t n)
{
	return (struct ares_uq_doorbell *)(e->regs + ARES_REG_UQ_DB(n));
}

void e2e_uq_push_desc(struct e2e_dev *e, uint32_t n, const struct ares_job_desc *d)
{
	uint32_t entries = e2e_rd32(e, ARES_REG_UQ(n, ARES_UQ_RING_ENTRIES));

	memcpy(e2e_bus(e, E2E_UQ_RING_BASE(n) + (uint64_t)(e->uq_tail[n] % entries) * sizeof(*d)),
	       d, sizeof(*d));
	__atomic_store_n(&e2e_uq_db(e, n)->tail, ++e->uq_tail[n], __ATOMIC_RELEASE);
}

int e2e_uq_submit_desc(struct e2e_dev *e, uint32_t n, const struct ares_job_desc *d)
{
	e2e_uq_push_desc(e, n, d);
	/* The TAIL store must be visible before the flags are read (§15). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&e2e_uq_db(e, n)->flags, __ATOMIC_ACQUIRE) & ARES_UQ_DB_NEED_WAKEUP))
		return 0;
	e2e_ring(e, ARES_VEC_UQ);
	return 1;
}

uint64_t e2e_uq_submit(struct e2e_dev *e, uint32_t n, uint32_t asid, uint64_t cmd_va,
		       uint32_t cmd_size, int *rang)
{
	struct ares_job_desc d = {
		.seqno = ++e->uq_seqno[n],
		.cmd_va = cmd_va,
		.cmd_size = cmd_size,
		.asid = (uint16_t)asid,
		.tag = 0x09,
	};
	int r = e2e_uq_submit_desc(e, n, &d);

	if (rang)
		*rang = r;
	return d.seqno;
}

int e2e_uq_wait_head(struct e2e_dev *e, uint32_t n, uint32_t head)
{
	uint64_t deadline = now_ms() + E2E_TIMEOUT_MS;

	while ((int32_t)(e2e_rd32(e, ARES_REG_UQ(n, ARES_UQ_HEAD)) - head) < 0) {
		if (now_ms() > deadline)
			return -1;
		sleep_ms(1);
	}
	return 0;
}

const struct ares_completion *e2e_uq_completion(struct e2e_dev *e, uint32_t n, uint32_t slot)
{
	return (const struct ares_completion *)e2e_bus(
		e, E2E_UQ_COMPL_BASE(n) + ARES_COMPL_RECORD_OFFSET((uint64_t)slot));
}

const struct ares_queue_wb *e2e_uq_wb(struct e2e_dev *e, uint32_t n)
{
	return (const struct ares_queue_wb *)e2e_bus(e, E2E_UQ_COMPL_BASE(n));
}
