// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: the bare-transport probe, the floor under a job's round trip
 * (issue 12): doorbell -> firmware -> completion record -> MSI-X -> the
 * queue's interrupt handler, with no drm_sched, no syncobj and no ioctl.
 *
 * Test only: the debugfs file "transport" exists only when transport_probe
 * was 1 as the device bound (a module parameter, off by default). Writing
 * N puts N null descriptors (one NOP command each) one at a time on the
 * ring of the highest-priority hardware queue, taken from its scheduler
 * while it has no job, in a kernel address space of the probe's own; each
 * round trip is timed from just before TAIL moves to the interrupt that
 * sees it done. Reading gives
 * the median, p90 and p99 of the last run in ns.
 *
 * The run is a work item on adev->reset_wq, so that no recovery, timeout
 * handler or heartbeat check (all on that ordered workqueue) runs during
 * it: none can restart the claimed scheduler or reset the ring under it.
 * It refuses with -EBUSY while any hardware queue has a job on its ring or
 * every address-space slot is busy.
 */

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/kstrtox.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include "ares_drv.h"
#include "ares_mmu.h"
#include "ares_queue.h"
#include "ares_xport.h"

#include "ares/cmd.h"
#include "ares/mmu.h"

static bool ares_transport_probe;
module_param_named(transport_probe, ares_transport_probe, bool, 0644);
MODULE_PARM_DESC(transport_probe,
		 "Create the debugfs transport file that times bare ring round trips, read when a device binds (test only; default 0)");

/* Round trips per write: enough for a p99, bounded for hot-unplug. */
#define ARES_XPORT_MAX_ROUNDS	10000
/* A NOP takes microseconds; this only bounds a hung device. */
#define ARES_XPORT_ROUND_TIMEOUT_MS	1000

/**
 * struct ares_xport - the transport probe of one device
 */
struct ares_xport {
	/** @adev: the device */
	struct ares_device *adev;
	/** @work: one run, on adev->reset_wq */
	struct work_struct work;
	/** @done: completed by the queue interrupt after each round trip */
	struct completion done;

	/* The run's request and result; adev->xport_lock. */
	/** @as: kernel address space the NOP is mapped in */
	struct ares_as *as;
	/** @cmd_va: device VA of the NOP */
	u64 cmd_va;
	/** @rounds: round trips asked for */
	u32 rounds;
	/** @lat: @rounds round trips in ns, sorted after the run */
	u64 *lat;
	/** @result: 0 or the run's errno */
	int result;

	/* Figures of the last successful run; adev->xport_lock. */
	/** @last_rounds: round trips measured, 0 before the first run */
	u32 last_rounds;
	/** @median_ns: median round trip */
	u64 median_ns;
	/** @p90_ns: 90th percentile */
	u64 p90_ns;
	/** @p99_ns: 99th percentile */
	u64 p99_ns;
};

static int ares_xport_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return (x > y) - (x < y);
}

/* The round trips, with the claimed queue and the pinned slot. */
static int ares_xport_rounds(struct ares_xport *x, struct ares_queue *q,
			     int asid)
{
	struct ares_device *adev = x->adev;
	u64 start, irq_ns;
	long left;
	u32 i;
	int ret;

	for (i = 0; i < x->rounds; i++) {
		/* drm_dev_unplug() waits for us: stop at once. */
		if (drm_dev_is_unplugged(&adev->drm))
			return -ENODEV;
		start = ares_queue_probe_push(q, x->cmd_va, sizeof(struct ares_cmd_hdr),
					      asid, &x->done);
		left = wait_for_completion_timeout(&x->done,
						   msecs_to_jiffies(ARES_XPORT_ROUND_TIMEOUT_MS));
		ret = ares_queue_probe_result(q, &irq_ns);
		if (!left && !ret)
			ret = -ETIMEDOUT;
		if (ret)
			return ret;
		x->lat[i] = irq_ns > start ? irq_ns - start : 1;
	}
	return 0;
}

static bool ares_xport_device_idle(struct ares_device *adev)
{
	unsigned long flags;
	bool idle = true;
	int i;

	for (i = 0; i < ARES_NUM_QUEUES; i++) {
		struct ares_queue *q = &adev->queues[i];

		spin_lock_irqsave(&q->lock, flags);
		idle &= !q->num_pending;
		spin_unlock_irqrestore(&q->lock, flags);
	}
	return idle;
}

/*
 * One run: on adev->reset_wq, never alongside a recovery. Its writer holds
 * adev->xport_lock and waits for it, so @x is the worker's meanwhile.
 */
static void ares_xport_work(struct work_struct *work)
{
	struct ares_xport *x = container_of(work, struct ares_xport, work);
	struct ares_device *adev = x->adev;
	struct ares_queue *q = &adev->queues[ARES_NUM_QUEUES - 1];
	struct dma_fence *wait, *turn = NULL;
	bool pinned = false;
	int ret, idx;

	if (!drm_dev_enter(&adev->drm, &idx)) {
		x->result = -ENODEV;
		return;
	}
	if (READ_ONCE(adev->dead)) {
		ret = -EIO;
		goto out_exit;
	}
	if (!ares_xport_device_idle(adev)) {
		ret = -EBUSY;
		goto out_exit;
	}
	wait = ares_as_pin(x->as, &pinned, &turn);
	if (wait) {
		/* Not a job: give the place in the queue up at once. */
		ares_as_drop_turn(adev, &turn);
		dma_fence_put(wait);
		ret = -EBUSY;
		goto out_exit;
	}
	ret = ares_queue_probe_claim(q);
	if (!ret) {
		ret = ares_xport_rounds(x, q, ares_as_slot(x->as));
		ares_queue_probe_release(q);
	}
	ares_as_unpin(x->as);
out_exit:
	drm_dev_exit(idx);
	x->result = ret;
}

