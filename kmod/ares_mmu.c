// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: device address spaces.
 *
 * Each open file gets one address space: four-level page tables
 * (include/ares/mmu.h) in DMA-coherent pages that the device walks directly.
 * Address spaces are virtual, as GPU drivers treat VMIDs: the device has
 * only MAX_AS hardware slots, so an address space is bound to a slot when a
 * job is prepared in it and keeps it until the slot is reclaimed for
 * another one, least recently used first and never while a job of its own
 * is on a ring. Any number of files can be open; a job waits only while
 * every slot has work on the device (or older jobs wait already: waiters
 * are served in FIFO order, one woken per slot that goes idle). Buffers
 * get VA ranges from a drm_mm with one unmapped guard page after each
 * buffer, so running off the end of a buffer faults instead of touching the
 * next one. Tables are allocated on demand
 * and freed with the address space.
 */

#include <linux/cred.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_drv.h>

#include "ares_drv.h"
#include "ares_hw.h"
#include "ares_mmu.h"
#include "ares_uq.h"

#include "ares/mmu.h"

/**
 * struct ares_pt - one page of page-table entries
 */
struct ares_pt {
	/** @entries: the table, read by the device */
	__le64 *entries;
	/** @dma: bus address of @entries */
	dma_addr_t dma;
	/** @children: next-level tables (levels 0-2 only) */
	struct ares_pt **children;
};

static struct ares_pt *ares_pt_alloc(struct ares_device *adev, bool leaf)
{
	struct ares_pt *pt;

	/*
	 * Tables are made for the buffers of the calling file, in its
	 * context: charged to its memory cgroup like the rest of them.
	 */
	pt = kzalloc(sizeof(*pt), GFP_KERNEL_ACCOUNT);
	if (!pt)
		return NULL;
	/* dma_alloc_coherent() returns zeroed, page-aligned memory. */
	pt->entries = dma_alloc_coherent(adev->drm.dev, ARES_PAGE_SIZE,
					 &pt->dma, GFP_KERNEL_ACCOUNT);
	if (!pt->entries)
		goto err_free;
	if (!leaf) {
		pt->children = kcalloc(ARES_PT_ENTRIES, sizeof(*pt->children),
				       GFP_KERNEL_ACCOUNT);
		if (!pt->children)
			goto err_dma;
	}
	return pt;

err_dma:
	dma_free_coherent(adev->drm.dev, ARES_PAGE_SIZE, pt->entries, pt->dma);
err_free:
	kfree(pt);
	return NULL;
}

static void ares_pt_free(struct ares_device *adev, struct ares_pt *pt)
{
	int i;

	if (!pt)
		return;
	if (pt->children) {
		for (i = 0; i < ARES_PT_ENTRIES; i++)
			ares_pt_free(adev, pt->children[i]);
		kfree(pt->children);
	}
	dma_free_coherent(adev->drm.dev, ARES_PAGE_SIZE, pt->entries, pt->dma);
	kfree(pt);
}

/* Returns the leaf entry for @va, allocating tables on the way if @alloc. */
static __le64 *ares_pte_lookup(struct ares_as *as, u64 va, bool alloc)
{
	struct ares_pt *pt = as->root;
	int level;

	lockdep_assert_held(&as->lock);

	for (level = 0; level < ARES_PT_LEVELS - 1; level++) {
		u32 idx = ARES_PT_INDEX(va, level);
		struct ares_pt *child = pt->children[idx];

		if (!child) {
			if (!alloc)
				return NULL;
			child = ares_pt_alloc(as->adev,
					      level == ARES_PT_LEVELS - 2);
			if (!child)
				return ERR_PTR(-ENOMEM);
			pt->children[idx] = child;
			/*
			 * The new table is zeroed coherent memory; order its
			 * zeroes before the entry that lets the device see it.
			 */
			dma_wmb();
			WRITE_ONCE(pt->entries[idx],
				   cpu_to_le64((child->dma & ARES_PTE_ADDR_MASK) |
					       ARES_PTE_VALID));
		}
		pt = child;
	}
	return &pt->entries[ARES_PT_INDEX(va, ARES_PT_LEVELS - 1)];
}

