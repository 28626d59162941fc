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
 * A page is looked for first without faulting (GUP-fast, or GUP's slow
 * path with FOLL_NOFAULT). A page that must be faulted in is faulted in
 * with nothing held, interruptibly where GUP allows it, so that a call
 * blocked on a fault (userfaultfd, FUSE) neither keeps other pages pinned
 * meanwhile nor ignores signals; then every page is looked for again.
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

/*
 * Asked of pin_page() by a round that must not fault: the page needs GUP
 * to fault it in. Positive, so neither a vector result nor an errno.
 */
#define CPU_OPV_NEEDS_FAULT	1

/*
 * Rounds of "release everything, fault one page in, hold everything again"
 * before a page is faulted in with the others held. Each round costs a
 * few pins; the bound keeps a page that keeps vanishing from looping.
 */
#define CPU_OPV_FAULT_ROUNDS	8

/*
 * Device memory (ZONE_DEVICE: pmem, coherent device memory) is refused as
 * the RFC refused I/O mappings: only ordinary RAM, reached through its
 * write-back direct map, is worked on with interrupts off.
 */
static int check_pinned(const struct cpu_opv_range *r, struct page *page)
{
	if (likely(!is_zone_device_page(page)))
		return 0;
	unpin_user_page(page);
	return range_fault(r);
}

/* Pins the page at @addr if GUP finds it without faulting. */
static int pin_page(const struct cpu_opv_range *r, unsigned long addr,
		    struct page **page)
{
	long ret;

	ret = pin_user_pages_fast(addr, 1, range_foll_flags(r) | FOLL_NOFAULT,
				  page);
	if (ret == 1)
		return check_pinned(r, *page);
	if (ret == 0 || ret == -EFAULT)
		return CPU_OPV_NEEDS_FAULT;
	return pin_error(r, ret);
}

/*
 * Pins the page at @addr, letting GUP fault it in (not present, not yet
 * writable, COW to break, a NUMA hint to resolve); interruptible where
 * GUP allows it.
 */
static int pin_page_faulting(const struct cpu_opv_range *r, unsigned long addr,
			     struct page **page)
{
	long ret;

	cpu_opv_count(faultins);
	ret = pin_user_pages_unlocked(addr, 1, page, range_foll_flags(r) |
				      CPU_OPV_FOLL_INTERRUPTIBLE);
	if (ret == 1)
		return check_pinned(r, *page);
	return pin_error(r, ret ? ret : -EFAULT);
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

/*
 * Holds every page of @r. A page that must be faulted in first is faulted
 * in here when @may_fault, else CPU_OPV_NEEDS_FAULT names it in @fault_addr.
 */
static int hold_range(struct cpu_opv_vec *vec, struct cpu_opv_range *r,
		      bool may_fault, unsigned long *fault_addr)
{
	unsigned long addr = r->uaddr & PAGE_MASK;
	unsigned int p;
	int ret;

	for (p = 0; p < r->nr_pages; p++, addr += PAGE_SIZE) {
		r->pages[p] = held_page(vec, r, addr);
		if (r->pages[p])
			continue;
		ret = pin_page(r, addr, &r->pages[p]);
		if (ret == CPU_OPV_NEEDS_FAULT && may_fault)
			ret = pin_page_faulting(r, addr, &r->pages[p]);
		if (ret) {
			*fault_addr = addr;
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
 * One attempt at holding every page of every operand, written operands
 * first so that an operand that only reads a page another one writes
 * borrows the writable pin and sees the page the write goes to (for a
 * private file mapping the COW copy, not the page cache page). On failure
 * nothing stays held; *@faulted is the range that failed.
 */
static int hold_all(struct cpu_opv_vec *vec, bool may_fault,
		    struct cpu_opv_range **faulted, unsigned long *fault_addr)
{
	unsigned int i;
	int pass, ret;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < vec->nr_ranges; i++) {
			struct cpu_opv_range *r = &vec->ranges[i];

			if (r->write != (pass == 0))
				continue;
			ret = hold_range(vec, r, may_fault, fault_addr);
			if (ret) {
				*faulted = r;
				cpu_opv_release_pages(vec);
				return ret;
			}
		}
	}
	return 0;
}

/*
 * Holds every page the vector touches, or nothing and returns why not.
 * No pin is held while GUP waits on a fault (which userfaultfd or a slow
 * file system can make last), except after CPU_OPV_FAULT_ROUNDS rounds in
 * which faulted-in pages kept going away again.
 */
int cpu_opv_hold_pages(struct cpu_opv_vec *vec)
{
	struct cpu_opv_range *r = NULL;
	unsigned long addr = 0;
	struct page *page;
	unsigned int i, round;
	int ret;

	for (i = 0; i < vec->nr_ranges; i++) {
		vec->ranges[i].pinned = 0;
		vec->ranges[i].held = false;
	}
	for (round = 0; ; round++) {
		ret = hold_all(vec, round == CPU_OPV_FAULT_ROUNDS, &r, &addr);
		if (ret != CPU_OPV_NEEDS_FAULT)
			return ret;
		/* Nothing is held: fault the page in, then try again. */
		ret = pin_page_faulting(r, addr, &page);
		if (ret)
			return ret;
		unpin_user_page(page);
	}
}
