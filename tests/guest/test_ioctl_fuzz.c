/* SPDX-License-Identifier: MIT */
/*
 * Hostile ioctl input, as uid 65534 (so DEBUG is -EPERM and nothing
 * resets the device), must only ever fail cleanly:
 *  - every driver ioctl nr 0x40..0x9f, four directions, sizes 0..4096,
 *    with zeroed, all-ones and random arguments and with a NULL and an
 *    unmapped argument pointer: each call returns 0 or an errno, the nrs
 *    past the driver's table -EINVAL;
 *  - a seeded random sequence of 20000 driver ioctls (plus GEM_CLOSE,
 *    mmap of user-queue offsets with garbage written through them,
 *    PRIME export and syncobj create/destroy; SUBMIT_BATCH arrays of 0 to
 *    65 entries) whose fields mix plausible
 *    values (live handles, context ids, VAs) with garbage.
 * Afterwards a fresh file runs a job and, once the fuzzed file is closed,
 * no buffer memory stays charged (ares/bo_mem_used back to its start).
 * The kernel log must stay clean (vm-run.sh checks it). ARES_FUZZ_SEED
 * replays a sequence; the seed used is printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

#define CALLS	20000
#define NDRV	13 /* driver ioctls 0x40..0x4c */
#define BO_USED "/sys/class/accel/accel0/device/ares/bo_mem_used"
#define POOL	64

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(const uint64_t *vals, size_t n)
{
	return vals[rnd() % n];
}

static int bad;

/* Every return must be 0 or -1 with a plausible errno. */
static int call(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	if (ret == 0)
		return 0;
	if (ret != -1 || errno <= 0 || errno > 4095) {
		printf("  ioctl 0x%lx: expected 0 or -1 with an errno, got %d errno %d\n", req, ret,
		       errno);
		bad++;
	}
	return -errno;
}

static void sweep(int fd)
{
	static const unsigned int sizes[] = {0, 1, 4, 8, 12, 16, 24, 32, 40, 64, 128, 256, 4096};
	static const unsigned int dirs[] = {_IOC_NONE, _IOC_READ, _IOC_WRITE,
					    _IOC_READ | _IOC_WRITE};
	unsigned char *arg = malloc(8192);
	void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	for (unsigned int nr = DRM_COMMAND_BASE; nr < DRM_COMMAND_END; nr++)
		for (size_t d = 0; d < 4; d++)
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				for (int fill = 0; fill < 5; fill++) {
					unsigned long req =
						_IOC(dirs[d], DRM_IOCTL_BASE, nr, sizes[s]);
					void *p = arg;
					int ret;

					if (fill == 0)
						memset(arg, 0, 8192);
					else if (fill == 1)
						memset(arg, 0xff, 8192);
					else if (fill == 2)
						for (int i = 0; i < 8192; i++)
							arg[i] = (unsigned char)rnd();
					else
						p = fill == 3 ? NULL : hole;
					ret = call(fd, req, p);
					if (nr >= DRM_COMMAND_BASE + NDRV && ret != -EINVAL) {
						printf("  driver nr 0x%02x past the table: "
						       "expected %d, "
						       "got %d\n",
						       nr, -EINVAL, ret);
						bad++;
					}
				}
	munmap(hole, 4096);
	free(arg);
}