static void ares_as_clear_range(struct ares_as *as, u64 va, u64 size)
{
	u64 end = va + size;
	__le64 *pte;

	lockdep_assert_held(&as->lock);

	for (; va < end; va += ARES_PAGE_SIZE) {
		pte = ares_pte_lookup(as, va, false);
		if (!IS_ERR_OR_NULL(pte))
			WRITE_ONCE(*pte, 0);
	}
}

/**
 * ares_as_map() - allocate VA for a buffer and map its pages
 * @as: address space
 * @node: out: the VA range (size + one guard page)
 * @size: bytes of the buffer, a multiple of the page size
 * @sgt: the buffer's DMA-mapped pages
 * @writable: map with WRITE as well as READ
 *
 * Adding mappings needs no TLB invalidation: the device never caches
 * invalid entries. Return: 0, -ENOSPC when the VA window is full, -ENOMEM.
 */
int ares_as_map(struct ares_as *as, struct drm_mm_node *node, u64 size,
		struct sg_table *sgt, bool writable)
{
	u64 flags = ARES_PTE_VALID | ARES_PTE_READ;
	struct sg_dma_page_iter iter;
	u64 va, mapped = 0;
	__le64 *pte;
	int ret;

	if (writable)
		flags |= ARES_PTE_WRITE;

	mutex_lock(&as->lock);
	ret = drm_mm_insert_node_in_range(&as->mm, node, size + ARES_PAGE_SIZE,
					  ARES_PAGE_SIZE, 0, ARES_VA_START,
					  ARES_VA_END, DRM_MM_INSERT_BEST);
	if (ret)
		goto out_unlock;

	va = node->start;
	for_each_sgtable_dma_page(sgt, &iter, 0) {
		dma_addr_t addr = sg_page_iter_dma_address(&iter);

		if (mapped >= size)
			break;
		pte = ares_pte_lookup(as, va + mapped, true);
		if (IS_ERR(pte)) {
			ret = PTR_ERR(pte);
			goto err_unmap;
		}
		WRITE_ONCE(*pte, cpu_to_le64((addr & ARES_PTE_ADDR_MASK) | flags));
		mapped += ARES_PAGE_SIZE;
	}
	if (mapped != size) {
		ret = -EINVAL;
		goto err_unmap;
	}
	mutex_unlock(&as->lock);
	return 0;

err_unmap:
	/* Never handed out, so no translation can be cached yet. */
	ares_as_clear_range(as, va, mapped);
	drm_mm_remove_node(node);
out_unlock:
	mutex_unlock(&as->lock);
	return ret;
}

/**
 * ares_as_unmap() - unmap a buffer and free its VA range
 * @as: address space
 * @node: VA range from ares_as_map()
 *
 * Returns once the device can no longer reach the pages (TLB invalidated),
 * so the caller may free them. The user queues of @as, whose jobs the
 * driver does not see, are stopped around it (§15 handshake) and resume
 * where they stopped.
 */
void ares_as_unmap(struct ares_as *as, struct drm_mm_node *node)
{
	struct ares_device *adev = as->adev;
	int idx;

	ares_uq_as_suspend(as);
	mutex_lock(&as->lock);
	ares_as_clear_range(as, node->start, node->size - ARES_PAGE_SIZE);
	mutex_unlock(&as->lock);

	/*
	 * An unbound address space has nothing cached: its slot was
	 * invalidated when it was taken away. Under as_lock so that the slot
	 * cannot change hands between the check and the invalidate.
	 */
	mutex_lock(&adev->as_lock);
	if (as->slot != ARES_AS_UNBOUND && drm_dev_enter(&adev->drm, &idx)) {
		ares_tlb_invalidate(adev, as->slot);
		drm_dev_exit(idx);
	}
	mutex_unlock(&adev->as_lock);
	ares_uq_as_resume(as);

	mutex_lock(&as->lock);
	drm_mm_remove_node(node);
	mutex_unlock(&as->lock);
}

static void ares_as_program(struct ares_device *adev, u32 slot,
			    struct ares_as *as)
{
	lockdep_assert_held(&adev->as_lock);

	if (as) {
		ares_wr64(adev, ARES_REG_AS_ROOT(slot), as->root->dma);
		ares_wr32(adev, ARES_REG_AS_CONFIG(slot), ARES_AS_CONFIG_ENABLE);
	} else {
		ares_wr32(adev, ARES_REG_AS_CONFIG(slot), 0);
		ares_wr64(adev, ARES_REG_AS_ROOT(slot), 0);
	}
}

