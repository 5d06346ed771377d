/* SPDX-License-Identifier: MIT */
/*
 * libaccel - userspace access to Ares NPU devices (/dev/accel/accelN).
 *
 * Contract, in one paragraph: every handle type is opaque; every function
 * that can fail returns 0 or a negative errno (accessors that cannot fail
 * return their value directly and say so); a failing call on a device, or
 * on anything created from one, leaves a sentence in
 * accel_device_last_error() naming the field, node or file involved. The
 * library holds no global mutable state: two threads may use two devices
 * freely; one device handle (and its objects) must be used by one thread at
 * a time, or be locked by the caller.
 *
 * Set ARES_DEBUG=ioctl in the environment to trace every ioctl, with its
 * decoded arguments and result, on stderr.
 *
 * Objects created from a device (buffers, contexts, jobs) must be destroyed
 * before the device is closed.
 */
#ifndef ACCEL_H
#define ACCEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ACCEL_BUILD)
#define ACCEL_API __attribute__((visibility("default")))
#else
#define ACCEL_API
#endif

/** Library version: major (ABI), minor, patch. */
#define ACCEL_VERSION_MAJOR 1
#define ACCEL_VERSION_MINOR 6
#define ACCEL_VERSION_PATCH 0

typedef struct accel_device accel_device;
typedef struct accel_bo accel_bo;
typedef struct accel_ctx accel_ctx;
typedef struct accel_cmdbuf accel_cmdbuf;
typedef struct accel_job accel_job;
typedef struct accel_uq accel_uq;

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/**
 * accel_strerror() - describe an error code returned by libaccel
 * @err: a negative errno as returned by any accel_ function (a positive
 *	errno is accepted too)
 *
 * Return: a constant string, never NULL; safe from any thread.
 */
ACCEL_API const char *accel_strerror(int err);

/**
 * accel_device_last_error() - what the last failing call on @dev was about
 * @dev: device handle (NULL gives a fixed message)
 *
 * The message names the ioctl, field, node or file involved, e.g.
 * "DRM_IOCTL_ARES_SUBMIT: ctx_id 7: Invalid argument". It stays valid until
 * the next libaccel call on @dev or its objects.
 *
 * Return: a string, never NULL; "" if nothing has failed yet.
 */
ACCEL_API const char *accel_device_last_error(const accel_device *dev);

/* ------------------------------------------------------------------ */
/* Enumeration and open                                                */
/* ------------------------------------------------------------------ */

#define ACCEL_PATH_MAX 256

/**
 * struct accel_device_entry - one Ares device found by enumeration
 * @index: N of the node accelN
 * @node: device node path, e.g. "/dev/accel/accel0"
 * @pci_address: "DDDD:BB:DD.F", or "" if the device is not on PCI
 * @pci_vendor: PCI vendor ID (0 if unknown)
 * @pci_device: PCI device ID (0 if unknown)
 * @numa_node: NUMA node of the PCI function, -1 if unknown
 */
struct accel_device_entry {
	unsigned int index;
	char node[ACCEL_PATH_MAX];
	char pci_address[32];
	uint16_t pci_vendor;
	uint16_t pci_device;
	int numa_node;
};

/**
 * accel_enumerate() - list the Ares devices this process may use
 * @entries: array filled with up to @max entries; may be NULL when @max is
 *	0 (to count)
 * @max: capacity of @entries
 * @count: out: number of Ares devices found (may exceed @max)
 *
 * Scans /dev/accel/accel* and keeps the nodes whose
 * /sys/class/accel/accelN/device is bound to the "ares" driver, sorted by
 * index. If the environment variable ARES_VISIBLE_DEVICES is set, only the
 * devices it lists are returned, in its order: entry k is the process's
 * device k (see accel_enumerate_visible() and docs/containers.md). A bad
 * list fails the call and its reason is printed on stderr.
 *
 * Return: 0 (also with no device at all), a negative errno if a directory
 * exists but cannot be read, -EINVAL or -ENODEV if ARES_VISIBLE_DEVICES
 * is malformed or names a device that is not there.
 */
ACCEL_API int accel_enumerate(struct accel_device_entry *entries, size_t max, size_t *count);

/**
 * accel_enumerate_at() - accel_enumerate() with other roots
 * @dev_dir: directory holding accelN nodes (instead of /dev/accel)
 * @sys_dir: directory holding accelN sysfs entries (instead of
 *	/sys/class/accel)
 * @entries: see accel_enumerate()
 * @max: see accel_enumerate()
 * @count: see accel_enumerate()
 *
 * For tests and for chroots. A missing directory counts as empty.
 * ARES_VISIBLE_DEVICES is not applied: every Ares node is listed.
 *
 * Return: 0 or a negative errno if a directory cannot be read.
 */
ACCEL_API int accel_enumerate_at(const char *dev_dir, const char *sys_dir,
				 struct accel_device_entry *entries, size_t max, size_t *count);

/**
 * accel_enumerate_visible() - the devices a visible-devices list selects
 * @visible: list in ARES_VISIBLE_DEVICES syntax, or NULL for every device:
 *	comma-separated entries, each a node index N (the device accelN,
 *	as accel_device_entry.index) or a PCI address DDDD:BB:DD.F or
 *	BB:DD.F (hex, domain 0 if omitted); blanks around entries are
 *	ignored; "all" alone selects every device; "" selects none
 * @dev_dir: see accel_enumerate_at()
 * @sys_dir: see accel_enumerate_at()
 * @entries: filled with up to @max of the selected devices in the order
 *	listed (entry k is visible device k); may be NULL when @max is 0
 * @max: capacity of @entries
 * @count: out: number of selected devices
 * @errbuf: optional buffer for a sentence saying which entry is wrong
 * @errlen: size of @errbuf
 *
 * ACCEL_1.5. @entries[k].index and .node keep the device's own node.
 *
 * Return: 0; -EINVAL for an empty or malformed entry, an out-of-range PCI
 * field, "all" among other entries, or a device listed twice; -ENODEV for
 * an entry naming no Ares device; or a scanning errno.
 */
ACCEL_API int accel_enumerate_visible(const char *visible, const char *dev_dir, const char *sys_dir,
				      struct accel_device_entry *entries, size_t max, size_t *count,
				      char *errbuf, size_t errlen);