/* A page holding one NOP, mapped read-only in a fresh address space. */
static int ares_xport_map_nop(struct ares_xport *x, struct page **page,
			      struct sg_table *sgt, struct drm_mm_node *node)
{
	struct ares_device *adev = x->adev;
	struct ares_cmd_hdr *nop;
	int ret;

	*page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!*page)
		return -ENOMEM;
	nop = page_address(*page);
	nop->opcode = cpu_to_le16(ARES_OP_NOP);
	nop->size = cpu_to_le32(sizeof(*nop));

	ret = sg_alloc_table_from_pages(sgt, page, 1, 0, PAGE_SIZE, GFP_KERNEL);
	if (ret)
		goto err_page;
	ret = dma_map_sgtable(adev->drm.dev, sgt, DMA_TO_DEVICE, 0);
	if (ret)
		goto err_sgt;

	x->as = ares_as_create(adev);
	if (IS_ERR(x->as)) {
		ret = PTR_ERR(x->as);
		goto err_unmap;
	}
	ret = ares_as_map(x->as, node, ARES_PAGE_SIZE, sgt, false);
	if (ret)
		goto err_as;
	x->cmd_va = node->start;
	return 0;

err_as:
	ares_as_put(x->as);
err_unmap:
	dma_unmap_sgtable(adev->drm.dev, sgt, DMA_TO_DEVICE, 0);
err_sgt:
	sg_free_table(sgt);
err_page:
	__free_page(*page);
	return ret;
}

static void ares_xport_unmap_nop(struct ares_xport *x, struct page *page,
				 struct sg_table *sgt, struct drm_mm_node *node)
{
	ares_as_unmap(x->as, node);
	ares_as_put(x->as);
	x->as = NULL;
	dma_unmap_sgtable(x->adev->drm.dev, sgt, DMA_TO_DEVICE, 0);
	sg_free_table(sgt);
	__free_page(page);
}

/* Runs @rounds round trips and keeps their figures. */
static int ares_xport_measure(struct ares_xport *x, u32 rounds)
{
	struct ares_device *adev = x->adev;
	struct drm_mm_node node = {};
	struct sg_table sgt;
	struct page *page;
	int ret;

	lockdep_assert_held(&adev->xport_lock);

	x->lat = kvmalloc_array(rounds, sizeof(*x->lat), GFP_KERNEL);
	if (!x->lat)
		return -ENOMEM;
	ret = ares_xport_map_nop(x, &page, &sgt, &node);
	if (ret)
		goto out_free;

	x->rounds = rounds;
	queue_work(adev->reset_wq, &x->work);
	flush_work(&x->work);
	ret = x->result;
	ares_xport_unmap_nop(x, page, &sgt, &node);
	if (ret)
		goto out_free;

	sort(x->lat, rounds, sizeof(*x->lat), ares_xport_cmp, NULL);
	x->last_rounds = rounds;
	x->median_ns = x->lat[rounds / 2];
	x->p90_ns = x->lat[(rounds - 1) * 90 / 100];
	x->p99_ns = x->lat[(rounds - 1) * 99 / 100];
out_free:
	kvfree(x->lat);
	x->lat = NULL;
	return ret;
}

static ssize_t ares_xport_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct ares_device *adev = ((struct seq_file *)file->private_data)->private;
	u32 rounds;
	int ret;

	/* Garbage, a sign, or a number past u32 are all a bad count. */
	if (kstrtou32_from_user(ubuf, count, 0, &rounds) ||
	    !rounds || rounds > ARES_XPORT_MAX_ROUNDS)
		return -EINVAL;
	if (!mutex_trylock(&adev->xport_lock))
		return -EBUSY;
	ret = ares_xport_measure(adev->xport, rounds);
	mutex_unlock(&adev->xport_lock);
	return ret ? ret : count;
}

static int ares_xport_show(struct seq_file *m, void *unused)
{
	struct ares_device *adev = m->private;
	struct ares_xport *x = adev->xport;
	int ret;

	ret = mutex_lock_interruptible(&adev->xport_lock);
	if (ret)
		return ret;
	if (x->last_rounds)
		seq_printf(m, "rounds %u\nmedian_ns %llu\np90_ns %llu\np99_ns %llu\n",
			   x->last_rounds, x->median_ns, x->p90_ns, x->p99_ns);
	else
		seq_puts(m, "rounds 0\n");
	mutex_unlock(&adev->xport_lock);
	return 0;
}

static int ares_xport_open(struct inode *inode, struct file *file)
{
	return single_open(file, ares_xport_show, inode->i_private);
}

static const struct file_operations ares_xport_fops = {
	.owner = THIS_MODULE,
	.open = ares_xport_open,
	.read = seq_read,
	.write = ares_xport_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * ares_xport_init() - set up the transport probe if transport_probe=1
 * @adev: device
 *
 * Return: 0 or -ENOMEM; everything is device-managed.
 */
int ares_xport_init(struct ares_device *adev)
{
	struct ares_xport *x;
	int ret;

	ret = drmm_mutex_init(&adev->drm, &adev->xport_lock);
	if (ret || !ares_transport_probe)
		return ret;
	x = drmm_kzalloc(&adev->drm, sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	x->adev = adev;
	INIT_WORK(&x->work, ares_xport_work);
	init_completion(&x->done);
	adev->xport = x;
	return 0;
}

/**
 * ares_xport_debugfs_init() - create the "transport" file, only when the
 * probe exists
 * @adev: device
 */
void ares_xport_debugfs_init(struct ares_device *adev)
{
	if (adev->xport)
		debugfs_create_file("transport", 0600, adev->drm.debugfs_root,
				    adev, &ares_xport_fops);
}
