/* SPDX-License-Identifier: MIT */
/*
 * The QEMU side of ares-sim, for host tests: starts ares-sim, plays the
 * ivshmem-doorbell client, maps BAR2 and guest RAM, and offers the few
 * driver operations a test needs (control commands, page tables, queues).
 */
#ifndef SIM_TESTS_E2E_CLIENT_H
#define SIM_TESTS_E2E_CLIENT_H

#include <stdint.h>
#include <sys/types.h>

#include <ares/queue.h>
#include <ares/regs.h>

/* Guest RAM layout the tests use (bus addresses). */
#define E2E_RAM_SIZE	  (32ull << 20)
#define E2E_PT_BASE	  0x00200000ull /* page tables, bump-allocated */
#define E2E_PT_END	  0x00400000ull
#define E2E_RING_BASE(q)  (0x00400000ull + (q)*0x4000ull)
#define E2E_COMPL_BASE(q) (0x00600000ull + (q)*0x4000ull)
#define E2E_DATA_BASE	  0x00800000ull /* data pages, bump-allocated */
#define E2E_DATA_END	  0x01000000ull
#define E2E_IMAGE_BASE	  0x01000000ull /* default; above 4 GiB when below4g is small */
#define E2E_RING_ENTRIES  64
#define E2E_TIMEOUT_MS	  10000 /* only so a broken device cannot hang the test */

/* User queue n (n < 64) uses the ring and completion slots after the hardware queues'. */
#define E2E_UQ_RING_BASE(n)  E2E_RING_BASE(ARES_NUM_QUEUES + (n))
#define E2E_UQ_COMPL_BASE(n) E2E_COMPL_BASE(ARES_NUM_QUEUES + (n))
#define E2E_UQ_MAX	     64

struct e2e_dev {
	char dir[64];
	char sock_path[128];
	char ram_path[128];
	char log_path[128];
	pid_t sim_pid;
	int sock_fd;
	int shm_fd;
	uint8_t *regs;
	uint8_t *ram;
	uint64_t below4g; /* as passed to --ram-below-4g (default: all of RAM) */
	uint64_t image_bus;
	int dev_fd[ARES_NUM_VECTORS]; /* ring the device */
	int irq_fd[ARES_NUM_VECTORS]; /* the device raises these */
	uint32_t ctrl_seq;
	uint64_t pt_next;
	uint64_t data_next;
	uint32_t tail[ARES_NUM_QUEUES];
	uint64_t seqno[ARES_NUM_QUEUES];
	uint32_t uq_tail[E2E_UQ_MAX];
	uint64_t uq_seqno[E2E_UQ_MAX];
	char err[256];
};

int e2e_start(struct e2e_dev *e, const char *extra_arg, const char *extra_val);
int e2e_stop(struct e2e_dev *e);
void e2e_dump_log(const struct e2e_dev *e);

uint32_t e2e_rd32(const struct e2e_dev *e, uint32_t off);
uint64_t e2e_rd64(const struct e2e_dev *e, uint32_t off);
void e2e_wr32(struct e2e_dev *e, uint32_t off, uint32_t v);
void e2e_wr64(struct e2e_dev *e, uint32_t off, uint64_t v);

void e2e_ring(struct e2e_dev *e, uint32_t vector);
int e2e_irq_pending(struct e2e_dev *e, uint32_t vector, int timeout_ms);

int e2e_ctrl(struct e2e_dev *e, uint32_t cmd, uint64_t arg0, uint64_t arg1, uint32_t *result);
int e2e_boot(struct e2e_dev *e, const char *image, uint32_t *result);
int e2e_wait_reg(struct e2e_dev *e, uint32_t off, uint32_t mask, uint32_t want, uint32_t vector);

uint8_t *e2e_bus(struct e2e_dev *e, uint64_t bus);
uint64_t e2e_alloc_page(struct e2e_dev *e);
void e2e_as_enable(struct e2e_dev *e, uint32_t asid);
void e2e_map(struct e2e_dev *e, uint32_t asid, uint64_t va, uint64_t bus, uint64_t flags);
void e2e_unmap(struct e2e_dev *e, uint32_t asid, uint64_t va);
void e2e_map_range(struct e2e_dev *e, uint32_t asid, uint64_t va, uint64_t bytes, uint64_t flags);
uint8_t *e2e_va(struct e2e_dev *e, uint32_t asid, uint64_t va);
void e2e_va_write(struct e2e_dev *e, uint32_t asid, uint64_t va, const void *src, uint64_t len);
void e2e_va_read(struct e2e_dev *e, uint32_t asid, uint64_t va, void *dst, uint64_t len);

void e2e_queue_enable(struct e2e_dev *e, uint32_t q, uint32_t priority, uint32_t entries);
uint64_t e2e_submit(struct e2e_dev *e, uint32_t q, uint32_t asid, uint64_t cmd_va,
		    uint32_t cmd_size);
void e2e_submit_desc(struct e2e_dev *e, uint32_t q, const struct ares_job_desc *d);
int e2e_wait_head(struct e2e_dev *e, uint32_t q, uint32_t head);
const struct ares_completion *e2e_completion(struct e2e_dev *e, uint32_t q, uint32_t slot);
uint64_t e2e_done_seqno(struct e2e_dev *e, uint32_t q);

/*
 * User queues (hw-spec §15): the driver's setup, and the process's side of
 * submission through the doorbell page.
 */
void e2e_uq_setup(struct e2e_dev *e, uint32_t n, uint32_t priority, uint32_t entries,
		  uint32_t asid);
void e2e_uq_enable(struct e2e_dev *e, uint32_t n, uint32_t priority, uint32_t entries,
		   uint32_t asid);
struct ares_uq_doorbell *e2e_uq_db(struct e2e_dev *e, uint32_t n);
/* Writes the descriptor and moves TAIL; returns 1 if NEED_WAKEUP made it ring ARES_VEC_UQ. */
int e2e_uq_submit_desc(struct e2e_dev *e, uint32_t n, const struct ares_job_desc *d);
/* The same without the NEED_WAKEUP check: a producer that never rings. */
void e2e_uq_push_desc(struct e2e_dev *e, uint32_t n, const struct ares_job_desc *d);
uint64_t e2e_uq_submit(struct e2e_dev *e, uint32_t n, uint32_t asid, uint64_t cmd_va,
		       uint32_t cmd_size, int *rang);
int e2e_uq_wait_head(struct e2e_dev *e, uint32_t n, uint32_t head);
const struct ares_completion *e2e_uq_completion(struct e2e_dev *e, uint32_t n, uint32_t slot);
const struct ares_queue_wb *e2e_uq_wb(struct e2e_dev *e, uint32_t n);

#endif /* SIM_TESTS_E2E_CLIENT_H */
