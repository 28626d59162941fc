/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels cpu_opv builds for (6.1 to 7.x)
 * lives here, one small helper per API change, so the rest of the module
 * reads like code for one kernel.
 */
#ifndef _CPU_OPV_COMPAT_H
#define _CPU_OPV_COMPAT_H

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/version.h>

/* Lower bound included, upper bound excluded. */
#define CPU_OPV_KERNEL_RANGE(a, b, c, d, e, f)				\
	(LINUX_VERSION_CODE >= KERNEL_VERSION(a, b, c) &&		\
	 LINUX_VERSION_CODE < KERNEL_VERSION(d, e, f))

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "cpu_opv needs Linux 6.1 or later"
#endif

#ifdef CONFIG_HIGHMEM
/*
 * Operands are reached through the direct map, which needs every page
 * to have a permanent kernel address: true on 64-bit kernels only.
 */
#error "cpu_opv needs a kernel without CONFIG_HIGHMEM (a 64-bit kernel)"
#endif

/*
 * The vector ran in an IPI on this CPU: an rseq critical section of the
 * task it interrupted must restart, as if that task had been preempted.
 * 6.19's rseq rework renamed the notification.
 */
static inline void cpu_opv_rseq_abort_interrupted(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
	rseq_sched_switch_event(current);
#else
	rseq_preempt(current);
#endif
}

/*
 * Is @page still the page mapped at @addr (writable, if @write)? A
 * lockless page-table walk that never faults: with the mmap lock held
 * for read, the mapping cannot be replaced by munmap/mremap/mprotect.
 */
static inline bool cpu_opv_page_still_mapped(unsigned long addr, bool write,
					     struct page *page)
{
	struct page *cur;
	bool same;

	if (get_user_pages_fast_only(addr, 1, write ? FOLL_WRITE : 0,
				     &cur) != 1)
		return false;
	same = cur == page;
	put_page(cur);
	return same;
}

/*
 * Device, I/O or uncached memory: refused, so that the interrupt-off
 * section never waits on slow accesses.
 */
static inline bool cpu_opv_vma_refused(const struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return true;
#ifdef CONFIG_X86
	return (pgprot_val(vma->vm_page_prot) & _PAGE_CACHE_MASK) !=
	       cachemode2protval(_PAGE_CACHE_MODE_WB);
#else
	return false;
#endif
}

#endif /* _CPU_OPV_COMPAT_H */
