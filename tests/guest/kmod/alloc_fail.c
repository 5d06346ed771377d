// SPDX-License-Identifier: MIT
/*
 * alloc_fail: allocation-failure injection over every ioctl of ares.ko and
 * over its probe, for the debug guest kernel (CONFIG_FAILSLAB,
 * CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_STACKTRACE_FILTER).
 *
 * For each case, N = 1, 2, ... : the N-th slab or page allocation the
 * call makes fails (/proc/thread-self/fail-nth), until a run makes fewer
 * than N allocations and succeeds. Every injected run must either succeed
 * anyway (the failure was absorbed) or fail with an errno the case allows
 * (ENOMEM, and a few documented per case), and the state must stay usable:
 * the case's clean run at the end and a FENCE_WRITE job after all cases
 * must succeed. Leaks and kernel warnings are not judged here: the caller
 * runs a kmemleak scan afterwards and vm-run.sh reads the kernel log.
 *
 * Why fail-nth and not probability/interval: interval counts across all
 * tasks and runs and cannot be reset, so it cannot name "the N-th
 * allocation of this call"; fail-nth is the kernel's per-task counter for
 * exactly that. The debugfs attributes are still set: task-filter=Y with
 * make-it-fail only on this process and probability=0, so nothing else in
 * the guest fails; ignore-gfp-wait=N so GFP_KERNEL allocations count;
 * require-start/require-end = ares.ko's text, so only allocations with the
 * driver on the stack (its own, and DRM core's on its behalf) are counted:
 * a page fault of this program or the syscall's own bookkeeping is not.
 *
 * Usage: alloc_fail [--unfiltered] [--from N] [--max N] ioctls [/dev/accel/accelN]
 *        alloc_fail [--unfiltered] [--from N] [--max N] probe PCI-ADDRESS
 * (--from and --max bound N, to replay one failure.)
 * Prints one line per case: "PASS case: N allocations, F failed cleanly,
 * A absorbed" or "FAIL case: ...". Exit 0 if every case passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include <drm.h>

#include "ares/cmd.h"
#include "uapi/drm/ares_accel.h"

#define DBG "/sys/kernel/debug"

static int fd = -1;
static int nth_fd = -1;
static int failures;
static int max_n = 3000;
static int first_n = 1;
static int unfiltered;

static void failf(const char *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void failf(const char *c, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", c);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures++;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL setup: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static void write_str(const char *path, const char *val)
{
	int f = open(path, O_WRONLY | O_CLOEXEC);

	if (f < 0 || write(f, val, strlen(val)) != (ssize_t)strlen(val))
		die("write '%s' to %s: %s", val, path, strerror(errno));
	close(f);
}

static void attr_set(const char *attr, const char *name, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), DBG "/%s/%s", attr, name);
	write_str(path, val);
}

/*
 * [start, end) of ares.ko's text, from its symbols in /proc/kallsyms: the
 * module's text is one allocation, and nothing else is a module in the
 * debug kernel, so a page of slack past the last symbol covers the last
 * function without reaching anything that is not ares.
 */
static void ares_text(unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, name[256], mod[128];
	unsigned long a;

	*start = ULONG_MAX;
	*end = 0;
	if (!f)
		die("open /proc/kallsyms: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s [%127[^]]]", &a, &type, name, mod) != 4)
			continue;
		if (strcmp(mod, "ares") || (type != 't' && type != 'T') || !a)
			continue;
		if (a < *start)
			*start = a;
		if (a > *end)
			*end = a;
	}
	fclose(f);
	if (*start == ULONG_MAX)
		die("no text symbols of [ares] in /proc/kallsyms (module loaded? kptr_restrict?)");
	*end += 4096;
}

/*
 * [start, end) of the core function @fn, for reject-start/reject-end: no
 * failure is injected with it on the stack. Only for known core-kernel
 * bugs, each named in known_core_bugs[] with why.
 */
static void core_fn_range(const char *fn, unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, name[256];
	unsigned long a, s = 0, e = ULONG_MAX;

	if (!f)
		die("open /proc/kallsyms: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &a, &type, name) != 3 || !a)
			continue;
		if (!strcmp(name, fn) && (type == 't' || type == 'T'))
			s = a;
	}
	rewind(f);
	while (s && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &a, &type, name) == 3 && a > s && a < e)
			e = a;
	}
	fclose(f);
	if (!s || e == ULONG_MAX)
		die("no text symbol %s in /proc/kallsyms", fn);
	*start = s;
	*end = e;
}