/**
 * ares_as_restore_all() - program every bound address space after a reset
 * @adev: device
 */
void ares_as_restore_all(struct ares_device *adev)
{
	u32 slot;

	mutex_lock(&adev->as_lock);
	for (slot = 0; slot < adev->max_as; slot++)
		if (adev->as_slots[slot])
			ares_as_program(adev, slot, adev->as_slots[slot]);
	mutex_unlock(&adev->as_lock);
}

/*
 * Takes @as's slot away: the slot is disabled and invalidated, so nothing
 * the device cached for @as can be used by the next owner.
 */
static void ares_as_unbind(struct ares_as *as)
{
	struct ares_device *adev = as->adev;
	int slot = as->slot;
	int idx;

	lockdep_assert_held(&adev->as_lock);

	adev->as_slots[slot] = NULL;
	as->slot = ARES_AS_UNBOUND;
	list_del_init(&as->lru);
	if (drm_dev_enter(&adev->drm, &idx)) {
		ares_as_program(adev, slot, NULL);
		ares_tlb_invalidate(adev, slot);
		drm_dev_exit(idx);
	}
}

/*
 * A free slot, or one reclaimed from the least recently used idle owner.
 * Slots at or above the as_slots limit are emptied as their owners go idle
 * and never handed out again.
 */
static int ares_as_find_slot(struct ares_device *adev)
{
	unsigned int cap = READ_ONCE(ares_as_slots);
	u32 limit = cap ? min_t(u32, cap, adev->max_as) : adev->max_as;
	struct ares_as *victim, *tmp;
	int slot;

	lockdep_assert_held(&adev->as_lock);

	for (slot = 0; slot < limit; slot++)
		if (!adev->as_slots[slot])
			return slot;
	list_for_each_entry_safe(victim, tmp, &adev->as_lru, lru) {
		if (atomic_read(&victim->active))
			continue;
		slot = victim->slot;
		ares_as_unbind(victim);
		adev->as_evictions++;
		if (slot < limit)
			return slot;
	}
	return ARES_AS_UNBOUND;
}

/**
 * struct ares_as_waiter - a job's place in the queue for a hardware slot
 */
struct ares_as_waiter {
	/** @base: signalled when it is the job's turn; lock adev->as_free_lock */
	struct dma_fence base;
	/** @link: in adev->as_waiters until woken or dropped */
	struct list_head link;
};

static const char *ares_as_free_driver_name(struct dma_fence *fence)
{
	return "ares";
}

static const char *ares_as_free_timeline_name(struct dma_fence *fence)
{
	return "address-space-slot";
}

/* The default release frees @base, the first member, i.e. the waiter. */
static const struct dma_fence_ops ares_as_free_ops = {
	.get_driver_name = ares_as_free_driver_name,
	.get_timeline_name = ares_as_free_timeline_name,
};

static struct ares_as_waiter *to_ares_as_waiter(struct dma_fence *fence)
{
	return container_of(fence, struct ares_as_waiter, base);
}

/*
 * Queues @w for the next slot: at the head when the job had its turn and
 * lost the slot to a job that needed no wait (it stays the oldest), else
 * at the tail.
 */
static void ares_as_enqueue(struct ares_device *adev, struct ares_as_waiter *w,
			    bool head)
{
	unsigned long flags;

	lockdep_assert_held(&adev->as_lock);

	spin_lock_irqsave(&adev->as_free_lock, flags);
	dma_fence_init(&w->base, &ares_as_free_ops, &adev->as_free_lock,
		       adev->as_free_context, ++adev->as_free_seqno);
	if (head)
		list_add(&w->link, &adev->as_waiters);
	else
		list_add_tail(&w->link, &adev->as_waiters);
	spin_unlock_irqrestore(&adev->as_free_lock, flags);
}

/* Wakes the oldest waiter, if any: it gets a turn. */
static void ares_as_wake_one_locked(struct ares_device *adev)
{
	struct ares_as_waiter *w;

	lockdep_assert_held(&adev->as_free_lock);

	w = list_first_entry_or_null(&adev->as_waiters, struct ares_as_waiter,
				     link);
	if (!w)
		return;
	list_del_init(&w->link);
	adev->as_turns_out++;
	dma_fence_signal_locked(&w->base);
}