/**
 * accel_device_open() - open an Ares device node
 * @path: node path, e.g. "/dev/accel/accel0"
 * @out: out: the device handle
 * @errbuf: optional buffer that receives a sentence on failure (there is no
 *	device handle to hold it yet); may be NULL
 * @errlen: size of @errbuf
 *
 * Fails with -ENODEV if the node's DRM driver is not "ares". On -EACCES
 * or -EPERM the sentence also names the node's group and mode and what to
 * do: join the group, or install the udev rule 60-ares.rules that makes
 * Ares nodes group render, mode 0660.
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_device_open(const char *path, accel_device **out, char *errbuf, size_t errlen);

/* What accel_no_device_reason() found. */
enum accel_absence {
	ACCEL_ABSENT_NO_MODULE = 1, /* the ares module is not loaded */
	ACCEL_ABSENT_PROBE_FAILED,  /* an Ares PCI function has no driver bound */
	ACCEL_ABSENT_NO_NODE,	    /* bound to ares, but no accelN node visible */
	ACCEL_ABSENT_OTHER_DRIVER,  /* an Ares PCI function bound to another driver */
	ACCEL_ABSENT_NO_HARDWARE,   /* module loaded, no Ares PCI function */
};

/**
 * accel_no_device_reason() - why accel_enumerate() found no device
 * @sys_dir: sysfs root (instead of /sys), or NULL
 * @kmsg: kernel log device (instead of /dev/kmsg), or NULL
 * @buf: receives a sentence naming the cause and the next step
 * @len: size of @buf
 *
 * ACCEL_1.8. Looks at @sys_dir/module/ares and at the PCI functions with
 * an Ares vendor:device ID (@sys_dir/bus/pci/devices) to tell a module
 * that is not loaded from a probe that failed (the sentence then points to
 * the kernel log and quotes its last ares line when @kmsg is readable)
 * and from a bound device whose node is not visible here.
 *
 * Return: an enum accel_absence value, or -EINVAL if @buf is NULL or @len 0.
 */
ACCEL_API int accel_no_device_reason(const char *sys_dir, const char *kmsg, char *buf, size_t len);

/**
 * accel_device_open_index() - open a device by number
 * @index: without ARES_VISIBLE_DEVICES, N of /dev/accel/accelN as in
 *	struct accel_device_entry; with it, the process's device number,
 *	counted from 0 in the list's order
 * @out: out: the device handle
 * @errbuf: see accel_device_open()
 * @errlen: see accel_device_open()
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_device_open_index(unsigned int index, accel_device **out, char *errbuf,
				      size_t errlen);

/**
 * accel_device_close() - close a device handle
 * @dev: handle from accel_device_open(); NULL is ignored
 *
 * Return: 0.
 */
ACCEL_API int accel_device_close(accel_device *dev);

/**
 * accel_device_fd() - the DRM file descriptor of @dev (accessor)
 * @dev: device handle
 *
 * For raw ioctls and poll(); owned by @dev, do not close it.
 *
 * Return: the fd.
 */
ACCEL_API int accel_device_fd(const accel_device *dev);

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

/**
 * struct accel_device_info - DRM_ARES_QUERY_DEVICE_INFO plus host details
 * @hw_version: ARES_VERSION(major, minor, patch) of the silicon
 * @fw_version: version the running firmware reported
 * @fw_features: feature bits the running firmware reported
 * @caps: ARES_CAP_* bits
 * @num_queues: hardware queues
 * @max_address_spaces: device MMU address-space slots
 * @va_bits: device VA width
 * @num_priorities: context priority levels
 * @va_start: lowest device VA handed out to buffers
 * @va_end: one past the highest device VA handed out to buffers
 * @pci_vendor: PCI vendor ID the driver bound
 * @pci_device: PCI device ID the driver bound
 * @reset_count: device resets since the driver bound
 * @driver_major: DRM driver version, major
 * @driver_minor: DRM driver version, minor
 * @driver_patch: DRM driver version, patchlevel
 * @node: device node path
 */
struct accel_device_info {
	uint32_t hw_version;
	uint32_t fw_version;
	uint32_t fw_features;
	uint32_t caps;
	uint32_t num_queues;
	uint32_t max_address_spaces;
	uint32_t va_bits;
	uint32_t num_priorities;
	uint64_t va_start;
	uint64_t va_end;
	uint32_t pci_vendor;
	uint32_t pci_device;
	uint32_t reset_count;
	int driver_major;
	int driver_minor;
	int driver_patch;
	char node[ACCEL_PATH_MAX];
};

/**
 * accel_device_query_info() - read the device's identity and state
 * @dev: device handle
 * @info: out
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_device_query_info(accel_device *dev, struct accel_device_info *info);

/**
 * struct accel_queue_info - one hardware queue (DRM_ARES_QUERY_QUEUE_INFO)
 * @index: hardware queue index
 * @priority: context priority it serves
 * @ring_entries: submission ring size
 * @jobs_pending: jobs handed to the hardware, not yet completed
 * @jobs_completed: jobs completed since the driver bound
 */
struct accel_queue_info {
	uint32_t index;
	uint32_t priority;
	uint32_t ring_entries;
	uint32_t jobs_pending;
	uint64_t jobs_completed;
};

/**
 * accel_device_query_queues() - read every hardware queue's state
 * @dev: device handle
 * @queues: array receiving up to @max entries; may be NULL if @max is 0
 * @max: capacity of @queues
 * @count: out: number of hardware queues (may exceed @max)
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_device_query_queues(accel_device *dev, struct accel_queue_info *queues,
					size_t max, size_t *count);

/**
 * accel_device_query_raw() - DRM_IOCTL_ARES_QUERY with the size-probe protocol
 * @dev: device handle
 * @type: DRM_ARES_QUERY_* value
 * @data: result buffer, or NULL with *@size == 0 to probe
 * @size: in: bytes at @data (0 probes); out: bytes the query produces
 *
 * Exposes the kernel protocol unchanged: a nonzero size smaller than the
 * result fails with -EINVAL and still sets *@size.
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_device_query_raw(accel_device *dev, uint32_t type, void *data, uint32_t *size);

/* Fault-injection operations (DRM_ARES_DEBUG_*). */
#define ACCEL_DEBUG_HANG_QUEUE 1
#define ACCEL_DEBUG_CRASH_FW   2
#define ACCEL_DEBUG_RESET      3
#define ACCEL_DEBUG_HANG_UQ    4 /* @arg: accel_uq_ctx_id() of a user queue (ACCEL_1.10) */

