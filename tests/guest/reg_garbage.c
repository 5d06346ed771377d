/* SPDX-License-Identifier: MIT */
/*
 * A guest root user, with the driver unbound, drives the device's registers
 * and doorbells directly with garbage: random values at random register
 * offsets, random control commands, queues pointed anywhere with random
 * TAILs, address spaces rooted at random addresses, doorbells on every
 * vector. The emulator is a host process and must survive all of it (the
 * VM harness fails the run if it exited abnormally); afterwards the driver
 * binds again, resets the device and a job runs.
 *
 * Usage: reg_garbage PCI_ADDRESS [ITERATIONS [SEED]]
 * The caller unbinds the driver first and rebinds it after.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ares/regs.h"

#include "guest_util.h"

/* ivshmem BAR0 (ARCHITECTURE.md): the Doorbell register. */
#define IVSHMEM_DOORBELL  12
#define IVSHMEM_BAR0_SIZE 256

static uint64_t rng_state;

/* xorshift64*: reproducible from the seed printed at start. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void wr32(volatile uint8_t *regs, uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(regs + off) = val;
}

static void wr64(volatile uint8_t *regs, uint32_t off, uint64_t val)
{
	*(volatile uint64_t *)(regs + off) = val;
}

/* A GPA-like value: often inside the guest's RAM, sometimes anywhere. */
static uint64_t rnd_addr(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd();
	case 1:
		return rnd() % (1ull << 32);
	default:
		return (rnd() % (256ull << 20)) & ~0xfffull;
	}
}

int main(int argc, char **argv)
{
	volatile uint8_t *regs, *bar0;
	unsigned long iterations;
	uint32_t ctrl_seq = 1;

	test_init("reg_garbage");
	if (argc < 2) {
		fprintf(stderr, "usage: reg_garbage PCI_ADDRESS [ITERATIONS [SEED]]\n");
		return 2;
	}
	iterations = argc > 2 ? strtoul(argv[2], NULL, 0) : 20000;
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 0) : 0x5eed0a4e5ull;
	if (!rng_state)
		rng_state = 1;
	printf("reg_garbage: %lu iterations, seed 0x%llx\n", iterations,
	       (unsigned long long)rng_state);

	regs = map_bar(argv[1], 2, ARES_BAR2_SIZE);
	bar0 = map_bar(argv[1], 0, IVSHMEM_BAR0_SIZE);
	if (*(volatile uint32_t *)(regs + ARES_REG_SIGNATURE) != ARES_SIGNATURE)
		test_fail("expected the Ares signature in BAR2 of %s", argv[1]);

	for (unsigned long i = 0; i < iterations; i++) {
		uint32_t q = rnd() % ARES_NUM_QUEUES;
		uint32_t as = rnd() % ARES_MAX_AS;
		uint32_t peer = (uint32_t)(rnd() % 4);
		uint32_t vec;

		switch (rnd() % 8) {
		case 0: /* anywhere in the register file */
			wr32(regs, (uint32_t)(rnd() % (ARES_BAR2_SIZE / 4)) * 4, (uint32_t)rnd());
			break;
		case 1: /* a control command, well-formed or not */
			wr32(regs, ARES_REG_CTRL_CMD, (uint32_t)(rnd() % 16));
			wr64(regs, ARES_REG_CTRL_ARG0, rnd() % 2 ? rnd_addr() : rnd() % 80);
			wr64(regs, ARES_REG_CTRL_ARG1, rnd() % 2 ? rnd_addr() : rnd());
			wr32(regs, ARES_REG_CTRL_SEQ, ctrl_seq++);
			wr32(bar0, IVSHMEM_DOORBELL, ARES_VEC_CTRL);
			break;
		case 2: /* a queue rooted anywhere, any TAIL */
			wr64(regs, ARES_REG_Q(q, ARES_Q_RING_BASE), rnd_addr());
			wr32(regs, ARES_REG_Q(q, ARES_Q_RING_ENTRIES),
			     rnd() % 2 ? (uint32_t)ARES_Q_RING_MIN << (rnd() % 9)
				       : (uint32_t)rnd());
			wr32(regs, ARES_REG_Q(q, ARES_Q_PRIORITY), (uint32_t)(rnd() % 6));
			wr64(regs, ARES_REG_Q(q, ARES_Q_COMPL_BASE), rnd_addr());
			wr32(regs, ARES_REG_Q(q, ARES_Q_WEIGHT), (uint32_t)rnd());
			wr32(regs, ARES_REG_Q(q, ARES_Q_TAIL), (uint32_t)rnd());
			wr32(regs, ARES_REG_Q(q, ARES_Q_CONTROL), (uint32_t)rnd());
			wr32(bar0, IVSHMEM_DOORBELL, ARES_VEC_QUEUE(q));
			break;
		case 3: /* an address space rooted anywhere */
			wr64(regs, ARES_REG_AS_ROOT(as), rnd_addr());
			wr32(regs, ARES_REG_AS_CONFIG(as), (uint32_t)rnd());
			break;
		case 4: /* doorbells on any vector, to any peer */
			vec = (uint32_t)(rnd() % 16);
			wr32(bar0, IVSHMEM_DOORBELL, (peer << 16) | vec);
			break;
		case 5: /* debug knobs */
			wr32(regs, ARES_REG_DBG_HANG_QUEUES + (uint32_t)(rnd() % 3) * 4,
			     (uint32_t)rnd());
			break;
		default: /* reads have no side effects, but must not hurt */
			(void)*(volatile uint32_t *)(regs + (rnd() % (ARES_BAR2_SIZE / 4)) * 4);
			break;
		}
	}
	munmap((void *)regs, ARES_BAR2_SIZE);
	munmap((void *)bar0, IVSHMEM_BAR0_SIZE);
	printf("reg_garbage: done\n");
	return 0;
}
