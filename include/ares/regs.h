/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 register file (BAR2). See docs/hw-spec.md for behaviour.
 *
 * All registers are little-endian and naturally aligned. 64-bit registers
 * are accessed as one 64-bit access. "RO" means written only by the device;
 * "RW" means written by the driver and read by the device. Because BAR2 is
 * memory shared with the device, a driver write takes effect only when the
 * driver rings the doorbell that the register's description names.
 */
#ifndef ARES_REGS_H
#define ARES_REGS_H

#include "types.h"

#define ARES_BAR2_SIZE			0x100000u	/* 1 MiB, a power of two */
#define ARES_BAR_DOORBELL		0	/* ivshmem BAR0: IVPosition, Doorbell */
#define ARES_BAR_REGS			2

/* ivshmem BAR0 registers used by the driver to ring the device. */
#define ARES_IVSHMEM_IVPOSITION		0x08
#define ARES_IVSHMEM_DOORBELL		0x0c
#define ARES_DOORBELL_VALUE(peer, vector) (((peer) << 16) | (vector))

/* PCI identity of the silicon; the emulated device is 1af4:1110 + signature. */
#define ARES_PCI_VENDOR_ID		0x1e5a
#define ARES_PCI_DEVICE_ID_V1		0xa001
#define ARES_IVSHMEM_VENDOR_ID		0x1af4
#define ARES_IVSHMEM_DEVICE_ID		0x1110

/* ---- Identity block (RO, valid from power-on) ---- */
#define ARES_REG_SIGNATURE		0x0000	/* ARES_SIGNATURE */
#define ARES_REG_HW_VERSION		0x0004	/* ARES_VERSION(major, minor, patch) */
#define ARES_REG_CAPS			0x0008	/* ARES_CAP_* */
#define ARES_REG_NUM_QUEUES		0x000c	/* hardware queues */
#define ARES_REG_MAX_AS			0x0010	/* address-space slots */
#define ARES_REG_VA_BITS		0x0014	/* device VA width */
#define ARES_REG_DB_PEER		0x0018	/* ivshmem peer id to ring */
#define ARES_REG_NUM_VECTORS		0x001c	/* doorbell/MSI-X vectors */

#define ARES_SIGNATURE			0x53455241u	/* "ARES" */
#define ARES_VERSION(maj, min, pat)	(((maj) << 16) | ((min) << 8) | (pat))
#define ARES_VERSION_MAJOR(v)		(((v) >> 16) & 0xffff)
#define ARES_VERSION_MINOR(v)		(((v) >> 8) & 0xff)
#define ARES_VERSION_PATCH(v)		((v) & 0xff)
#define ARES_HW_VERSION_V1		ARES_VERSION(1, 0, 0)

#define ARES_CAP_MMU			(1u << 0)
#define ARES_CAP_GEMM_F32		(1u << 1)
#define ARES_CAP_FAULT_INJECT		(1u << 2)
#define ARES_CAP_USER_QUEUES		(1u << 3)	/* §15: ARES_NUM_UQ user queues */

#define ARES_NUM_QUEUES			8
#define ARES_MAX_AS			64
#define ARES_VA_BITS			48

/* ---- Interrupt / doorbell vectors ---- */
#define ARES_VEC_CTRL			0	/* control command ack, boot, fatal */
#define ARES_VEC_FAULT			1	/* MMU fault recorded */
#define ARES_VEC_QUEUE(q)		(2 + (q))	/* queue q doorbell and completion */
/* Doorbell: a user queue's doorbell page may have moved; interrupt: §15. */
#define ARES_VEC_UQ			(2 + ARES_NUM_QUEUES)
#define ARES_NUM_VECTORS		(3 + ARES_NUM_QUEUES)

/* ---- Status and control block ---- */
#define ARES_REG_STATUS			0x0040	/* RO: ARES_STATUS_* */
#define ARES_REG_FATAL_CAUSE		0x0044	/* RO: ARES_FATAL_*, valid when STATUS.FATAL */
#define ARES_REG_CTRL_CMD		0x0048	/* RW: ARES_CTRL_*; ring ARES_VEC_CTRL */
#define ARES_REG_CTRL_SEQ		0x004c	/* RW: bumped by the driver per command */
#define ARES_REG_CTRL_ACK		0x0050	/* RO: CTRL_SEQ of the last finished command */
#define ARES_REG_CTRL_RESULT		0x0054	/* RO: 0 or ARES_CTRL_ERR_* / ARES_BOOT_ERR_* */
#define ARES_REG_CTRL_ARG0		0x0058	/* RW u64 */
#define ARES_REG_CTRL_ARG1		0x0060	/* RW u64 */
#define ARES_REG_RESET_COUNT		0x0068	/* RO: device resets since power-on */