/*
 * Core-kernel bugs an injected failure reaches through the driver, kept
 * out of the injection so that the rest of the path is still tested:
 *  - drm_sysfs_minor_alloc(): when it fails, drm_minor_alloc() leaves
 *    ERR_PTR(-ENOMEM) in minor->kdev and its managed release,
 *    drm_minor_alloc_release(), put_device()s it: a general protection
 *    fault in kobject_put() under devm_drm_dev_alloc() (Linux 6.12.118,
 *    drivers/gpu/drm/drm_drv.c).
 */
static const char *const known_core_bugs[] = {"drm_sysfs_minor_alloc"};

static void setup_injection(void)
{
	const char *attrs[] = {"failslab", "fail_page_alloc"};
	unsigned long s = 0, e = ULONG_MAX, rs, re;
	char buf[64];

	if (access(DBG "/failslab", F_OK))
		die(DBG "/failslab is missing: this needs the debug kernel "
			"(CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)");
	if (!unfiltered)
		ares_text(&s, &e);
	for (int i = 0; i < 2; i++) {
		attr_set(attrs[i], "probability", "0");
		attr_set(attrs[i], "interval", "1");
		attr_set(attrs[i], "times", "-1");
		attr_set(attrs[i], "space", "0");
		attr_set(attrs[i], "verbose", "1");
		attr_set(attrs[i], "task-filter", "Y");
		attr_set(attrs[i], "ignore-gfp-wait", "N");
		attr_set(attrs[i], "stacktrace-depth", "32");
		snprintf(buf, sizeof(buf), "%lu", s);
		attr_set(attrs[i], "require-start", buf);
		snprintf(buf, sizeof(buf), "%lu", e);
		attr_set(attrs[i], "require-end", buf);
		core_fn_range(known_core_bugs[0], &rs, &re);
		snprintf(buf, sizeof(buf), "%lu", rs);
		attr_set(attrs[i], "reject-start", buf);
		snprintf(buf, sizeof(buf), "%lu", re);
		attr_set(attrs[i], "reject-end", buf);
	}
	attr_set("fail_page_alloc", "ignore-gfp-highmem", "N");
	attr_set("fail_page_alloc", "min-order", "0");
	write_str("/proc/self/make-it-fail", "1");
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		die("open /proc/thread-self/fail-nth: %s", strerror(errno));
	if (!unfiltered)
		printf("alloc_fail: counting allocations with ares.ko text [0x%lx, 0x%lx) "
		       "on the stack\n",
		       s, e);
}

static void nth_arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nth_fd, buf, (size_t)len, 0) != len)
		die("write fail-nth: %s", strerror(errno));
}

/* Disarms fail-nth; returns true if the armed failure was injected. */
static int nth_disarm(void)
{
	char buf[16] = {0};
	int left;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		die("read fail-nth: %s", strerror(errno));
	left = atoi(buf);
	nth_arm(0);
	return left == 0;
}

