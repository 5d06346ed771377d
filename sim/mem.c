/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM as seen by device DMA. There is no IOMMU, so a bus address is a
 * guest physical address; QEMU lays RAM out as [0, below4g) then the PCI hole
 * up to 4 GiB, then the rest from 4 GiB on.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

#define SIM_4G			(1ull << 32)
#define SIM_Q35_SPLIT_THRESHOLD 0xb0000000ull

int sim_mem_map(struct sim_mem *m, const char *path, uint64_t below4g)
{
	struct stat st;
	void *p;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	if (st.st_size <= 0) {
		ret = -EINVAL;
		goto out_close;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto out_close;
	}
	m->base = p;
	m->size = (uint64_t)st.st_size;
	/*
	 * QEMU q35 keeps all RAM below the hole unless there are at least
	 * 2.75 GiB, and then puts exactly 2 GiB there.
	 */
	if (!below4g)
		below4g = m->size >= SIM_Q35_SPLIT_THRESHOLD ? 2ull << 30 : m->size;
	m->below4g = below4g < m->size ? below4g : m->size;
	ret = 0;
out_close:
	close(fd);
	return ret;
}

void sim_mem_unmap(struct sim_mem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	m->base = NULL;
	m->size = 0;
}

uint8_t *sim_mem_ptr(const struct sim_mem *m, uint64_t bus, uint64_t len)
{
	uint64_t off;

	if (!m->base || len == 0)
		return NULL;
	if (bus < m->below4g) {
		if (len > m->below4g - bus)
			return NULL;
		off = bus;
	} else if (bus >= SIM_4G) {
		off = bus - SIM_4G;
		if (off >= m->size - m->below4g || len > m->size - m->below4g - off)
			return NULL;
		off += m->below4g;
	} else {
		return NULL;
	}
	return m->base + off;
}