#define ARES_STATUS_FW_READY		(1u << 0)
#define ARES_STATUS_FATAL		(1u << 1)
#define ARES_STATUS_BOOTING		(1u << 2)

#define ARES_FATAL_NONE			0
#define ARES_FATAL_FW_CRASH		1	/* control processor took an exception */
#define ARES_FATAL_FW_EXIT		2	/* firmware returned from its entry point */
#define ARES_FATAL_FW_ASSERT		3	/* firmware reported an internal error */
#define ARES_FATAL_CP_SANDBOX		4	/* CP made a system call its sandbox forbids */

#define ARES_CTRL_RESET			1	/* stop the CP, clear all queue/MMU/debug state */
#define ARES_CTRL_BOOT			2	/* ARG0 = bus address of image, ARG1 = size */
#define ARES_CTRL_TLB_INVALIDATE	3	/* ARG0 = address space, or ARES_AS_ALL */

#define ARES_AS_ALL			0xffffffffu

#define ARES_CTRL_OK			0
#define ARES_CTRL_ERR_UNKNOWN_CMD	1
#define ARES_CTRL_ERR_BAD_ARG		2
#define ARES_CTRL_ERR_NOT_READY		3	/* BOOT while running, or no firmware */

/* ---- Firmware block ---- */
#define ARES_REG_BOOT_STATUS		0x0080	/* RO: ARES_BOOT_* */
#define ARES_REG_FW_VERSION		0x0084	/* RO: reported by firmware at READY */
#define ARES_REG_FW_FEATURES		0x0088	/* RO: reported by firmware at READY */
#define ARES_REG_HEARTBEAT		0x0090	/* RO u64: bumped by firmware */
#define ARES_HEARTBEAT_PERIOD_MS	10

/* FW_FEATURES bits: what the running firmware serves beyond §5's queues. */
#define ARES_FW_FEATURE_USER_QUEUES	(1u << 0)	/* §15's user queues */

#define ARES_BOOT_IDLE			0
#define ARES_BOOT_LOADING		1
#define ARES_BOOT_READY			2
/* Boot ROM and firmware errors; also returned in CTRL_RESULT for BOOT. */
#define ARES_BOOT_ERR_BAD_MAGIC		0x100
#define ARES_BOOT_ERR_BAD_HEADER	0x101	/* header version/size/CRC */
#define ARES_BOOT_ERR_BAD_SIZE		0x102	/* payload size disagrees with the image */
#define ARES_BOOT_ERR_BAD_CRC		0x103	/* payload CRC mismatch */
#define ARES_BOOT_ERR_LOAD		0x104	/* payload is not a loadable CP image */
#define ARES_BOOT_ERR_ENTRY		0x105	/* entry point outside the payload */
#define ARES_BOOT_ERR_INIT		0x106	/* firmware failed its own init */
#define ARES_BOOT_ERR_DMA		0x107	/* image address outside host memory */
#define ARES_BOOT_ERR_TIMEOUT		0x108	/* firmware did not report READY */
#define ARES_BOOT_ERR_BAD_SIGNATURE	0x109	/* image not signed by the device's key */

/* ---- MMU fault record (latest fault; FAULT_COUNT bumps after the record) ---- */
#define ARES_REG_FAULT_COUNT		0x00c0	/* RO */
#define ARES_REG_FAULT_ASID		0x00c4	/* RO */
#define ARES_REG_FAULT_QUEUE		0x00c8	/* RO: queue, or ARES_UQ_QUEUE_ID(n) */
#define ARES_REG_FAULT_ACCESS		0x00cc	/* RO: ARES_ACCESS_* */
#define ARES_REG_FAULT_VA		0x00d0	/* RO u64 */
#define ARES_REG_FAULT_REASON		0x00d8	/* RO: ARES_FAULT_* */

