// SPDX-License-Identifier: GPL-2.0
/*
 * Holding the pages a vector touches.
 *
 * Every page an operand covers is pinned (FOLL_PIN) before the vector runs
 * and unpinned only after it ran, on every path. GUP decides what may be
 * pinned, so the kernel's own rules apply: no secretmem, no VM_IO or
 * VM_PFNMAP, no P2PDMA, protection keys and VMA permissions checked, COW
 * broken for a written page and a read anonymous page made exclusive, and
 * fork copies a pinned page for the child instead of sharing it. A pinned
 * page can be neither freed nor migrated, so reaching it through the
 * direct map is safe until the unpin, whatever another thread does to the
 * mapping meanwhile.
 *
 * Pages are looked for without faulting first (GUP-fast, or GUP's slow
 * path with FOLL_NOFAULT). Pages that must be faulted in are faulted in
 * with nothing held, interruptibly where GUP allows it, so that a call
 * blocked on a fault (userfaultfd, FUSE) neither keeps pages pinned
 * meanwhile nor ignores signals; then every page is looked for again.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmzone.h>
#include <linux/sched/signal.h>

#include "cpu_opv_compat.h"
#include "cpu_opv_internal.h"

/*
 * A page must be faulted in before it can be pinned. Positive, so neither
 * a vector result nor an errno.
 */
#define CPU_OPV_NEEDS_FAULT	1

/*
 * Rounds of "release everything, fault the missing pages in, hold
 * everything again" before pages are faulted in with the others held:
 * a round ends short only if a page faulted in went away again before it
 * could be pinned, so the bound keeps such a page from looping forever.
 */
#define CPU_OPV_FAULT_ROUNDS	8

static int range_fault(const struct cpu_opv_range *r)
{
	return r->expect_fault ? -EAGAIN : -EFAULT;
}

static unsigned long page_uaddr(const struct cpu_opv_range *r, unsigned int p)
{
	return (r->uaddr & PAGE_MASK) + p * PAGE_SIZE;
}

/* Page @p of @r is pinned writable: written, or read but COW to break. */
static unsigned int page_foll_flags(const struct cpu_opv_range *r,
				    unsigned int p)
{
	bool write = r->write || (r->break_cow & BIT(p));

	return (write ? FOLL_WRITE : 0) | CPU_OPV_FOLL_HONOR_NUMA_FAULT;
}

/*
 * A writable pin taken only to break COW under a read was refused (a pkey
 * forbids the write): clear the wish, so page @p is pinned for reading.
 * True when the caller should try again that way.
 */
static bool give_up_cow_break(struct cpu_opv_range *r, unsigned int p, int ret)
{
	if ((ret != -EFAULT && ret != -EAGAIN) || !(r->break_cow & BIT(p)))
		return false;
	r->break_cow &= ~BIT(p);
	return true;
}

/*
 * An earlier-held range of @vec that holds the page at @addr at least as
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
			if (page_uaddr(h, p) == addr)
				return h->pages[p];
		}
	}
	return NULL;
}

/*
 * GUP's answer for a page it did not pin, as the errno the vector returns.
 * Errors the spec has no word for (-EREMOTEIO for P2PDMA, -EHWPOISON,
 * -ENOMEM, -EBUSY) are the operand's fault: EFAULT, or EAGAIN if expected.
 */
static int pin_error(const struct cpu_opv_range *r, long ret)
{
	if (ret == -EINTR || ret == -ERESTARTSYS) {
		/* A signal interrupted a fault: nothing ran, restart or EINTR. */
		return signal_pending(current) ? -ERESTARTSYS : -EINTR;
	}
	return range_fault(r);
}

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

/* Pins page @p of @r if GUP finds it without faulting. */
static int pin_page(const struct cpu_opv_range *r, unsigned int p,
		    struct page **page)
{
	long ret;

	ret = pin_user_pages_fast(page_uaddr(r, p), 1,
				  page_foll_flags(r, p) | FOLL_NOFAULT, page);
	if (ret == 1)
		return check_pinned(r, *page);
	if (ret == 0 || ret == -EFAULT)
		return CPU_OPV_NEEDS_FAULT;
	return pin_error(r, ret);
}

/*
 * Pins page @p of @r, letting GUP fault it in (not present, not yet
 * writable, COW to break, a NUMA hint to resolve); interruptibly where
 * GUP allows it.
 */
static int pin_page_faulting(const struct cpu_opv_range *r, unsigned int p,
			     struct page **page)
{
	long ret;

	ret = pin_user_pages_unlocked(page_uaddr(r, p), 1, page,
				      page_foll_flags(r, p) |
				      CPU_OPV_FOLL_INTERRUPTIBLE);
	if (ret != 1)
		return pin_error(r, ret ? ret : -EFAULT);
	cpu_opv_count(faultins);
	return check_pinned(r, *page);
}

/*
 * A read-only pin makes an anonymous page exclusive, but leaves any other
 * page as it is: the shared zero page, or a file page in a private
 * mapping. Another thread's first write there replaces the page (COW),
 * and the vector would go on reading the old one. In a writable private
 * mapping such a page is pinned for writing instead, which breaks COW
 * now, as that first write would have. (Only non-anonymous read operands
 * pay for this look at the VMA.)
 */
static bool read_pin_may_go_stale(struct page *page, unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool stale;

	if (PageAnon(page))
		return false;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	stale = vma && (vma->vm_flags & (VM_SHARED | VM_WRITE)) == VM_WRITE;
	mmap_read_unlock(mm);
	return stale;
}