static int xioctl(unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* Outside injection: any failure here is a broken setup or a broken state. */
static int must(int ret, const char *what)
{
	if (ret < 0)
		die("%s: %s", what, strerror(-ret));
	return ret;
}

struct bo {
	uint32_t handle;
	uint64_t va, size;
	void *map;
};

static void bo_new(struct bo *bo, uint64_t size)
{
	struct drm_ares_bo_create c = {.size = size};
	struct drm_ares_bo_info i = {0};

	must(xioctl(DRM_IOCTL_ARES_BO_CREATE, &c), "BO_CREATE");
	i.handle = c.handle;
	must(xioctl(DRM_IOCTL_ARES_BO_INFO, &i), "BO_INFO");
	bo->handle = c.handle;
	bo->va = c.va;
	bo->size = i.size;
	bo->map = mmap(NULL, i.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)i.mmap_offset);
	if (bo->map == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(bo->map, 0, i.size);
}

static void gem_close(uint32_t handle)
{
	struct drm_gem_close c = {.handle = handle};

	must(xioctl(DRM_IOCTL_GEM_CLOSE, &c), "GEM_CLOSE");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Objects the cases share, made once without injection. */
static struct bo cmd, data;
static uint32_t ctx, syncobj, job_value;
static void *user_mem;
static int dmabuf_fd = -1;

/* Per-case scratch: what act() made, for undo(). */
static uint32_t made_handle, made_ctx;
static int made_fd = -1;

static int wait_data(uint32_t *status)
{
	struct drm_ares_bo_wait w = {
		.handle = data.handle,
		.timeout_ns = (int64_t)(now_ns() + 20000000000ull),
	};
	int ret = xioctl(DRM_IOCTL_ARES_BO_WAIT, &w);

	*status = w.status;
	return ret;
}

static uint32_t emit_fence_write(uint64_t value)
{
	struct ares_cmd_fence_write fw = {
		.hdr = {.opcode = ARES_OP_FENCE_WRITE, .size = sizeof(fw)},
		.va = data.va,
		.value = value,
	};

	memcpy(cmd.map, &fw, sizeof(fw));
	return sizeof(fw);
}

static int act_query_info(void)
{
	struct drm_ares_device_info info;
	struct drm_ares_query q = {
		.type = DRM_ARES_QUERY_DEVICE_INFO, .size = sizeof(info), .data = (uintptr_t)&info};

	return xioctl(DRM_IOCTL_ARES_QUERY, &q);
}

static int act_query_queues(void)
{
	struct drm_ares_queue_info qi[16];
	struct drm_ares_query q = {
		.type = DRM_ARES_QUERY_QUEUE_INFO, .size = sizeof(qi), .data = (uintptr_t)qi};

	return xioctl(DRM_IOCTL_ARES_QUERY, &q);
}

static int act_bo_create(void)
{
	struct drm_ares_bo_create c = {.size = 64 * 1024};
	int ret = xioctl(DRM_IOCTL_ARES_BO_CREATE, &c);

	made_handle = ret ? 0 : c.handle;
	return ret;
}

static void undo_handle(void)
{
	gem_close(made_handle);
	made_handle = 0;
}

static int act_bo_info(void)
{
	struct drm_ares_bo_info i = {.handle = data.handle};

	return xioctl(DRM_IOCTL_ARES_BO_INFO, &i);
}

static int act_bo_userptr(void)
{
	struct drm_ares_bo_userptr u = {.addr = (uintptr_t)user_mem, .size = 16 * 4096};
	int ret = xioctl(DRM_IOCTL_ARES_BO_USERPTR, &u);

	made_handle = ret ? 0 : u.handle;
	return ret;
}

static int act_ctx_create(void)
{
	struct drm_ares_ctx_create c = {.priority = DRM_ARES_PRIORITY_NORMAL};
	int ret = xioctl(DRM_IOCTL_ARES_CTX_CREATE, &c);

	made_ctx = ret ? 0 : c.ctx_id;
	return ret;
}

static void undo_ctx(void)
{
	struct drm_ares_ctx_destroy d = {.ctx_id = made_ctx};

	must(xioctl(DRM_IOCTL_ARES_CTX_DESTROY, &d), "CTX_DESTROY");
	made_ctx = 0;
}

static void prep_ctx(void)
{
	must(act_ctx_create(), "CTX_CREATE");
}

static int act_ctx_destroy(void)
{
	struct drm_ares_ctx_destroy d = {.ctx_id = made_ctx};
	int ret = xioctl(DRM_IOCTL_ARES_CTX_DESTROY, &d);

	if (!ret)
		made_ctx = 0;
	return ret;
}

/* A failed destroy must leave the context destroyable. */
static void fixup_ctx_destroy(void)
{
	if (made_ctx)
		undo_ctx();
}

static uint32_t submit_size;

static void prep_submit(void)
{
	job_value++;
	submit_size = emit_fence_write(0xa110c000ull + job_value);
}

static int act_submit(void)
{
	uint32_t handles[2] = {cmd.handle, data.handle};
	struct drm_ares_submit s = {
		.ctx_id = ctx,
		.cmd_va = cmd.va,
		.cmd_size = submit_size,
		.bo_count = 2,
		.bo_handles = (uintptr_t)handles,
		.in_syncobjs = (uintptr_t)&syncobj,
		.in_syncobj_count = 1,
		.out_syncobj = syncobj,
	};

	return xioctl(DRM_IOCTL_ARES_SUBMIT, &s);
}

/* A submitted job ran and wrote its value; a refused one wrote nothing. */
static int check_submit(int ret)
{
	uint64_t want = 0xa110c000ull + job_value, got;
	uint32_t status;

	if (wait_data(&status))
		return -1;
	got = ((volatile uint64_t *)data.map)[0];
	if (!ret && (status != DRM_ARES_JOB_OK || got != want)) {
		printf("    job after a successful SUBMIT: status %u value 0x%" PRIx64
		       ", expected OK 0x%" PRIx64 "\n",
		       status, got, want);
		return -1;
	}
	if (ret && got == want) {
		printf("    SUBMIT failed with %d but its job ran\n", ret);
		return -1;
	}
	return 0;
}

static int act_bo_wait(void)
{
	struct drm_ares_bo_wait w = {.handle = data.handle, .timeout_ns = 0};

	return xioctl(DRM_IOCTL_ARES_BO_WAIT, &w);
}

static int act_debug_reset(void)
{
	struct drm_ares_debug d = {.op = DRM_ARES_DEBUG_RESET};

	return xioctl(DRM_IOCTL_ARES_DEBUG, &d);
}

static int act_debug_hang(void)
{
	struct drm_ares_debug d = {.op = DRM_ARES_DEBUG_HANG_QUEUE, .arg = 7};

	return xioctl(DRM_IOCTL_ARES_DEBUG, &d);
}

/* The hang stays armed on the queue until a reset clears it. */
static void undo_hang(void)
{
	must(act_debug_reset(), "DEBUG RESET after HANG_QUEUE");
}

static void prep_bo(void)
{
	must(act_bo_create(), "BO_CREATE");
}

static int act_gem_close(void)
{
	struct drm_gem_close c = {.handle = made_handle};
	int ret = xioctl(DRM_IOCTL_GEM_CLOSE, &c);

	if (!ret)
		made_handle = 0;
	return ret;
}

static void fixup_gem_close(void)
{
	if (made_handle)
		undo_handle();
}

static int act_prime_export(void)
{
	struct drm_prime_handle p = {.handle = data.handle, .flags = DRM_CLOEXEC | DRM_RDWR};
	int ret = xioctl(DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	made_fd = ret ? -1 : p.fd;
	return ret;
}

static void undo_fd(void)
{
	close(made_fd);
	made_fd = -1;
}

static int act_prime_import(void)
{
	struct drm_prime_handle p = {.fd = dmabuf_fd};
	int ret = xioctl(DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	made_handle = ret ? 0 : p.handle;
	return ret;
}

struct ioctl_case {
	const char *name;
	void (*prep)(void);	  /* before each run, no injection */
	int (*act)(void);	  /* the call under injection: 0 or -errno */
	void (*undo)(void);	  /* after a successful run */
	void (*fixup)(void);	  /* after a failed run */
	int (*check)(int ret);	  /* state after the run; nonzero fails the case */
	const char *also_allowed; /* errnos besides ENOMEM, with why in the table */
};

/*
 * Errnos besides ENOMEM each case may return when an allocation fails,
 * and why:
 *  - DEBUG RESET returns -EIO for any reset that did not complete (the
 *    uAPI's "reset failed"); an allocation failing inside it is one.
 *  - BO_CREATE passes on -ENOSPC from shmem, which reports a failed inode
 *    allocation so (mm/shmem.c, __shmem_get_inode()), as for every
 *    shmem-backed GEM driver.
 */
static const struct ioctl_case ioctl_cases[] = {
	{"QUERY_DEVICE_INFO", NULL, act_query_info, NULL, NULL, NULL, ""},
	{"QUERY_QUEUE_INFO", NULL, act_query_queues, NULL, NULL, NULL, ""},
	{"BO_CREATE", NULL, act_bo_create, undo_handle, NULL, NULL, "ENOSPC"},
	{"BO_INFO", NULL, act_bo_info, NULL, NULL, NULL, ""},
	{"BO_USERPTR", NULL, act_bo_userptr, undo_handle, NULL, NULL, ""},
	{"CTX_CREATE", NULL, act_ctx_create, undo_ctx, NULL, NULL, ""},
	{"CTX_DESTROY", prep_ctx, act_ctx_destroy, NULL, fixup_ctx_destroy, NULL, ""},
	{"SUBMIT", prep_submit, act_submit, NULL, NULL, check_submit, ""},
	{"BO_WAIT", NULL, act_bo_wait, NULL, NULL, NULL, ""},
	{"DEBUG_HANG_QUEUE", NULL, act_debug_hang, undo_hang, NULL, NULL, ""},
	{"DEBUG_RESET", NULL, act_debug_reset, NULL, NULL, NULL, "EIO"},
	{"GEM_CLOSE", prep_bo, act_gem_close, NULL, fixup_gem_close, NULL, ""},
	{"PRIME_HANDLE_TO_FD", NULL, act_prime_export, undo_fd, NULL, NULL, ""},
	{"PRIME_FD_TO_HANDLE(udmabuf)", NULL, act_prime_import, undo_handle, NULL, NULL, ""},
};

static int errno_allowed(int err, const char *also)
{
	char list[64], *tok, *save = NULL;

	if (err == ENOMEM)
		return 1;
	snprintf(list, sizeof(list), "%s", also);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "EIO") && err == EIO)
			return 1;
		if (!strcmp(tok, "ENODEV") && err == ENODEV)
			return 1;
		if (!strcmp(tok, "ENOSPC") && err == ENOSPC)
			return 1;
	}
	return 0;
}

static void run_case(const struct ioctl_case *c)
{
	int n, ret, injected, failed_clean = 0, absorbed = 0;

	for (n = first_n; n <= max_n; n++) {
		if (c->prep)
			c->prep();
		nth_arm(n);
		ret = c->act();
		injected = nth_disarm();
		if (c->check && c->check(ret)) {
			failf(c->name,
			      "state check failed after the run with allocation %d failing "
			      "(ioctl returned %d)",
			      n, ret);
			return;
		}
		if (!ret && c->undo)
			c->undo();
		if (ret && c->fixup)
			c->fixup();
		if (!injected) {
			if (ret) {
				failf(c->name, "failed with %s with no allocation failing (run %d)",
				      strerror(-ret), n);
				return;
			}
			printf("PASS %s: %d allocations, %d failed cleanly, %d absorbed\n", c->name,
			       n - 1, failed_clean, absorbed);
			fflush(stdout);
			return;
		}
		if (!ret) {
			absorbed++;
		} else if (errno_allowed(-ret, c->also_allowed)) {
			failed_clean++;
		} else {
			failf(c->name, "allocation %d failing gave %s (%d), expected ENOMEM%s%s", n,
			      strerror(-ret), ret, *c->also_allowed ? " or " : "", c->also_allowed);
			return;
		}
	}
	failf(c->name, "still failing after %d injected allocations (raise --max?)", max_n);
}

static int make_udmabuf(void)
{
	struct udmabuf_create c = {.offset = 0, .size = 16 * 4096};
	int dev, memfd, ret;

	memfd = memfd_create("alloc_fail", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, (off_t)c.size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		die("memfd for udmabuf: %s", strerror(errno));
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -1;
	c.memfd = (uint32_t)memfd;
	ret = ioctl(dev, UDMABUF_CREATE, &c);
	close(dev);
	close(memfd);
	return ret;
}

static void run_ioctls(const char *path)
{
	/* Signalled: a SUBMIT waiting on a syncobj with no fence is -EINVAL. */
	struct drm_syncobj_create sc = {.flags = DRM_SYNCOBJ_CREATE_SIGNALED};
	uint32_t status;
	size_t i;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	bo_new(&cmd, 4096);
	bo_new(&data, 4096);
	{
		struct drm_ares_ctx_create c = {.priority = DRM_ARES_PRIORITY_NORMAL};

		must(xioctl(DRM_IOCTL_ARES_CTX_CREATE, &c), "CTX_CREATE");
		ctx = c.ctx_id;
	}
	must(xioctl(DRM_IOCTL_SYNCOBJ_CREATE, &sc), "SYNCOBJ_CREATE");
	syncobj = sc.handle;
	/* Every SUBMIT waits on the previous job's fence. */
	prep_submit();
	must(act_submit(), "first SUBMIT");
	if (check_submit(0))
		die("the first job did not run");
	user_mem =
		mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (user_mem == MAP_FAILED)
		die("mmap for userptr: %s", strerror(errno));
	memset(user_mem, 0x5a, 16 * 4096);
	dmabuf_fd = make_udmabuf();
	/*
	 * Every page this program touches is resident from here on, so a
	 * copy_from_user under injection does not fault one in.
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		die("mlockall: %s", strerror(errno));

	setup_injection();
	for (i = 0; i < sizeof(ioctl_cases) / sizeof(ioctl_cases[0]); i++) {
		if (ioctl_cases[i].act == act_prime_import && dmabuf_fd < 0) {
			printf("SKIP %s: no /dev/udmabuf\n", ioctl_cases[i].name);
			continue;
		}
		run_case(&ioctl_cases[i]);
	}

	/* After it all, the device and this file still run a job. */
	prep_submit();
	if (act_submit() || check_submit(0) || wait_data(&status))
		failf("still_works", "a FENCE_WRITE job after the injection runs failed");
	else
		printf("PASS still_works\n");
	close(fd);
}

static int bound(const char *bdf)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/ares/%s", bdf);
	return access(path, F_OK) == 0;
}

/*
 * Probe under injection: unbind, then bind with the N-th allocation of the
 * probe failing, until a bind succeeds with every allocation granted. A
 * failed bind must leave the function unbound and no accel node behind.
 */
static void run_probe(const char *bdf)
{
	int n, injected, failed_clean = 0, absorbed = 0, bind_fd, errnos[256] = {0};
	char path[256];
	ssize_t w;

	if (!bound(bdf))
		die("%s is not bound to ares", bdf);
	write_str("/sys/bus/pci/drivers/ares/unbind", bdf);
	setup_injection();
	bind_fd = open("/sys/bus/pci/drivers/ares/bind", O_WRONLY | O_CLOEXEC);
	if (bind_fd < 0)
		die("open bind: %s", strerror(errno));
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		die("mlockall: %s", strerror(errno));
	for (n = first_n; n <= max_n; n++) {
		nth_arm(n);
		w = pwrite(bind_fd, bdf, strlen(bdf), 0);
		int err = w < 0 ? errno : 0;
		injected = nth_disarm();
		if (!injected) {
			if (err) {
				failf("probe", "bind failed with %s with no allocation failing",
				      strerror(err));
				return;
			}
			printf("PASS probe: %d allocations, %d failed cleanly, %d absorbed; "
			       "errnos:",
			       n - 1, failed_clean, absorbed);
			for (int e = 1; e < 256; e++)
				if (errnos[e])
					printf(" %s %d", strerrorname_np(e), errnos[e]);
			printf("\n");
			return;
		}
		if (!err) {
			absorbed++;
		} else {
			/*
			 * Any errno: below the driver, the PCI and IRQ cores
			 * answer a failed allocation with what they answer
			 * anything with: __request_region() failing is -EBUSY
			 * (__pcim_request_region_range()), ioremap() failing
			 * -EINVAL (pcim_iomap_region()), MSI-X vector setup
			 * -ENODEV or -ENOSPC. A failed probe is judged by
			 * what it leaves: nothing bound, no node, no report
			 * in the kernel log, no leak, and a next bind that
			 * gets every resource again.
			 */
			failed_clean++;
			if (err < 256)
				errnos[err]++;
			if (bound(bdf)) {
				failf("probe", "allocation %d failing: bind failed but %s is bound",
				      n, bdf);
				return;
			}
			if (!access("/dev/accel/accel0", F_OK)) {
				failf("probe",
				      "allocation %d failing: bind failed but "
				      "/dev/accel/accel0 exists",
				      n);
				return;
			}
		}
		if (bound(bdf))
			write_str("/sys/bus/pci/drivers/ares/unbind", bdf);
	}
	snprintf(path, sizeof(path), "%d", max_n);
	failf("probe", "still failing after %s injected allocations", path);
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--unfiltered"))
			unfiltered = 1;
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			max_n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			first_n = atoi(argv[++i]);
		else
			die("unknown option %s", argv[i]);
	}
	if (i < argc && !strcmp(argv[i], "ioctls"))
		run_ioctls(i + 1 < argc ? argv[i + 1] : "/dev/accel/accel0");
	else if (i + 1 < argc && !strcmp(argv[i], "probe"))
		run_probe(argv[i + 1]);
	else
		die("usage: alloc_fail [--unfiltered] [--from N] [--max N] ioctls [DEV] | probe "
		    "PCI-ADDRESS");
	if (nth_fd >= 0)
		write_str("/proc/self/make-it-fail", "0");
	printf("%s: alloc_fail, %d failures\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