static void fuzz(int fd)
{
	uint32_t bos[POOL] = {0}, ctxs[POOL] = {0}, syncs[POOL] = {0};
	uint64_t vas[POOL] = {0};
	unsigned char junk[256];
	int nbo = 0, nctx = 0, nsync = 0;

	for (int i = 0; i < CALLS; i++) {
		const uint64_t sizes[] = {0,	    1,	      8,     4096,	 4097, 65536,
					  1u << 20, 4u << 20, ~0ull, 1ull << 32, rnd()};
		uint32_t h = nbo ? bos[rnd() % nbo] : (uint32_t)rnd();
		uint32_t c = nctx ? ctxs[rnd() % nctx] : (uint32_t)rnd();
		uint64_t va = nbo ? vas[rnd() % nbo] + (rnd() % 3) * 8 : rnd();
		int garbage = rnd() % 8 == 0;
		uint32_t handles[4];

		for (size_t k = 0; k < sizeof(junk); k++)
			junk[k] = (unsigned char)rnd();
		for (int k = 0; k < 4; k++)
			handles[k] = nbo ? bos[rnd() % nbo] : (uint32_t)rnd();

		switch (rnd() % 15) {
		case 0: {
			struct drm_ares_query q = {.type = rnd() % 3,
						   .size = (uint32_t)pick(sizes, 11),
						   .data = (uintptr_t)junk};

			if (q.size > sizeof(junk))
				q.size = rnd() % 2 ? 0 : sizeof(junk);
			if (garbage)
				q.data = rnd();
			call(fd, DRM_IOCTL_ARES_QUERY, &q);
			break;
		}
		case 1: {
			struct drm_ares_bo_create b = {.size = pick(sizes, 10) % (8u << 20),
						       .flags = rnd() % 4 == 0};

			if (garbage)
				memcpy(&b, junk, sizeof(b));
			if (!call(fd, DRM_IOCTL_ARES_BO_CREATE, &b) && nbo < POOL) {
				bos[nbo] = b.handle;
				vas[nbo++] = b.va;
			}
			break;
		}
		case 2: {
			struct drm_ares_bo_info b = {.handle = h};

			if (garbage)
				memcpy(&b, junk, sizeof(b));
			call(fd, DRM_IOCTL_ARES_BO_INFO, &b);
			break;
		}
		case 3: {
			struct drm_ares_ctx_create cc = {.priority = rnd() % 5};

			if (garbage)
				memcpy(&cc, junk, sizeof(cc));
			if (!call(fd, DRM_IOCTL_ARES_CTX_CREATE, &cc) && nctx < POOL)
				ctxs[nctx++] = cc.ctx_id;
			break;
		}
		case 4: {
			struct drm_ares_ctx_destroy cd = {.ctx_id = c};

			if (garbage)
				memcpy(&cd, junk, sizeof(cd));
			if (!call(fd, DRM_IOCTL_ARES_CTX_DESTROY, &cd))
				for (int k = 0; k < nctx; k++)
					if (ctxs[k] == cd.ctx_id)
						ctxs[k] = ctxs[--nctx];
			break;
		}
		case 6: {
			/* Up to one past the limit; entries plausible, or garbage. */
			struct drm_ares_submit s[DRM_ARES_MAX_BATCH_JOBS + 1];
			struct drm_ares_submit_batch b = {
				.jobs = (uintptr_t)s,
				.count = rnd() % (DRM_ARES_MAX_BATCH_JOBS + 2),
				.flags = rnd() % 2 ? DRM_ARES_SUBMIT_BATCH_FUSED : 0};

			for (uint32_t k = 0; k < b.count; k++) {
				s[k] = (struct drm_ares_submit){
					.ctx_id = rnd() % 8 ? c : rnd(),
					.cmd_va = va,
					.cmd_size = 8 * (1 + rnd() % 4),
					.bo_count = 1 + rnd() % 4,
					.bo_handles = (uintptr_t)handles,
					.out_syncobj =
						nsync && rnd() % 2 ? syncs[rnd() % nsync] : 0};
				if (garbage && rnd() % 4 == 0)
					memcpy(&s[k], junk, sizeof(s[k]));
			}
			if (garbage && rnd() % 2)
				memcpy(&b, junk, sizeof(b));
			if (!call(fd, DRM_IOCTL_ARES_SUBMIT_BATCH, &b) &&
			    (b.submitted > b.count || (b.submitted < b.count) != (b.error != 0))) {
				printf("  SUBMIT_BATCH of %u: submitted %u, error %d\n", b.count,
				       b.submitted, b.error);
				bad++;
			}
			break;
		}
		case 5: {
			struct drm_ares_submit s = {
				.ctx_id = c,
				.cmd_va = va,
				.cmd_size = 8 * (1 + rnd() % 4),
				.bo_count = 1 + rnd() % 4,
				.bo_handles = (uintptr_t)handles,
				.out_syncobj = nsync && rnd() % 2 ? syncs[rnd() % nsync] : 0};

			if (garbage)
				memcpy(&s, junk, sizeof(s));
			call(fd, DRM_IOCTL_ARES_SUBMIT, &s);
			break;
		}
		case 7: {
			struct drm_ares_bo_wait w = {.handle = h,
						     .timeout_ns = (int64_t)now_ns() +
								   (int64_t)(rnd() % 50000000)};

			if (garbage) {
				memcpy(&w, junk, sizeof(w));
				w.timeout_ns = 0;
			}
			call(fd, DRM_IOCTL_ARES_BO_WAIT, &w);
			break;
		}
		case 8: {
			struct drm_ares_debug d = {.op = rnd() % 5, .arg = rnd() % 9};

			/* uid 65534: always -EPERM, checked before anything. */
			if (call(fd, DRM_IOCTL_ARES_DEBUG, &d) != -EPERM) {
				printf("  DEBUG as uid 65534: expected -EPERM\n");
				bad++;
			}
			break;
		}
		case 9: {
			static char *mem;
			struct drm_ares_bo_userptr u = {.size = 4096 * (1 + rnd() % 4),
							.flags = rnd() % 2};

			if (!mem)
				mem = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			u.addr = (uintptr_t)mem + 4096 * (rnd() % 16);
			if (garbage)
				memcpy(&u, junk, sizeof(u));
			if (!call(fd, DRM_IOCTL_ARES_BO_USERPTR, &u) && nbo < POOL) {
				bos[nbo] = u.handle;
				vas[nbo++] = u.va;
			}
			break;
		}
		case 10: {
			struct drm_gem_close gc = {.handle = h};

			if (rnd() % 4)
				break; /* closing less often than creating */
			if (!call(fd, DRM_IOCTL_GEM_CLOSE, &gc))
				for (int k = 0; k < nbo; k++)
					if (bos[k] == gc.handle) {
						bos[k] = bos[--nbo];
						vas[k] = vas[nbo];
					}
			break;
		}
		case 11: {
			struct drm_ares_uq_create u = {.priority = rnd() % 5,
						       .ring_entries = 8u << (rnd() % 11)};
			const uint64_t sz[] = {4096, 8192, 65536, rnd() % (1u << 20)};
			size_t msz = pick(sz, 4);
			void *m;

			if (garbage)
				memcpy(&u, junk, sizeof(u));
			if (call(fd, DRM_IOCTL_ARES_UQ_CREATE, &u))
				break;
			if (nctx < POOL)
				ctxs[nctx++] = u.ctx_id;
			/* Map one part at a random size and write garbage through it. */
			m = mmap(NULL, msz, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				 (off_t)(rnd() % 2 ? u.ring_offset : u.doorbell_offset));
			if (m != MAP_FAILED) {
				memcpy(m, junk, 64);
				munmap(m, msz);
			}
			break;
		}
		case 12: {
			struct drm_ares_uq_wake k = {.ctx_id = c, .flags = rnd() % 4 ? 0 : rnd()};

			if (garbage)
				memcpy(&k, junk, sizeof(k));
			call(fd, DRM_IOCTL_ARES_UQ_WAKE, &k);
			break;
		}
		case 13: {
			struct drm_ares_uq_wait w = {.ctx_id = c,
						     .head = rnd() % 4,
						     .flags = rnd() % 3 ? 0 : rnd() % 3,
						     .syncobj = nsync ? syncs[rnd() % nsync] : 0};

			if (garbage)
				memcpy(&w, junk, sizeof(w));
			/* Never a long sleep: poll, or a deadline 1 ms away. */
			w.timeout_ns = rnd() % 2 ? 0 : (int64_t)now_ns() + 1000000;
			if (w.flags & DRM_ARES_UQ_WAIT_SYNCOBJ && rnd() % 2)
				w.timeout_ns = 0;
			call(fd, DRM_IOCTL_ARES_UQ_WAIT, &w);
			break;
		}
		default: {
			struct drm_prime_handle ph = {.handle = h, .flags = DRM_CLOEXEC};
			struct drm_syncobj_create sc = {0};

			if (rnd() % 2 && !call(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph))
				close(ph.fd);
			if (nsync < POOL && !call(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc))
				syncs[nsync++] = sc.handle;
			break;
		}
		}
	}
}