/* Wakes the oldest waiter, if any. Any context. */
static void ares_as_wake_one(struct ares_device *adev)
{
	unsigned long flags;

	spin_lock_irqsave(&adev->as_free_lock, flags);
	ares_as_wake_one_locked(adev);
	spin_unlock_irqrestore(&adev->as_free_lock, flags);
}

/* A woken waiter asked again, or will never: its turn is used. */
static void ares_as_turn_used_locked(struct ares_device *adev)
{
	lockdep_assert_held(&adev->as_free_lock);

	if (adev->as_turns_out)
		adev->as_turns_out--;
}

/* Whether jobs wait for a slot or have been woken for one. */
static bool ares_as_queue_busy(struct ares_device *adev)
{
	unsigned long flags;
	bool busy;

	spin_lock_irqsave(&adev->as_free_lock, flags);
	busy = adev->as_turns_out || !list_empty(&adev->as_waiters);
	spin_unlock_irqrestore(&adev->as_free_lock, flags);
	return busy;
}

/*
 * Slots a job pinning now could take: free ones under the limit and ones
 * bound to an idle address space.
 */
static u32 ares_as_room(struct ares_device *adev)
{
	unsigned int cap = READ_ONCE(ares_as_slots);
	u32 limit = cap ? min_t(u32, cap, adev->max_as) : adev->max_as;
	struct ares_as *as;
	u32 slot, room = 0;

	lockdep_assert_held(&adev->as_lock);

	for (slot = 0; slot < limit; slot++)
		if (!adev->as_slots[slot])
			room++;
	list_for_each_entry(as, &adev->as_lru, lru)
		if (!atomic_read(&as->active) && as->slot < limit)
			room++;
	return room;
}

/*
 * Wakes waiters, oldest first, until there is a turn out per slot a job
 * could take: for room that no unpin announced (an unpin that ran before
 * its waiter was queued, a job that left its turn, as_slots raised).
 */
static void ares_as_wake_for_room(struct ares_device *adev)
{
	u32 room = ares_as_room(adev);
	unsigned long flags;

	lockdep_assert_held(&adev->as_lock);

	spin_lock_irqsave(&adev->as_free_lock, flags);
	while (adev->as_turns_out < room && !list_empty(&adev->as_waiters))
		ares_as_wake_one_locked(adev);
	spin_unlock_irqrestore(&adev->as_free_lock, flags);
}

/**
 * ares_as_drop_turn() - leave the queue of jobs waiting for a slot
 * @adev: device
 * @turn: the job's place from ares_as_pin(), or NULL; cleared
 *
 * For a job that will not ask again (freed, or not a job). Still queued: it
 * leaves the queue (its fence signals, for whoever still waits on it).
 * Already woken: the turn it will not use goes to the next waiter, so a
 * slot that went idle is never left with nobody woken for it.
 */
void ares_as_drop_turn(struct ares_device *adev, struct dma_fence **turn)
{
	struct ares_as_waiter *w;
	unsigned long flags;

	if (!*turn)
		return;
	w = to_ares_as_waiter(*turn);
	spin_lock_irqsave(&adev->as_free_lock, flags);
	if (list_empty(&w->link)) {
		ares_as_turn_used_locked(adev);
		ares_as_wake_one_locked(adev);
	} else {
		list_del_init(&w->link);
		dma_fence_signal_locked(&w->base);
	}
	spin_unlock_irqrestore(&adev->as_free_lock, flags);
	dma_fence_put(*turn);
	*turn = NULL;
}

/*
 * Binds @as to a slot if it has none. Return: false when every slot has
 * work on the device.
 */
static bool ares_as_bind(struct ares_as *as)
{
	struct ares_device *adev = as->adev;
	int slot, idx;

	lockdep_assert_held(&adev->as_lock);

	if (as->slot != ARES_AS_UNBOUND)
		return true;
	slot = ares_as_find_slot(adev);
	if (slot == ARES_AS_UNBOUND)
		return false;
	as->slot = slot;
	adev->as_slots[slot] = as;
	adev->as_binds++;
	if (drm_dev_enter(&adev->drm, &idx)) {
		ares_as_program(adev, slot, as);
		drm_dev_exit(idx);
	}
	return true;
}