/**
 * accel_device_debug() - drive the device's fault injection (tests only)
 * @dev: device handle
 * @op: ACCEL_DEBUG_*
 * @arg: operation argument (the hardware queue for HANG_QUEUE, a user
 *	queue's context id for HANG_UQ)
 *
 * Needs CAP_SYS_ADMIN and the driver loaded with fault_injection=1.
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_device_debug(accel_device *dev, uint32_t op, uint64_t arg);

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

/* The device may only read the buffer (DRM_ARES_BO_READ_ONLY). */
#define ACCEL_BO_READ_ONLY (1u << 0)

/**
 * accel_bo_alloc() - allocate a buffer mapped in the device's address space
 * @dev: device handle
 * @size: bytes, nonzero; rounded up to the page size by the driver
 * @flags: ACCEL_BO_* flags
 * @out: out: the buffer
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_bo_alloc(accel_device *dev, uint64_t size, uint32_t flags, accel_bo **out);

/**
 * accel_bo_userptr() - make page-aligned memory of this process a buffer
 * @dev: device handle
 * @ptr: start of the memory, page-aligned (e.g. from mmap() or
 *	aligned_alloc()); stays owned by the caller, and must stay mapped
 *	until accel_bo_free()
 * @size: bytes, a nonzero multiple of the page size
 * @flags: 0 or ACCEL_BO_READ_ONLY (device writes fault; the memory may
 *	then be read-only)
 * @out: out: a buffer whose accel_bo_map() is @ptr; jobs and the CPU see
 *	the same memory
 *
 * The pages are pinned until accel_bo_free() and count against
 * RLIMIT_MEMLOCK. The buffer cannot be exported.
 *
 * Return: 0, -EINVAL (misaligned or zero @ptr/@size, unknown @flags),
 * -EFAULT (not mapped, or not writable without ACCEL_BO_READ_ONLY),
 * -ENOMEM (over RLIMIT_MEMLOCK without CAP_IPC_LOCK, or out of memory).
 * Since ACCEL_1.3.
 */
ACCEL_API int accel_bo_userptr(accel_device *dev, void *ptr, uint64_t size, uint32_t flags,
			       accel_bo **out);

/**
 * accel_bo_export() - export @bo as a dma-buf
 * @bo: buffer
 * @dmabuf_fd: out: new fd, owned by the caller; it can be mmap()ed
 *
 * For other processes, other device files, other Ares devices
 * (accel_bo_import()) and other drivers.
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_bo_export(accel_bo *bo, int *dmabuf_fd);

/**
 * accel_bo_import() - make a dma-buf usable by jobs of @dev
 * @dev: device handle
 * @dmabuf_fd: dma-buf (from accel_bo_export() on any Ares file or device,
 *	or from another driver: udmabuf, vgem, ...); whole pages; the caller
 *	keeps its fd
 * @out: out: a buffer mapped in @dev's address space (accel_bo_va()); the
 *	exporter's writes and the jobs' writes are the same memory, and jobs
 *	on either side are ordered through the dma-buf's implicit fences
 *
 * Since ACCEL_1.2. Import a dma-buf once per device handle: the driver
 * gives a second import the same handle.
 *
 * Return: 0 or a negative errno (-EINVAL: not whole pages or too large).
 */
ACCEL_API int accel_bo_import(accel_device *dev, int dmabuf_fd, accel_bo **out);

/**
 * accel_bo_map() - map @bo into the process (read/write, shared)
 * @bo: buffer
 * @ptr: out: CPU address; the mapping lives until accel_bo_free()
 *
 * Mapping twice returns the same address.
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_bo_map(accel_bo *bo, void **ptr);

/**
 * accel_bo_free() - unmap and release @bo
 * @bo: buffer; NULL is ignored
 *
 * Jobs already submitted keep the memory alive until they finish.
 *
 * Return: 0 or a negative errno (the handle is freed in any case).
 */
ACCEL_API int accel_bo_free(accel_bo *bo);

/** accel_bo_va() - device VA of @bo (accessor). Return: the VA. */
ACCEL_API uint64_t accel_bo_va(const accel_bo *bo);
/** accel_bo_size() - size of @bo in bytes (accessor). Return: the size. */
ACCEL_API uint64_t accel_bo_size(const accel_bo *bo);
/** accel_bo_handle() - GEM handle of @bo (accessor). Return: the handle. */
ACCEL_API uint32_t accel_bo_handle(const accel_bo *bo);

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

/* Context priorities (enum drm_ares_priority). */
#define ACCEL_PRIORITY_LOW	0
#define ACCEL_PRIORITY_NORMAL	1
#define ACCEL_PRIORITY_HIGH	2
#define ACCEL_PRIORITY_REALTIME 3 /* needs CAP_SYS_NICE */

/**
 * accel_ctx_create() - create a job context (an ordered stream of jobs)
 * @dev: device handle
 * @priority: ACCEL_PRIORITY_*
 * @out: out: the context
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_ctx_create(accel_device *dev, uint32_t priority, accel_ctx **out);

/**
 * accel_ctx_destroy() - destroy a context; submitted jobs still run
 * @ctx: context; NULL is ignored
 *
 * Return: 0 or a negative errno (the handle is freed in any case).
 */
ACCEL_API int accel_ctx_destroy(accel_ctx *ctx);