static uint64_t bo_used(void)
{
	unsigned long long v = 0;
	FILE *f = fopen(BO_USED, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

int main(void)
{
	accel_device *dev, *fresh;
	accel_cmdbuf *cb;
	uint64_t used0;
	accel_ctx *ctx;
	accel_bo *bo;
	void *map;
	int status;
	pid_t pid;
	const char *seed_env = getenv("ARES_FUZZ_SEED");

	test_init("ioctl_fuzz");
	rng_state = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)now_ns();
	if (!rng_state)
		rng_state = 1;
	printf("seed %llu (ARES_FUZZ_SEED replays it)\n", (unsigned long long)rng_state);
	used0 = bo_used();
	dev = open_first_device();

	pid = fork();
	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			test_fail("setuid(65534): %m");
		sweep(accel_device_fd(dev));
		fuzz(accel_device_fd(dev));
		_exit(bad ? 1 : 0);
	}
	accel_device_close(dev);
	if (waitpid(pid, &status, 0) != pid)
		test_fail("waitpid: %m");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		test_fail("fuzzing child: expected exit 0, got status 0x%x (mismatches above)",
			  status);

	/* The device still works, and nothing stays charged. */
	fresh = open_first_device();
	bo = alloc_mapped(fresh, 4096, &map);
	check_ok(fresh, accel_ctx_create(fresh, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	cb = new_cmdbuf();
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 64, 0xf022);
	expect_u64("job after the fuzzing", ACCEL_JOB_OK, run_job(ctx, fresh, cb, &bo, 1, 10000));
	accel_cmdbuf_destroy(cb);
	accel_ctx_destroy(ctx);
	accel_bo_free(bo);
	accel_device_close(fresh);
	for (int i = 0; i < 100 && bo_used() != used0; i++)
		usleep(20000); /* jobs that still held buffers finish */
	expect_u64("ares/bo_mem_used after the fuzzed file closed", used0, bo_used());
	test_pass();
}