/**
 * ares_as_pin() - bind @as to a hardware slot for one job
 * @as: the job's address space
 * @pinned: set to true when the job holds a pin, to pass to ares_as_unpin()
 * @turn: the job's place in the queue for a slot: NULL the first time; what
 *	the previous call left when asking again after it signalled
 *
 * The scheduler's prepare_job: on success the slot stays @as's until the
 * job's ares_as_unpin(). When every slot has a job on the device, the job
 * joins a FIFO of waiters, each with a fence of its own: an address space
 * going idle signals only the oldest one's, so N waiters for one slot cost
 * one wakeup each, not N. While jobs wait or are woken, a job that would
 * take a slot (its address space unbound, or bound but idle and so
 * reclaimable) queues behind them instead of overtaking; a job whose
 * address space already has work on the device just pins it. A woken job
 * that still finds no slot (as_slots lowered) stays first.
 *
 * Return: NULL when pinned, else a fence to wait for (its place is kept in
 * *@turn, for ares_as_drop_turn() if the job is freed before asking again).
 */
struct dma_fence *ares_as_pin(struct ares_as *as, bool *pinned,
			      struct dma_fence **turn)
{
	struct ares_device *adev = as->adev;
	struct ares_as_waiter *w = NULL;
	bool woken = false, turn_used = false;
	unsigned long flags;

	/* Asked again once its fence signalled: it had its turn. */
	if (*turn) {
		woken = true;
		dma_fence_put(*turn);
		*turn = NULL;
	}

retry:
	mutex_lock(&adev->as_lock);
	/*
	 * The turn counts as out until now, under as_lock: dropped any
	 * earlier, a job that needs a slot could find the queue empty and
	 * take the slot this one was woken for.
	 */
	if (woken && !turn_used) {
		spin_lock_irqsave(&adev->as_free_lock, flags);
		ares_as_turn_used_locked(adev);
		spin_unlock_irqrestore(&adev->as_free_lock, flags);
		turn_used = true;
	}
	if ((as->slot == ARES_AS_UNBOUND || !atomic_read(&as->active)) &&
	    !woken && ares_as_queue_busy(adev))
		goto wait;
	if (!ares_as_bind(as))
		goto wait;
	list_move_tail(&as->lru, &adev->as_lru);
	atomic_inc(&as->active);
	*pinned = true;
	/* Room beyond this job's slot: the next waiter's turn. */
	if (woken)
		ares_as_wake_for_room(adev);
	mutex_unlock(&adev->as_lock);
	kfree(w);
	return NULL;

wait:
	if (!w) {
		/*
		 * prepare_job has no error return: a job can only wait.
		 * Small, and not under as_lock.
		 */
		mutex_unlock(&adev->as_lock);
		w = kzalloc(sizeof(*w), GFP_KERNEL | __GFP_NOFAIL);
		goto retry;
	}
	ares_as_enqueue(adev, w, woken);
	adev->as_waits++;
	/*
	 * An unpin between the search and the enqueue woke somebody else or
	 * nobody: wake for whatever room there is, perhaps this job itself
	 * (the scheduler then finds its fence signalled and asks again).
	 */
	ares_as_wake_for_room(adev);
	mutex_unlock(&adev->as_lock);
	*turn = dma_fence_get(&w->base);
	return &w->base;
}

/**
 * ares_as_unpin() - the job that pinned @as's slot is off the device
 * @as: address space
 *
 * Any context, the completion interrupt included. The last job of @as
 * wakes the oldest job waiting for a slot.
 */
void ares_as_unpin(struct ares_as *as)
{
	if (atomic_dec_and_test(&as->active))
		ares_as_wake_one(as->adev);
}

/**
 * ares_as_pin_uq() - pin @as to a hardware slot for a user queue's life
 * @as: address space
 *
 * Like a job's pin, but never waits: a user queue cannot be created while
 * every slot has work. ares_as_unpin() gives the pin back.
 *
 * Return: the slot, or -EBUSY.
 */