#define ARES_ACCESS_READ		1
#define ARES_ACCESS_WRITE		2

#define ARES_FAULT_UNMAPPED		1	/* an entry on the walk is not VALID */
#define ARES_FAULT_PERMISSION		2	/* leaf lacks READ or WRITE */
#define ARES_FAULT_AS_INVALID		3	/* address space not enabled */
#define ARES_FAULT_VA_RANGE		4	/* VA wider than ARES_VA_BITS */
#define ARES_FAULT_BUS			5	/* table or page outside host memory */

/* ---- Address-space table: ARES_MAX_AS slots ---- */
#define ARES_REG_AS_BASE		0x1000
#define ARES_REG_AS_STRIDE		0x10
/* RW u64 */
#define ARES_REG_AS_ROOT(as)		(ARES_REG_AS_BASE + (as) * ARES_REG_AS_STRIDE + 0x0)
/* RW: ARES_AS_CONFIG_* */
#define ARES_REG_AS_CONFIG(as)		(ARES_REG_AS_BASE + (as) * ARES_REG_AS_STRIDE + 0x8)
#define ARES_AS_CONFIG_ENABLE		(1u << 0)

/* ---- Hardware queues ---- */
#define ARES_REG_QUEUE_BASE		0x2000
#define ARES_REG_QUEUE_STRIDE		0x40
#define ARES_REG_Q(q, off)		(ARES_REG_QUEUE_BASE + (q) * ARES_REG_QUEUE_STRIDE + (off))
#define ARES_Q_RING_BASE		0x00	/* RW u64: bus address, 4 KiB aligned */
#define ARES_Q_RING_ENTRIES		0x08	/* RW: power of two, 16..4096 */
#define ARES_Q_PRIORITY			0x0c	/* RW: 0 (lowest) .. 3 (highest) */
#define ARES_Q_COMPL_BASE		0x10	/* RW u64: bus address, 4 KiB aligned */
#define ARES_Q_TAIL			0x18	/* RW: free-running producer index */
#define ARES_Q_HEAD			0x1c	/* RO: free-running consumer index */
#define ARES_Q_CONTROL			0x20	/* RW: ARES_Q_CONTROL_* */
#define ARES_Q_STATUS			0x24	/* RO: ARES_Q_STATUS_* */
#define ARES_Q_WEIGHT			0x28	/* RW: jobs per round-robin turn, 0 = 1 */

#define ARES_Q_CONTROL_ENABLE		(1u << 0)
#define ARES_Q_STATUS_ACTIVE		(1u << 0)	/* enabled and configured */
#define ARES_Q_STATUS_BAD_CONFIG	(1u << 1)	/* enabled with an invalid config */
#define ARES_Q_RING_MIN			16
#define ARES_Q_RING_MAX			4096
#define ARES_Q_WEIGHT_MAX		255	/* larger WEIGHT values act as this */
#define ARES_NUM_PRIORITIES		4

/*
 * ---- User queues (hw-spec §15): ARES_NUM_UQ more queues the firmware
 * schedules alongside the hardware ones ----
 * The register block is the driver's (its process never sees it); the
 * doorbell page of user queue n is the one page a process maps. RESET clears
 * both.
 */
#define ARES_NUM_UQ			64
#define ARES_REG_UQ_BASE		0x5000
#define ARES_REG_UQ_STRIDE		0x40
#define ARES_REG_UQ(n, off)		(ARES_REG_UQ_BASE + (n) * ARES_REG_UQ_STRIDE + (off))
#define ARES_UQ_RING_BASE		0x00	/* RW u64: bus address, 4 KiB aligned */
#define ARES_UQ_RING_ENTRIES		0x08	/* RW: power of two, 16..4096 */
#define ARES_UQ_PRIORITY		0x0c	/* RW: 0 (lowest) .. 3 (highest) */
#define ARES_UQ_COMPL_BASE		0x10	/* RW u64: bus address, 4 KiB aligned */
#define ARES_UQ_ASID			0x18	/* RW: the only ASID its jobs may name */
#define ARES_UQ_HEAD			0x1c	/* RO (RW while disabled): jobs completed */
#define ARES_UQ_CONTROL			0x20	/* RW: ARES_UQ_CONTROL_* */
#define ARES_UQ_STATUS			0x24	/* RO: ARES_UQ_STATUS_* */
#define ARES_UQ_IRQ_HEAD		0x28	/* RW: raise ARES_VEC_UQ when HEAD reaches it */
#define ARES_UQ_ERROR			0x2c	/* RO: ARES_UQ_ERR_*, valid when STATUS.ERROR */
#define ARES_UQ_JOBS			0x30	/* RO u64: jobs completed since enable */
#define ARES_UQ_BUSY_NS			0x38	/* RO u64: device time in its jobs since enable */