/** accel_ctx_id() - kernel context id of @ctx (accessor). Return: the id. */
ACCEL_API uint32_t accel_ctx_id(const accel_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Command-buffer builder (host only; needs no device)                 */
/* ------------------------------------------------------------------ */

/**
 * accel_cmdbuf_create() - create an empty command buffer in host memory
 * @out: out: the builder
 *
 * Each append either adds one complete command or, on bad arguments,
 * returns a negative errno and leaves the buffer unchanged; the first such
 * error is also kept (see accel_cmdbuf_error()) so that a sequence of
 * appends can be checked once.
 *
 * Return: 0 or -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_create(accel_cmdbuf **out);

/**
 * accel_cmdbuf_destroy() - free a builder
 * @cb: builder; NULL is ignored
 *
 * Return: 0.
 */
ACCEL_API int accel_cmdbuf_destroy(accel_cmdbuf *cb);

/**
 * accel_cmdbuf_reset() - empty @cb and clear its kept error
 * @cb: builder
 *
 * Return: 0.
 */
ACCEL_API int accel_cmdbuf_reset(accel_cmdbuf *cb);

/**
 * accel_cmdbuf_error() - first error of any append since create/reset
 * @cb: builder
 *
 * Return: 0 or the negative errno of the first failed append.
 */
ACCEL_API int accel_cmdbuf_error(const accel_cmdbuf *cb);

/**
 * accel_cmdbuf_nop() - append a NOP of @size bytes (header included)
 * @cb: builder
 * @size: a multiple of 8, at least 8
 *
 * Return: 0, -EINVAL for a bad size, -E2BIG past ARES_CMD_STREAM_MAX,
 * -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_nop(accel_cmdbuf *cb, uint32_t size);

/**
 * accel_cmdbuf_fence_write() - append FENCE_WRITE: store @value at @va
 * @cb: builder
 * @va: device VA, 8-byte aligned
 * @value: 64-bit value
 *
 * Return: 0, -EINVAL (misaligned @va), -E2BIG, -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_fence_write(accel_cmdbuf *cb, uint64_t va, uint64_t value);

/**
 * accel_cmdbuf_timestamp() - append TIMESTAMP: store the device clock at @va
 * @cb: builder
 * @va: device VA, 8-byte aligned
 *
 * Return: 0, -EINVAL (misaligned @va), -E2BIG, -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_timestamp(accel_cmdbuf *cb, uint64_t va);

/**
 * accel_cmdbuf_dma_copy() - append DMA_COPY of @size bytes
 * @cb: builder
 * @src_va: source device VA
 * @dst_va: destination device VA
 * @size: bytes, nonzero
 *
 * Return: 0, -EINVAL (size 0, overlapping or wrapping ranges), -E2BIG,
 * -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_dma_copy(accel_cmdbuf *cb, uint64_t src_va, uint64_t dst_va,
				    uint64_t size);

/**
 * accel_cmdbuf_fill() - append FILL: repeat @pattern over @size bytes
 * @cb: builder
 * @dst_va: device VA, 4-byte aligned
 * @size: bytes, nonzero multiple of 4
 * @pattern: 32-bit pattern
 *
 * Return: 0, -EINVAL, -E2BIG, -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_fill(accel_cmdbuf *cb, uint64_t dst_va, uint64_t size, uint32_t pattern);

/**
 * struct accel_gemm - f32 C[m][n] = A[m][k] . B[k][n] + C[m][n], row-major
 * @m: rows of A and C, 1..65536
 * @n: columns of B and C, 1..65536
 * @k: columns of A, rows of B, 1..65536
 * @a_va: device VA of A, 4-byte aligned
 * @b_va: device VA of B, 4-byte aligned
 * @c_va: device VA of C, 4-byte aligned
 * @lda: row stride of A in elements, >= k (0 means k)
 * @ldb: row stride of B in elements, >= n (0 means n)
 * @ldc: row stride of C in elements, >= n (0 means n)
 */
struct accel_gemm {
	uint32_t m, n, k;
	uint64_t a_va, b_va, c_va;
	uint32_t lda, ldb, ldc;
};

/**
 * accel_cmdbuf_gemm() - append GEMM
 * @cb: builder
 * @g: operands
 *
 * Return: 0, -EINVAL (NULL @g, a dimension out of range, a stride below
 * its row length, a misaligned VA), -E2BIG, -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_gemm(accel_cmdbuf *cb, const struct accel_gemm *g);

/*
 * Compute and tensor-DMA commands (include/ares/ops.h, docs/hw-spec.md §12).
 * These take the contract's own descriptor and parameter structs, filled
 * in host byte order (the builder stores them little-endian), so an op's
 * constants and semantics are written down once, in <ares/ops.h>. A NULL
 * optional operand is an absent one. The builder checks what it can
 * without the device (dtype, rank, entries past rank, alignment, flags and
 * reserved fields) and returns -EINVAL; the firmware checks the rest and
 * ends the job with ACCEL_JOB_INVALID_CMD.
 */
struct ares_tensor_desc;
struct ares_conv2d_params;
struct ares_matmul_params;
struct ares_eltwise_params;
struct ares_pool_params;
struct ares_reduce_params;
struct ares_softmax_params;
struct ares_norm_params;
struct ares_resize_params;
struct ares_pad_params;

/**
 * accel_tensor_desc_init() - a packed row-major view, no quantisation
 * @t: out: the descriptor (zeroed first)
 * @va: device VA of element 0
 * @dtype: ARES_DTYPE_*, not NONE
 * @rank: 0..ARES_MAX_RANK
 * @shape: @rank dimensions (may be NULL when @rank is 0)
 *
 * Strides are filled so the last dimension is contiguous.
 *
 * Return: 0 or -EINVAL (NULL @t, bad dtype or rank).
 */
ACCEL_API int accel_tensor_desc_init(struct ares_tensor_desc *t, uint64_t va, uint32_t dtype,
				     uint32_t rank, const uint64_t *shape);

/** accel_cmdbuf_conv2d() - append CONV2D; @b may be NULL. Return: 0, -EINVAL, -E2BIG, -ENOMEM. */
ACCEL_API int accel_cmdbuf_conv2d(accel_cmdbuf *cb, const struct ares_conv2d_params *p,
				  const struct ares_tensor_desc *x,
				  const struct ares_tensor_desc *w,
				  const struct ares_tensor_desc *b,
				  const struct ares_tensor_desc *y);

/** accel_cmdbuf_matmul() - append MATMUL; @c may be NULL. Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_matmul(accel_cmdbuf *cb, const struct ares_matmul_params *p,
				  const struct ares_tensor_desc *a,
				  const struct ares_tensor_desc *b,
				  const struct ares_tensor_desc *c,
				  const struct ares_tensor_desc *y);

/**
 * accel_cmdbuf_eltwise() - append ELTWISE with @num_inputs (1..3) inputs
 * @cb: builder
 * @p: operation
 * @num_inputs: entries of @in
 * @in: inputs
 * @out: output
 *
 * Return: as accel_cmdbuf_conv2d().
 */
ACCEL_API int accel_cmdbuf_eltwise(accel_cmdbuf *cb, const struct ares_eltwise_params *p,
				   uint32_t num_inputs, const struct ares_tensor_desc *const *in,
				   const struct ares_tensor_desc *out);

/** accel_cmdbuf_pool() - append POOL. Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_pool(accel_cmdbuf *cb, const struct ares_pool_params *p,
				const struct ares_tensor_desc *x, const struct ares_tensor_desc *y);

/** accel_cmdbuf_reduce() - append REDUCE. Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_reduce(accel_cmdbuf *cb, const struct ares_reduce_params *p,
				  const struct ares_tensor_desc *x,
				  const struct ares_tensor_desc *y);

/** accel_cmdbuf_softmax() - append SOFTMAX. Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_softmax(accel_cmdbuf *cb, const struct ares_softmax_params *p,
				   const struct ares_tensor_desc *x,
				   const struct ares_tensor_desc *y);

/**
 * accel_cmdbuf_norm() - append NORM; @scale, @bias, @mean, @var may be NULL
 * @cb: builder
 * @p: parameters
 * @x: input
 * @scale: @bias: @mean: @var: optional operands
 * @y: output
 *
 * Return: as accel_cmdbuf_conv2d().
 */
ACCEL_API int
accel_cmdbuf_norm(accel_cmdbuf *cb, const struct ares_norm_params *p,
		  const struct ares_tensor_desc *x, const struct ares_tensor_desc *scale,
		  const struct ares_tensor_desc *bias, const struct ares_tensor_desc *mean,
		  const struct ares_tensor_desc *var, const struct ares_tensor_desc *y);

/** accel_cmdbuf_resize() - append RESIZE. Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_resize(accel_cmdbuf *cb, const struct ares_resize_params *p,
				  const struct ares_tensor_desc *x,
				  const struct ares_tensor_desc *y);

/** accel_cmdbuf_copy() - append COPY (strided copy). Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_copy(accel_cmdbuf *cb, const struct ares_tensor_desc *x,
				const struct ares_tensor_desc *y);

/** accel_cmdbuf_pad() - append PAD. Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_pad(accel_cmdbuf *cb, const struct ares_pad_params *p,
			       const struct ares_tensor_desc *x, const struct ares_tensor_desc *y);

/** accel_cmdbuf_gather() - append GATHER along @axis. Return: as accel_cmdbuf_conv2d(). */
ACCEL_API int accel_cmdbuf_gather(accel_cmdbuf *cb, uint32_t axis,
				  const struct ares_tensor_desc *data,
				  const struct ares_tensor_desc *indices,
				  const struct ares_tensor_desc *y);

/** accel_cmdbuf_fill_tensor() - append FILL_TENSOR of @value (low bytes). Return: as above. */
ACCEL_API int accel_cmdbuf_fill_tensor(accel_cmdbuf *cb, uint64_t value,
				       const struct ares_tensor_desc *y);

/**
 * accel_cmdbuf_prelu() - append PRELU: y = x < 0 ? slope * x : x
 * @cb: builder
 * @x: input, F32/F16/BF16
 * @slope: x's dtype and shape; a stride of 0 broadcasts a dimension
 * @y: output, x's dtype and shape
 *
 * Return: as accel_cmdbuf_conv2d(); the device checks the dtypes and shapes.
 */
ACCEL_API int accel_cmdbuf_prelu(accel_cmdbuf *cb, const struct ares_tensor_desc *x,
				 const struct ares_tensor_desc *slope,
				 const struct ares_tensor_desc *y);

/**
 * accel_cmdbuf_tensor_op() - append any tensor command of the op table
 * @cb: builder
 * @cmd: the command's contract struct (struct ares_cmd_<name> of
 *	<ares/ops.h>) in host byte order, header included: @cmd->hdr.opcode
 *	a tensor opcode, @cmd->hdr.size its size, @cmd->hdr.flags zero;
 *	an absent optional operand is dtype NONE and all zero
 * @size: bytes at @cmd, the opcode's command size
 *
 * Validates from the op table (include/ares/op_table.h) what a builder
 * can: the opcode is a tensor opcode this library was built with, @size
 * and the header agree with the table, and every operand descriptor
 * passes the layout rules of hw-spec §12.1 (dtype, rank, entries past the
 * rank, alignment, quant kind), absent only where the table makes it
 * optional. Descriptors are stored little-endian field by field, the rest
 * of the body as 32-bit words (on a big-endian host, pass a 64-bit
 * parameter as its two halves, low first, or use the typed builder). The
 * opcode's own rules (parameters, reserved words, dtype combinations,
 * shapes) are the firmware's, which ends the job with
 * ACCEL_JOB_INVALID_CMD. A new tensor opcode needs no typed builder:
 * this one builds it byte for byte as a typed builder would.
 *
 * Return: 0; -EOPNOTSUPP for an opcode that is not a tensor opcode of the
 * table; -EINVAL for a NULL argument, a size or header that disagrees
 * with the table, or a bad operand; -E2BIG past ARES_CMD_STREAM_MAX;
 * -ENOMEM. Nothing is appended on error.
 */
ACCEL_API int accel_cmdbuf_tensor_op(accel_cmdbuf *cb, const void *cmd, size_t size);

/**
 * accel_cmdbuf_profile() - append PROFILE: the device clock and the job's
 *	modeled time so far (struct ares_profile_record, 16 bytes) at @va
 * @cb: builder
 * @va: 8-byte aligned
 *
 * Return: 0, -EINVAL, -E2BIG, -ENOMEM.
 */
ACCEL_API int accel_cmdbuf_profile(accel_cmdbuf *cb, uint64_t va);

/**
 * accel_cmdbuf_data() - the encoded stream (accessor)
 * @cb: builder
 *
 * Valid until the next append, reset or destroy.
 *
 * Return: pointer to accel_cmdbuf_size() bytes (NULL when empty).
 */
ACCEL_API const void *accel_cmdbuf_data(const accel_cmdbuf *cb);

/** accel_cmdbuf_size() - bytes encoded so far (accessor). Return: the size. */
ACCEL_API size_t accel_cmdbuf_size(const accel_cmdbuf *cb);

/**
 * accel_cmdbuf_upload() - copy the stream into a new device buffer
 * @dev: device handle
 * @cb: builder, nonempty and without a kept error
 * @out: out: a read-only buffer holding the stream at offset 0
 *
 * Return: 0, -EINVAL (empty or failed builder), or an allocation error.
 */
ACCEL_API int accel_cmdbuf_upload(accel_device *dev, const accel_cmdbuf *cb, accel_bo **out);

/* ------------------------------------------------------------------ */
/* Submission and jobs                                                 */
/* ------------------------------------------------------------------ */

/**
 * struct accel_submit_args - one job
 * @cmd_bo: buffer holding the command stream
 * @cmd_offset: byte offset of the stream in @cmd_bo, 8-byte aligned
 * @cmd_size: bytes of stream: nonzero, multiple of 8
 * @bos: buffers the job reads or writes (@cmd_bo is added if missing)
 * @bo_count: entries in @bos
 * @wait: jobs (of any context of the same device) that must finish first
 * @wait_count: entries in @wait
 */
struct accel_submit_args {
	accel_bo *cmd_bo;
	uint64_t cmd_offset;
	uint32_t cmd_size;
	accel_bo *const *bos;
	uint32_t bo_count;
	accel_job *const *wait;
	uint32_t wait_count;
};

/**
 * accel_submit() - queue a job on @ctx
 * @ctx: context
 * @args: the job
 * @out: out: job handle (its completion is a syncobj)
 *
 * Returns -ECANCELED once @ctx is banned after a timeout.
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_submit(accel_ctx *ctx, const struct accel_submit_args *args, accel_job **out);

/**
 * accel_submit_cmdbuf() - upload @cb into a buffer owned by the job and submit it
 * @ctx: context
 * @cb: builder
 * @bos: buffers the commands use
 * @bo_count: entries in @bos
 * @out: out: job handle
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_submit_cmdbuf(accel_ctx *ctx, const accel_cmdbuf *cb, accel_bo *const *bos,
				  uint32_t bo_count, accel_job **out);

/* Most jobs one accel_submit_batch() takes (DRM_ARES_MAX_BATCH_JOBS). */
#define ACCEL_MAX_BATCH 64

/**
 * accel_submit_batch() - queue @count jobs on @ctx with one ioctl
 * @ctx: context
 * @args: @count jobs, each as accel_submit() takes it, queued in order
 * @count: 1 to ACCEL_MAX_BATCH
 * @out: out: @count job handles, of which the first *@submitted are set
 * @submitted: out: jobs queued, always the first ones of @args
 *
 * Stops at the first job the kernel refuses: the jobs before it stay
 * queued, it and the ones after it are not. Arguments the library can
 * check itself (NULL arrays, a command range outside its buffer) are
 * checked for every job first, and then nothing is queued.
 *
 * Return: 0 when all @count were queued; else the negative errno of
 * @args[*@submitted] (-E2BIG: @count above ACCEL_MAX_BATCH).
 */
ACCEL_API int accel_submit_batch(accel_ctx *ctx, const struct accel_submit_args *args,
				 uint32_t count, accel_job **out, uint32_t *submitted);

/**
 * accel_submit_fused() - queue @count jobs on @ctx as one kernel job
 * @ctx: context
 * @args: @count jobs, each as accel_submit() takes it, run in order
 * @count: 1 to ACCEL_MAX_BATCH
 * @out: out: @count job handles, of which the first *@submitted are set
 * @submitted: out: jobs queued, always the first ones of @args
 *
 * As accel_submit_batch(), but the jobs queued go through the kernel's
 * scheduler as one job (DRM_ARES_SUBMIT_BATCH_FUSED): one doorbell, one
 * fence. Every handle of the batch finishes when its last job does, and
 * each one's accel_job_status() is the first failure among them. The
 * jobs together may list at most 256 distinct buffers. For many small
 * jobs whose results are needed together.
 *
 * Return: as accel_submit_batch().
 */
ACCEL_API int accel_submit_fused(accel_ctx *ctx, const struct accel_submit_args *args,
				 uint32_t count, accel_job **out, uint32_t *submitted);

/**
 * accel_job_wait() - wait until @job finishes (successfully or not)
 * @job: job handle
 * @timeout_ns: relative timeout in ns; 0 polls; negative waits forever
 *
 * Return: 0 when finished, -ETIME when the timeout passed first, or
 * another negative errno.
 */
ACCEL_API int accel_job_wait(accel_job *job, int64_t timeout_ns);

/* Job outcomes (enum drm_ares_job_status). */
#define ACCEL_JOB_OK	      0
#define ACCEL_JOB_INVALID_CMD 1
#define ACCEL_JOB_MMU_FAULT   2
#define ACCEL_JOB_TIMEOUT     3
#define ACCEL_JOB_ABORTED     4
#define ACCEL_JOB_FW_ERROR    5

/**
 * accel_job_status() - outcome of a finished job
 * @job: job handle
 * @status: out: ACCEL_JOB_*
 *
 * Asks DRM_IOCTL_ARES_BO_WAIT about the job's command buffer, so when that
 * buffer is shared by later jobs of the same context it reports the latest
 * of them.
 *
 * Return: 0, -EBUSY if the job has not finished, or a negative errno.
 */
ACCEL_API int accel_job_status(accel_job *job, uint32_t *status);

/**
 * accel_job_status_name() - "OK", "MMU_FAULT", ... for an ACCEL_JOB_* value
 * @status: ACCEL_JOB_*
 *
 * Return: a constant string, never NULL.
 */
ACCEL_API const char *accel_job_status_name(uint32_t status);

/**
 * accel_job_export_sync_file() - a sync_file fd that signals with @job
 * @job: job handle
 * @fd: out: new fd, owned by the caller; poll() reports POLLIN once the
 *	job finished
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_job_export_sync_file(accel_job *job, int *fd);

/** accel_job_seqno() - the job's sequence number in its context (accessor). */
ACCEL_API uint64_t accel_job_seqno(const accel_job *job);

/**
 * accel_job_syncobj() - the job's syncobj handle on the device fd (accessor)
 *
 * libaccel keeps the syncobjs of destroyed jobs and gives them to later
 * jobs (a job then costs a SUBMIT and a wait), so after accel_job_destroy()
 * the handle may stand for another job.
 */
ACCEL_API uint32_t accel_job_syncobj(const accel_job *job);

/**
 * accel_job_destroy() - release a job handle (the job itself keeps running)
 * @job: job handle; NULL is ignored
 *
 * Return: 0.
 */
ACCEL_API int accel_job_destroy(accel_job *job);

/* ------------------------------------------------------------------ */
/* User queues (since ACCEL_1.10)                                      */
/* ------------------------------------------------------------------ */

/*
 * A user queue is a context whose ring, completion area and doorbell page
 * are mapped into the process (docs/hw-spec.md section 15): a submit writes
 * a descriptor and moves TAIL with no system call, and a wait can poll the
 * completion area before it sleeps in the kernel. A job is named by its
 * ticket: the queue's count of completed jobs (HEAD) once it is done.
 * Tickets of one queue increase by one per job, and jobs complete in
 * ticket order. A user queue takes no in-fences and keeps no buffer
 * alive: its jobs see every buffer of the device handle at its VA, and a
 * buffer freed while a job uses it makes that job fault, nothing else.
 * The mappings are not inherited across fork().
 */

/* Queue states (enum drm_ares_uq_state). */
#define ACCEL_UQ_ACTIVE 0
#define ACCEL_UQ_ERROR	1 /* the device stopped it: see the ACCEL_UQ_ERR_* value */
#define ACCEL_UQ_BANNED 2 /* the driver stopped it: one of its jobs hung */

/* Why a queue stopped (ARES_UQ_ERR_*). */
#define ACCEL_UQ_ERR_NONE      0
#define ACCEL_UQ_ERR_BAD_TAIL  1     /* TAIL ran more than the ring's size ahead of HEAD */
#define ACCEL_UQ_ERR_RING_READ 2     /* the device could not reach the ring or completions */
#define ACCEL_UQ_ERR_BANNED    0x100 /* a job hung past the driver's job timeout */

/* Job outcome a user-queue job can have besides the ACCEL_JOB_* above. */
#define ACCEL_JOB_INVALID_DESC 6 /* the ring entry was malformed */

/**
 * accel_uq_create() - create a user queue on @dev
 * @dev: device handle (its device must report ARES_CAP_USER_QUEUES)
 * @priority: ACCEL_PRIORITY_* (REALTIME needs CAP_SYS_NICE)
 * @ring_entries: jobs the ring holds: a power of two, 16..4096
 * @out: out: the queue
 *
 * Creates the kernel context (DRM_IOCTL_ARES_UQ_CREATE) and maps its ring,
 * completion area and doorbell page.
 *
 * Return: 0, -EOPNOTSUPP (the device or driver has no user queues),
 * -EINVAL (@ring_entries or @priority out of range), -EBUSY (no device
 * address-space slot or user queue left), -EPERM, -ENOMEM, or another
 * negative errno.
 */
ACCEL_API int accel_uq_create(accel_device *dev, uint32_t priority, uint32_t ring_entries,
			      accel_uq **out);

/**
 * accel_uq_destroy() - unmap and destroy a user queue
 * @uq: queue; NULL is ignored
 *
 * Jobs that have not completed may or may not run: wait for the last
 * ticket first. Jobs from accel_uq_fence() on @uq are destroyed first.
 *
 * Return: 0 or a negative errno (the handle is freed in any case).
 */
ACCEL_API int accel_uq_destroy(accel_uq *uq);

/**
 * accel_uq_submit() - queue a command stream on @uq with no system call
 * @uq: queue
 * @cmd_bo: buffer of @uq's device holding the command stream
 * @cmd_offset: byte offset of the stream in @cmd_bo, 8-byte aligned
 * @cmd_size: bytes of stream: nonzero, multiple of 8, at most 16 MiB
 * @ticket: out: the job's ticket; with -EAGAIN, the ticket to wait for
 *	before submitting again (the oldest job not seen completed)
 *
 * Writes the descriptor into the ring, publishes it by a release store of
 * the doorbell page's TAIL and, after a full fence, calls
 * DRM_IOCTL_ARES_UQ_WAKE only if the device asked for it
 * (ARES_UQ_DB_NEED_WAKEUP: it had gone idle).
 *
 * Return: 0; -EAGAIN when the ring is full (RING_ENTRIES jobs not yet
 * completed: accel_uq_wait() for the *@ticket it stored, then submit
 * again); -ECANCELED once the queue is stopped (accel_uq_state()); -EINVAL
 * for a bad range or a buffer of another device; or a negative errno of
 * the wake-up.
 */
ACCEL_API int accel_uq_submit(accel_uq *uq, accel_bo *cmd_bo, uint64_t cmd_offset,
			      uint32_t cmd_size, uint64_t *ticket);

/**
 * accel_uq_wait() - wait until the job of @ticket has completed
 * @uq: queue
 * @ticket: a ticket from accel_uq_submit() on @uq
 * @spin_ns: poll the completion area for up to this long before sleeping
 *	in the kernel (0: do not poll); a CPU spins meanwhile
 * @timeout_ns: relative timeout in ns, counting the polling; 0 polls once;
 *	negative waits forever
 *
 * Return: 0 once the job completed (successfully or not: see
 * accel_uq_job_status()), -ETIME when the timeout passed first,
 * -ECANCELED when the queue stopped first (accel_uq_state() says why),
 * -EINVAL for a ticket not yet handed out, or another negative errno.
 */
ACCEL_API int accel_uq_wait(accel_uq *uq, uint64_t ticket, uint64_t spin_ns, int64_t timeout_ns);

/**
 * accel_uq_completed() - the ticket of @uq's latest completed job
 * @uq: queue
 *
 * Reads the completion area: no system call. The job of ticket T has
 * completed once this is >= T.
 *
 * Return: the ticket (the first job's ticket - 1 before any completed).
 */
ACCEL_API uint64_t accel_uq_completed(accel_uq *uq);

/**
 * accel_uq_job_status() - outcome of the completed job of @ticket
 * @uq: queue
 * @ticket: a ticket from accel_uq_submit() on @uq
 * @status: out: ACCEL_JOB_*
 *
 * Reads the job's completion record, with no system call. The record's
 * slot is reused by a later job, so the status can be read only until
 * RING_ENTRIES later jobs have completed.
 *
 * Return: 0, -EBUSY (not completed yet), -ESTALE (its record was reused),
 * -EINVAL (a ticket not yet handed out), -EIO (the record names another
 * job: the completion area is not what the device wrote).
 */
ACCEL_API int accel_uq_job_status(accel_uq *uq, uint64_t ticket, uint32_t *status);

/**
 * accel_uq_fence() - a job handle whose syncobj signals with @ticket
 * @uq: queue
 * @ticket: a ticket from accel_uq_submit() on @uq
 * @out: out: a job handle: accel_job_wait(), accel_job_export_sync_file()
 *	(a sync_file), accel_job_syncobj(), and accel_submit_args.wait (an
 *	in-fence of a job on an ordinary context) all take it;
 *	accel_job_status() reads the ticket's completion record as
 *	accel_uq_job_status() does. Destroy it before @uq.
 *
 * DRM_IOCTL_ARES_UQ_WAIT with DRM_ARES_UQ_WAIT_SYNCOBJ: the fence also
 * signals if the queue stops first.
 *
 * Return: 0 or a negative errno (-EINVAL: a ticket not yet handed out).
 */
ACCEL_API int accel_uq_fence(accel_uq *uq, uint64_t ticket, accel_job **out);

/**
 * accel_uq_state() - ask the driver whether @uq still runs
 * @uq: queue
 * @state: out: ACCEL_UQ_ACTIVE, ACCEL_UQ_ERROR or ACCEL_UQ_BANNED
 * @error: out (may be NULL): ACCEL_UQ_ERR_* (why it stopped), else 0
 *
 * One DRM_IOCTL_ARES_UQ_WAIT that does not wait. When the queue is not
 * active, accel_device_last_error() says why in words.
 *
 * Return: 0 or a negative errno.
 */
ACCEL_API int accel_uq_state(accel_uq *uq, uint32_t *state, uint32_t *error);

/** accel_uq_ctx_id() - kernel context id of @uq (accessor). Return: the id. */
ACCEL_API uint32_t accel_uq_ctx_id(const accel_uq *uq);
/** accel_uq_ring_entries() - jobs @uq's ring holds (accessor). Return: the size. */
ACCEL_API uint32_t accel_uq_ring_entries(const accel_uq *uq);

/* ------------------------------------------------------------------ */
/* Device state outside the ioctls (since ACCEL_1.6)                   */
/* ------------------------------------------------------------------ */

/*
 * These read what the driver publishes in sysfs, debugfs and
 * /proc/PID/fdinfo (docs/sysfs.md), so that tools need not know those
 * layouts. They need no open device handle: a device is named by its
 * enumeration entry (accel_enumerate()).
 */

/* Counters of struct accel_device_state, named as their sysfs files. */
#define ACCEL_COUNTER_BUSY_NS		  0
#define ACCEL_COUNTER_JOBS_COMPLETED	  1
#define ACCEL_COUNTER_RESET_COUNT	  2
#define ACCEL_COUNTER_HEARTBEAT_TIMEOUTS  3
#define ACCEL_COUNTER_PERF_JOBS		  4
#define ACCEL_COUNTER_PERF_MODELED_NS	  5
#define ACCEL_COUNTER_PERF_TENSOR_BUSY_NS 6
#define ACCEL_COUNTER_PERF_VECTOR_BUSY_NS 7
#define ACCEL_COUNTER_PERF_DMA_BUSY_NS	  8
#define ACCEL_COUNTER_PERF_MACS		  9
#define ACCEL_COUNTER_PERF_VECTOR_OPS	  10
#define ACCEL_COUNTER_PERF_DMA_BYTES	  11
#define ACCEL_COUNTER_PERF_CMDS		  12
#define ACCEL_NUM_COUNTERS		  13
/* Room in struct accel_device_state for counters of later versions. */
#define ACCEL_MAX_COUNTERS		  32

/**
 * struct accel_device_state - the driver's sysfs view of one device
 * @state: "running", or "dead" when the firmware failed to reboot after a
 *	reset; "" if the driver does not say
 * @fw_image_version: version in the loaded firmware image's header,
 *	ARES_VERSION form; 0 if not reported
 * @fw_compat_min: oldest firmware the driver accepts; 0 if not reported
 * @fw_compat_max: newest firmware the driver accepts; 0 if not reported
 * @link_speed: PCIe link speed as sysfs words it, "" if not on PCIe
 * @link_width: PCIe link width, -1 if unknown
 * @counter_valid: bit i set when @counter[i] was read
 * @counter: ACCEL_COUNTER_* values since the driver bound
 */
struct accel_device_state {
	char state[32];
	uint32_t fw_image_version;
	uint32_t fw_compat_min;
	uint32_t fw_compat_max;
	char link_speed[64];
	int link_width;
	uint32_t counter_valid;
	uint64_t counter[ACCEL_MAX_COUNTERS];
};

/**
 * accel_device_state() - read a device's state and counters from sysfs
 * @dev: the device, as accel_enumerate() listed it
 * @state: out; fields the driver does not publish are left at their
 *	"unknown" values (see struct accel_device_state)
 *
 * Return: 0, -EINVAL (NULL argument), or -ENOENT when the device has no
 * sysfs "ares" group (driver too old, or device gone).
 */
ACCEL_API int accel_device_state(const struct accel_device_entry *dev,
				 struct accel_device_state *state);

/**
 * accel_counter_name() - sysfs name of an ACCEL_COUNTER_* value
 * @counter: ACCEL_COUNTER_*
 *
 * Return: "busy_ns", "perf_macs", ...; NULL past ACCEL_NUM_COUNTERS.
 */
ACCEL_API const char *accel_counter_name(unsigned int counter);

/**
 * accel_device_reset() - reset a device and wait for its recovery
 * @dev: the device, as accel_enumerate() listed it
 *
 * Writes the driver's sysfs "ares/reset", which returns once the recovery
 * is over. Jobs on the device fail as after a hang; read
 * accel_device_state() afterwards to see whether the firmware runs again.
 *
 * Return: 0, -EACCES/-EPERM (needs root), -ENOENT (no such device), or the
 * error of the write.
 */
ACCEL_API int accel_device_reset(const struct accel_device_entry *dev);

/* Engine priorities of struct accel_client, as ACCEL_PRIORITY_*. */
#define ACCEL_NUM_PRIORITIES 4

/**
 * struct accel_client - one open file of a device, from its fdinfo
 * @pid: process holding the file
 * @client_id: DRM client id (drm-client-id), unique per open file
 * @comm: the process's name
 * @engine_ns: device time of the file's completed jobs, per priority
 * @memory_kib: memory of the file's buffers (drm-total-memory), KiB
 */
struct accel_client {
	int pid;
	uint64_t client_id;
	char comm[32];
	uint64_t engine_ns[ACCEL_NUM_PRIORITIES];
	uint64_t memory_kib;
};

/**
 * accel_device_clients() - the open files of a device, from /proc/PID/fdinfo
 * @dev: the device, as accel_enumerate() listed it
 * @clients: array receiving up to @max entries; may be NULL when @max is 0
 * @max: capacity of @clients
 * @count: out: files found (may exceed @max: call again with more room)
 *
 * A file open in several processes (or dup()ed) is listed once per
 * process. Only the caller's own processes are visible to a non-root
 * caller. Processes that exit during the scan are skipped.
 *
 * Return: 0 or a negative errno (-EINVAL: NULL @dev or @count, or NULL
 * @clients with nonzero @max; an error opening /proc).
 */
ACCEL_API int accel_device_clients(const struct accel_device_entry *dev,
				   struct accel_client *clients, size_t max, size_t *count);

/**
 * accel_device_debugfs() - read one of a device's debugfs files
 * @dev: the device, as accel_enumerate() listed it
 * @name: file in the device's debugfs folder: "regs", "queues", "rings",
 *	"status", "fw_log", ...
 * @text: out: the file's contents, NUL-terminated; free() it
 * @errbuf: optional buffer that receives a sentence on failure (which
 *	path, and what to do); may be NULL
 * @errlen: size of @errbuf
 *
 * Return: 0, -EACCES (debugfs is readable by root only), -ENOENT (debugfs
 * not mounted, the device's folder or the file missing), -EINVAL (NULL
 * argument, or @name not a plain file name), -ENOMEM, or a read error.
 */
ACCEL_API int accel_device_debugfs(const struct accel_device_entry *dev, const char *name,
				   char **text, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* ACCEL_H */