int ares_as_pin_uq(struct ares_as *as)
{
	struct ares_device *adev = as->adev;
	int slot = -EBUSY;

	mutex_lock(&adev->as_lock);
	if (ares_as_bind(as)) {
		list_move_tail(&as->lru, &adev->as_lru);
		atomic_inc(&as->active);
		slot = as->slot;
	}
	mutex_unlock(&adev->as_lock);
	return slot;
}

/**
 * ares_as_fini() - wake anything still waiting for a slot (device teardown)
 * @adev: device
 */
void ares_as_fini(struct ares_device *adev)
{
	unsigned long flags;

	spin_lock_irqsave(&adev->as_free_lock, flags);
	while (!list_empty(&adev->as_waiters))
		ares_as_wake_one_locked(adev);
	spin_unlock_irqrestore(&adev->as_free_lock, flags);
}

/**
 * ares_as_slot() - hardware slot of a pinned address space
 * @as: address space, pinned by the caller's job
 *
 * Return: the slot; stable while the pin is held.
 */
int ares_as_slot(struct ares_as *as)
{
	return READ_ONCE(as->slot);
}

/* Counts @uid's address spaces on @adev, refusing one past the limit. */
static int ares_as_charge_user(struct ares_device *adev, kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	unsigned int limit = READ_ONCE(ares_as_per_user);
	unsigned long count;
	void *old;

	lockdep_assert_held(&adev->as_lock);

	old = xa_load(&adev->as_users, key);
	count = old ? xa_to_value(old) : 0;
	if (limit && count >= limit)
		return -EDQUOT;
	return xa_err(xa_store(&adev->as_users, key, xa_mk_value(count + 1),
			       GFP_KERNEL_ACCOUNT));
}

static void ares_as_uncharge_user(struct ares_device *adev, kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	unsigned long count;

	lockdep_assert_held(&adev->as_lock);

	count = xa_to_value(xa_load(&adev->as_users, key));
	if (count > 1)
		xa_store(&adev->as_users, key, xa_mk_value(count - 1),
			 GFP_NOWAIT);
	else
		xa_erase(&adev->as_users, key);
}

/**
 * ares_as_create() - create an unbound address space
 * @adev: device
 *
 * Return: the address space, ERR_PTR(-EDQUOT) when the caller's user holds
 * as_per_user of them already, or ERR_PTR(-ENOMEM).
 */
struct ares_as *ares_as_create(struct ares_device *adev)
{
	struct ares_as *as;
	int ret;

	as = kzalloc(sizeof(*as), GFP_KERNEL_ACCOUNT);
	if (!as)
		return ERR_PTR(-ENOMEM);
	kref_init(&as->ref);
	as->adev = adev;
	as->slot = ARES_AS_UNBOUND;
	as->uid = current_uid();
	INIT_LIST_HEAD(&as->lru);
	INIT_LIST_HEAD(&as->uqs);
	mutex_init(&as->lock);
	drm_mm_init(&as->mm, ARES_VA_START, ARES_VA_END - ARES_VA_START);

	as->root = ares_pt_alloc(adev, false);
	if (!as->root) {
		ret = -ENOMEM;
		goto err_free;
	}

	mutex_lock(&adev->as_lock);
	ret = ares_as_charge_user(adev, as->uid);
	mutex_unlock(&adev->as_lock);
	if (ret)
		goto err_pt;
	return as;

err_pt:
	ares_pt_free(adev, as->root);
err_free:
	drm_mm_takedown(&as->mm);
	mutex_destroy(&as->lock);
	kfree(as);
	return ERR_PTR(ret);
}

static void ares_as_release(struct kref *ref)
{
	struct ares_as *as = container_of(ref, struct ares_as, ref);
	struct ares_device *adev = as->adev;

	mutex_lock(&adev->as_lock);
	if (as->slot != ARES_AS_UNBOUND)
		ares_as_unbind(as);
	ares_as_uncharge_user(adev, as->uid);
	mutex_unlock(&adev->as_lock);

	ares_pt_free(adev, as->root);
	drm_mm_takedown(&as->mm);
	mutex_destroy(&as->lock);
	kfree(as);
}

/**
 * ares_as_put() - drop a reference to an address space
 * @as: address space
 */
void ares_as_put(struct ares_as *as)
{
	kref_put(&as->ref, ares_as_release);
}