#define ARES_UQ_CONTROL_ENABLE		(1u << 0)
#define ARES_UQ_CONTROL_IRQ		(1u << 1)	/* IRQ_HEAD is armed */
#define ARES_UQ_STATUS_ACTIVE		(1u << 0)	/* enabled, configured, serving */
#define ARES_UQ_STATUS_BAD_CONFIG	(1u << 1)	/* enabled with an invalid config */
#define ARES_UQ_STATUS_RUNNING		(1u << 2)	/* one of its jobs is on the engines */
#define ARES_UQ_STATUS_ERROR		(1u << 3)	/* stopped by ARES_UQ_ERR_*; re-enable */

/* User queue n as FAULT_QUEUE names it. */
#define ARES_UQ_QUEUE_ID(n)		(ARES_NUM_QUEUES + (n))

#define ARES_UQ_ERR_NONE		0
#define ARES_UQ_ERR_BAD_TAIL		1	/* TAIL - HEAD above RING_ENTRIES */
#define ARES_UQ_ERR_RING_READ		2	/* ring or completion area unreachable */
#define ARES_UQ_ERR_BANNED		0x100	/* written by the driver, never the device */

/* Doorbell pages: struct ares_uq_doorbell (queue.h), one 4 KiB page each. */
#define ARES_REG_UQ_DB_BASE		0x80000
#define ARES_UQ_DB_PAGE			0x1000
#define ARES_REG_UQ_DB(n)		(ARES_REG_UQ_DB_BASE + (n) * ARES_UQ_DB_PAGE)

/* ---- Fault injection (cleared by reset) ---- */
#define ARES_REG_DBG_HANG_QUEUES	0x3000	/* RW: jobs started on these queues never finish */
#define ARES_REG_DBG_FW_CRASH		0x3004	/* RW: nonzero: CP faults at its next heartbeat */
#define ARES_REG_DBG_DROP_IRQS		0x3008	/* RW: number of next interrupts to drop */
#define ARES_REG_DBG_HANG_UQS		0x3010	/* RW u64: as HANG_QUEUES, user queues */

/*
 * ---- Performance counters (RO u64, cumulative since RESET) ----
 * Modeled figures come from the performance model (docs/hw-spec.md), not
 * from how long the emulator took.
 */
#define ARES_REG_PERF_BASE		0x4000
#define ARES_REG_PERF_JOBS		0x4000	/* jobs completed */
#define ARES_REG_PERF_MODELED_NS	0x4008	/* modeled device time of all jobs */
#define ARES_REG_PERF_TENSOR_BUSY_NS	0x4010	/* modeled tensor-engine busy time */
#define ARES_REG_PERF_VECTOR_BUSY_NS	0x4018	/* modeled vector-engine busy time */
#define ARES_REG_PERF_DMA_BUSY_NS	0x4020	/* modeled DMA-engine busy time */
#define ARES_REG_PERF_MACS		0x4028	/* multiply-accumulates executed */
#define ARES_REG_PERF_VECTOR_OPS	0x4030	/* vector-engine element operations */
#define ARES_REG_PERF_DMA_BYTES		0x4038	/* bytes read plus written by engines */
#define ARES_REG_PERF_CMDS		0x4040	/* commands executed */

/* ---- Firmware log: a byte ring written by firmware ---- */
#define ARES_REG_FW_LOG_BASE		0x10000
#define ARES_FW_LOG_SIZE		0x10000	/* including the 64-byte header */
#define ARES_FW_LOG_WRITE_POS		0x10000	/* RO u64: bytes ever written */
#define ARES_FW_LOG_DATA		0x10040	/* ring of ARES_FW_LOG_SIZE - 64 bytes */

#endif /* ARES_REGS_H */
