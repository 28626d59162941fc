// SPDX-License-Identifier: GPL-2.0
/*
 * Holding the pages a vector touches.
 *
 * Every page an operand covers is pinned (FOLL_PIN) before the vector runs
 * and unpinned only after it ran, on every path. GUP decides what may be
 * pinned, so the kernel's own rules apply: no secretmem, no VM_IO or
 * VM_PFNMAP, no P2PDMA, protection keys and VMA permissions checked, COW
 * broken for a written page and a read page made exclusive (a read-only
 * pin of anonymous memory unshares it), and fork copies a pinned page for
 * the child instead of sharing it. A pinned page can be neither freed nor
 * migrated, so reaching it through the direct map is safe until the unpin,
 * whatever another thread does to the mapping meanwhile.
 *
 * A page is looked for in the page tables first without faulting (GUP-fast,
 * or GUP's slow path with FOLL_NOFAULT); only when it must be faulted in is
 * GUP asked to fault, interruptibly where the kernel allows it, so a call
 * blocked on a fault (userfaultfd, FUSE) returns to a signal.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sched/signal.h>

#include "cpu_opv_compat.h"
#include "cpu_opv_internal.h"

static int range_fault(const struct cpu_opv_range *r)
{
	return r->expect_fault ? -EAGAIN : -EFAULT;
}

static unsigned int range_foll_flags(const struct cpu_opv_range *r)
{
	return (r->write ? FOLL_WRITE : 0) | CPU_OPV_FOLL_HONOR_NUMA_FAULT;
}

/*
 * An earlier range of @vec that holds the page at @addr at least as
 * strongly as @r needs it (a written range needs a writable pin), so that
 * a page two operands share is pinned once and every operand of the
 * vector sees the same page.
 */
static struct page *held_page(const struct cpu_opv_vec *vec,
			      const struct cpu_opv_range *r, unsigned long addr)
{
	unsigned int i, p;

	for (i = 0; i < vec->nr_ranges; i++) {
		const struct cpu_opv_range *h = &vec->ranges[i];

		if (h == r || !h->held || (r->write && !h->write))
			continue;
		for (p = 0; p < h->nr_pages; p++) {
			if (((h->uaddr & PAGE_MASK) + p * PAGE_SIZE) == addr)
				return h->pages[p];
		}
	}
	return NULL;
}

/*
 * GUP's answer for a page it did not pin, as the errno the vector returns.
 * -EFAULT from a non-faulting attempt means "fault it in and try again".
 */
static int pin_error(const struct cpu_opv_range *r, long ret)
{
	if (ret == -EINTR || ret == -ERESTARTSYS) {
		/* A signal interrupted a fault: nothing ran, restart or EINTR. */
		return signal_pending(current) ? -ERESTARTSYS : -EINTR;
	}
	/* -EFAULT, -EREMOTEIO (P2PDMA), -EHWPOISON, -ENOMEM, ... */
	return range_fault(r);
}

/* Pins the one page at @addr, faulting it in only when it has to. */
static int pin_page(const struct cpu_opv_range *r, unsigned long addr,
		    struct page **page)
{
	unsigned int flags = range_foll_flags(r);
	long ret;

	ret = pin_user_pages_fast(addr, 1, flags | FOLL_NOFAULT, page);
	if (ret == 1)
		goto pinned;
	if (ret < 0 && ret != -EFAULT)
		return pin_error(r, ret);

	/* Not present, not writable yet, a NUMA hint, COW to break: fault. */
	cpu_opv_count(faultins);
	ret = pin_user_pages_unlocked(addr, 1, page,
				      flags | CPU_OPV_FOLL_INTERRUPTIBLE);
	if (ret != 1)
		return pin_error(r, ret ? ret : -EFAULT);
pinned:
	/*
	 * Device memory (ZONE_DEVICE: pmem, coherent device memory) is
	 * refused like I/O mappings are, as the RFC did: only ordinary RAM,
	 * reached through its write-back direct map, runs with interrupts
	 * off.
	 */
	if (is_zone_device_page(*page)) {
		unpin_user_page(*page);
		return range_fault(r);
	}
	return 0;
}

static void release_range(struct cpu_opv_range *r)
{
	unsigned int p;

	for (p = 0; p < r->nr_pages; p++) {
		if (!(r->pinned & (1U << p)))
			continue;
		if (r->write)
			unpin_user_pages_dirty_lock(&r->pages[p], 1, true);
		else
			unpin_user_page(r->pages[p]);
	}
	r->pinned = 0;
	r->held = false;
}

static int hold_range(struct cpu_opv_vec *vec, struct cpu_opv_range *r)
{
	unsigned long addr = r->uaddr & PAGE_MASK;
	unsigned int p;
	int ret;

	for (p = 0; p < r->nr_pages; p++, addr += PAGE_SIZE) {
		r->pages[p] = held_page(vec, r, addr);
		if (r->pages[p])
			continue;
		ret = pin_page(r, addr, &r->pages[p]);
		if (ret) {
			release_range(r);
			return ret;
		}
		r->pinned |= 1U << p;
	}
	r->held = true;
	return 0;
}

/* Unpins what cpu_opv_hold_pages() pinned; written pages are dirtied. */
void cpu_opv_release_pages(struct cpu_opv_vec *vec)
{
	unsigned int i;

	for (i = 0; i < vec->nr_ranges; i++)
		release_range(&vec->ranges[i]);
}

/*
 * Holds every page of every operand, written operands first so that an
 * operand that only reads a page another one writes borrows the writable
 * pin and sees the page the write goes to (for a private file mapping the
 * COW copy, not the page cache page). On failure nothing stays held, and
 * the first operand that could not be held names the errno.
 */
int cpu_opv_hold_pages(struct cpu_opv_vec *vec)
{
	unsigned int i;
	int pass, ret;

	for (i = 0; i < vec->nr_ranges; i++) {
		vec->ranges[i].pinned = 0;
		vec->ranges[i].held = false;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < vec->nr_ranges; i++) {
			struct cpu_opv_range *r = &vec->ranges[i];

			if (r->write != (pass == 0))
				continue;
			ret = hold_range(vec, r);
			if (ret) {
				cpu_opv_release_pages(vec);
				return ret;
			}
		}
	}
	return 0;
}
