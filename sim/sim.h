/* SPDX-License-Identifier: MIT */
/*
 * ares-sim internals shared by its files: the device state that both the
 * main (control) process and the CP child see, register accessors and the
 * entry points of each unit.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <ares/cmd.h>
#include <ares/queue.h>
#include <ares/regs.h>

/* Host view of guest RAM: the memory-backend-file, mapped MAP_SHARED. */
struct sim_mem {
	uint8_t *base;
	uint64_t size;
	uint64_t below4g; /* bytes of RAM mapped below the 4 GiB PCI hole */
};

/*
 * The device. After fork() the CP child holds a copy of this struct whose
 * pointers still reach the same MAP_SHARED BAR2 and RAM, and the same
 * eventfds, so both processes act on one device.
 */
struct sim_dev {
	uint8_t *regs;		      /* BAR2, ARES_BAR2_SIZE bytes */
	struct sim_mem mem;	      /* guest RAM, the DMA target */
	int db_fd[ARES_NUM_VECTORS];  /* device's eventfds: the guest rings them */
	int irq_fd[ARES_NUM_VECTORS]; /* client's eventfds: the device raises them */
	int log_fd;		      /* -1: no log */
	int verbose;
};

/* ---- registers (sim/regs.c) ---- */
static inline uint32_t sim_rd32(const struct sim_dev *d, uint32_t off)
{
	return __atomic_load_n((const uint32_t *)(d->regs + off), __ATOMIC_ACQUIRE);
}

static inline uint64_t sim_rd64(const struct sim_dev *d, uint32_t off)
{
	return __atomic_load_n((const uint64_t *)(d->regs + off), __ATOMIC_ACQUIRE);
}

static inline void sim_wr32(struct sim_dev *d, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(d->regs + off), v, __ATOMIC_RELEASE);
}

static inline void sim_wr64(struct sim_dev *d, uint32_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)(d->regs + off), v, __ATOMIC_RELEASE);
}

void sim_regs_power_on(struct sim_dev *d);
void sim_regs_reset(struct sim_dev *d);

/* ---- logging (sim/log.c) ---- */
void sim_log(const struct sim_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A guest process with a user queue can make jobs fail or fault at device
 * speed, and each of those has a log line: without a bound the host's log
 * file grows as fast as the guest likes. A source with its own limit logs
 * at most SIM_LOG_LIMIT_LINES lines a second, then one line saying how many
 * it dropped. Zero-initialised; one per source and process.
 */
#define SIM_LOG_LIMIT_LINES 100
struct sim_log_limit {
	uint64_t window_start_ns;
	uint32_t lines;
	uint32_t dropped;
};

/* 1 if @l allows one more line of @what now. */
int sim_log_allow(const struct sim_dev *d, struct sim_log_limit *l, const char *what);

/* ---- interrupts (sim/irq.c) ---- */
void sim_raise_irq(struct sim_dev *d, uint32_t vector);
uint64_t sim_now_ns(void);

/* ---- host memory (sim/mem.c) ---- */
int sim_mem_map(struct sim_mem *m, const char *path, uint64_t below4g);
void sim_mem_unmap(struct sim_mem *m);
uint8_t *sim_mem_ptr(const struct sim_mem *m, uint64_t bus, uint64_t len);

/* ---- MMU (sim/mmu.c) ---- */
uint32_t sim_mmu_translate(const struct sim_dev *d, uint32_t asid, uint64_t va, uint32_t access,
			   uint64_t *bus);
void sim_mmu_record_fault(struct sim_dev *d, uint32_t asid, uint32_t queue, uint32_t access,
			  uint64_t va, uint32_t reason);
uint32_t sim_va_chunk(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va, uint64_t len,
		      uint32_t access, uint8_t **ptr, uint64_t *chunk);
uint32_t sim_va_read(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va, void *dst,
		     uint64_t len);
uint32_t sim_va_write(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va,
		      const void *src, uint64_t len);

/* ---- engines (sim/engine.c) ---- */
uint32_t sim_engine_copy(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t dst_va,
			 uint64_t src_va, uint64_t size);
uint32_t sim_engine_fill(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t dst_va,
			 uint64_t size, uint32_t pattern);
uint32_t sim_engine_gemm(struct sim_dev *d, uint32_t asid, uint32_t queue,
			 const struct ares_cmd_gemm *cmd);
void sim_gemm_f32(uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c);

/* ---- performance model (sim/perf.c) ---- */
enum sim_engine { SIM_ENGINE_TENSOR, SIM_ENGINE_VECTOR, SIM_ENGINE_DMA };

/* Work one engine tile did (the kernels' struct compute_stats, or the v1 engines'). */
struct sim_work {
	uint64_t macs;
	uint64_t vector_ops;
	uint64_t bytes;
};

/* Adds the tile's modeled time to *@modeled_ns and its work to the PERF counters. */
void sim_perf_tile(struct sim_dev *d, enum sim_engine engine, uint32_t mac_dtype,
		   const struct sim_work *w, uint64_t *modeled_ns);

/* ---- engine dispatch (sim/engine_run.c): the CP ABI's engine_run ---- */
struct compute_workers;
uint32_t sim_engine_run(struct sim_dev *d, struct compute_workers *w, uint32_t asid, uint32_t queue,
			const struct ares_cmd_hdr *cmd, uint64_t *modeled_ns);
/* sim/engine_tensor.c: CONV2D..FILL_TENSOR on sim/compute's kernels. */
uint32_t sim_engine_tensor(struct sim_dev *d, struct compute_workers *w, uint32_t asid,
			   uint32_t queue, const struct ares_cmd_hdr *cmd, uint64_t *modeled_ns);

/* ---- boot ROM (sim/bootrom.c) ---- */
/*
 * The Ed25519 public key the boot ROM trusts, ARES_FW_PUBKEY_SIZE bytes:
 * the silicon's fused key. Generated at build time from the verify key
 * (firmware/firmware.mk, ARES_FW_VERIFY_KEY) into fw_verify_key.c.
 */
extern const uint8_t sim_fw_verify_key[];

/*
 * Every check the boot ROM makes before the CP may load an image: header
 * rules, payload CRC, then the signature against @pubkey. Reads nothing
 * outside [image, image + size). Returns 0 or an ARES_BOOT_ERR_* code.
 */
uint32_t sim_bootrom_check(const uint8_t *image, uint64_t size, const uint8_t *pubkey);

#endif /* SIM_SIM_H */