static void release_range(struct cpu_opv_range *r)
{
	unsigned int p;

	for (p = 0; p < r->nr_pages; p++) {
		if (!(r->pinned & BIT(p)))
			continue;
		if (r->write)
			unpin_user_pages_dirty_lock(&r->pages[p], 1, true);
		else
			unpin_user_page(r->pages[p]);
	}
	r->pinned = 0;
	r->held = false;
}

/* Unpins what cpu_opv_hold_pages() pinned; written pages are dirtied. */
void cpu_opv_release_pages(struct cpu_opv_vec *vec)
{
	unsigned int i;

	for (i = 0; i < vec->nr_ranges; i++)
		release_range(&vec->ranges[i]);
}

/* Holds page @p of @r: borrowed, or pinned (faulting it in if @may_fault). */
static int hold_page(struct cpu_opv_vec *vec, struct cpu_opv_range *r,
		     unsigned int p, bool may_fault)
{
	struct page **page = &r->pages[p];
	int ret;

	*page = held_page(vec, r, page_uaddr(r, p));
	if (*page)
		return 0;
	ret = pin_page(r, p, page);
	if (ret == CPU_OPV_NEEDS_FAULT && may_fault)
		ret = pin_page_faulting(r, p, page);
	if (give_up_cow_break(r, p, ret))
		return hold_page(vec, r, p, may_fault);
	if (ret)
		return ret;
	if (!r->write && !(r->cow_checked & BIT(p))) {
		r->cow_checked |= BIT(p);
		if (read_pin_may_go_stale(*page, page_uaddr(r, p))) {
			unpin_user_page(*page);
			r->break_cow |= BIT(p);
			return hold_page(vec, r, p, may_fault);
		}
	}
	r->pinned |= BIT(p);
	return 0;
}

/*
 * Holds every page of @r, or none: a page that must be faulted in first
 * (when !@may_fault) is marked in @r->needs_fault and the range is
 * released, CPU_OPV_NEEDS_FAULT.
 */
static int hold_range(struct cpu_opv_vec *vec, struct cpu_opv_range *r,
		      bool may_fault)
{
	unsigned int p;
	int ret;

	for (p = 0; p < r->nr_pages; p++) {
		ret = hold_page(vec, r, p, may_fault);
		if (ret == CPU_OPV_NEEDS_FAULT) {
			r->needs_fault |= BIT(p);
			continue;
		}
		if (ret) {
			release_range(r);
			return ret;
		}
	}
	if (r->needs_fault) {
		release_range(r);
		return CPU_OPV_NEEDS_FAULT;
	}
	r->held = true;
	return 0;
}

/*
 * One attempt at holding every page of every operand, written operands
 * first so that an operand that only reads a page another one writes
 * borrows the writable pin and sees the page the write goes to. Returns
 * 0 with everything held, or with nothing held: an errno, or
 * CPU_OPV_NEEDS_FAULT with the pages to fault in marked.
 *
 * An operand that cannot be accessed is EFAULT, unless it expected the
 * fault: then the others are still looked at, and only when none of them
 * is EFAULT is the answer EAGAIN.
 */
static int hold_all(struct cpu_opv_vec *vec, bool may_fault)
{
	bool expected = false, needs_fault = false;
	unsigned int i;
	int pass, ret;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < vec->nr_ranges; i++) {
			struct cpu_opv_range *r = &vec->ranges[i];

			if (r->write != (pass == 0))
				continue;
			if (r->failed) {
				expected = true;
				continue;
			}
			ret = hold_range(vec, r, may_fault);
			if (ret == CPU_OPV_NEEDS_FAULT) {
				needs_fault = true;
			} else if (ret == -EAGAIN) {
				r->failed = true;
				expected = true;
			} else if (ret) {
				cpu_opv_release_pages(vec);
				return ret;
			}
		}
	}
	if (needs_fault || expected)
		cpu_opv_release_pages(vec);
	if (needs_fault)
		return CPU_OPV_NEEDS_FAULT;
	return expected ? -EAGAIN : 0;
}

/* Faults in every page hold_all() marked, holding nothing meanwhile. */
static int fault_in_marked(struct cpu_opv_vec *vec)
{
	struct page *page;
	unsigned int i, p;
	int ret;

	for (i = 0; i < vec->nr_ranges; i++) {
		struct cpu_opv_range *r = &vec->ranges[i];

		for (p = 0; p < r->nr_pages; p++) {
			if (!(r->needs_fault & BIT(p)))
				continue;
			r->needs_fault &= ~BIT(p);
			ret = pin_page_faulting(r, p, &page);
			if (give_up_cow_break(r, p, ret))
				ret = pin_page_faulting(r, p, &page);
			if (ret == -EAGAIN) {
				r->failed = true;
				continue;
			}
			if (ret)
				return ret;
			unpin_user_page(page);
		}
	}
	return 0;
}

/*
 * Holds every page the vector touches, or nothing and returns why not.
 * No pin is held while GUP waits on a fault (which userfaultfd or a slow
 * file system can make last), except in a last round after
 * CPU_OPV_FAULT_ROUNDS in which faulted-in pages kept going away again.
 */
int cpu_opv_hold_pages(struct cpu_opv_vec *vec)
{
	unsigned int i, round;
	int ret;

	for (i = 0; i < vec->nr_ranges; i++) {
		struct cpu_opv_range *r = &vec->ranges[i];

		r->pinned = 0;
		r->needs_fault = 0;
		r->break_cow = 0;
		r->cow_checked = 0;
		r->held = false;
		r->failed = false;
	}
	for (round = 0; ; round++) {
		ret = hold_all(vec, round == CPU_OPV_FAULT_ROUNDS);
		if (ret != CPU_OPV_NEEDS_FAULT)
			return ret;
		ret = fault_in_marked(vec);
		if (ret)
			return ret;
	}
}
