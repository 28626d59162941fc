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
/* rseq's helpers left linux/sched.h for a header of their own (Kbuild). */
#ifdef CPU_OPV_HAVE_LINUX_RSEQ_H
#include <linux/rseq.h>
#endif

/* Lower bound included, upper bound excluded. */
#define CPU_OPV_KERNEL_RANGE(a, b, c, d, e, f)				\
	(LINUX_VERSION_CODE >= KERNEL_VERSION(a, b, c) &&		\
	 LINUX_VERSION_CODE < KERNEL_VERSION(d, e, f))

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "cpu_opv needs Linux 6.1 or later"
#endif

/*
 * Operands are reached through the direct map, which needs every page to
 * have a permanent kernel address (no highmem), and found by a lockless
 * page-table walk whose safety argument and PTE bits are x86's.
 */
#if !defined(CONFIG_X86_64) || defined(CONFIG_HIGHMEM)
#error "cpu_opv supports x86-64 kernels only"
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
 * Write-back cached, and not ZONE_DEVICE memory. Linux keeps write-back
 * in PAT entry 0 whatever else it programs, so WB is "no cache bits set".
 */
static inline bool cpu_opv_pte_plain(pte_t pte)
{
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
	if (pte_devmap(pte))
		return false;
#endif
	return !(pte_val(pte) & _PAGE_CACHE_MASK);
}

static inline bool cpu_opv_pmd_plain(pmd_t pmd)
{
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
	if (pmd_devmap(pmd))
		return false;
#endif
	return !(pmd_val(pmd) & (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT_LARGE));
}

/*
 * The page mapped at user address @addr of the current mm, if the caller
 * may access it (@write: may write it); *@dirty tells whether the mapping
 * is already dirty, so that a store through the direct map needs no dirty
 * accounting. NULL when nothing usable is mapped there (not present, not
 * permitted, a NUMA hint): pinning faults it in or fails. ERR_PTR(-EFAULT)
 * when memory is mapped there that cpu_opv refuses: special mappings
 * (VM_IO, VM_PFNMAP) but the shared zero page, ZONE_DEVICE, and anything
 * not write-back cached, so the interrupt-off section never waits on slow
 * memory.
 *
 * Lockless, like GUP-fast: the caller has interrupts off, which on x86
 * holds off both the TLB-flush IPI and the RCU grace period that must
 * pass before a page table or a page unmapped from this mm is freed. So
 * the page stays valid until interrupts are enabled again, even if its
 * PTE is cleared meanwhile (then the access is ordered before the unmap).
 */
static inline struct page *cpu_opv_page_irqs_off(unsigned long addr,
						 bool write, bool *dirty)
{
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	pgdp = pgd_offset(current->mm, addr);
	pgd = READ_ONCE(*pgdp);
	if (pgd_none(pgd) || pgd_bad(pgd))
		return NULL;
	p4dp = p4d_offset_lockless(pgdp, pgd, addr);
	p4d = READ_ONCE(*p4dp);
	if (p4d_none(p4d) || p4d_bad(p4d))
		return NULL;
	pudp = pud_offset_lockless(p4dp, p4d, addr);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud) || pud_leaf(pud) || pud_bad(pud))
		return NULL;
	pmdp = pmd_offset_lockless(pudp, pud, addr);
	pmd = READ_ONCE(*pmdp);
	if (!pmd_present(pmd))
		return NULL;
	if (pmd_leaf(pmd)) {
		if (!pmd_access_permitted(pmd, write) || pmd_protnone(pmd))
			return NULL;
		if (!cpu_opv_pmd_plain(pmd))
			return ERR_PTR(-EFAULT);
		*dirty = pmd_dirty(pmd);
		return pmd_page(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
	}
	if (pmd_bad(pmd))
		return NULL;
	pte = ptep_get_lockless(pte_offset_kernel(&pmd, addr));
	if (!pte_access_permitted(pte, write) || pte_protnone(pte))
		return NULL;
	if (!cpu_opv_pte_plain(pte))
		return ERR_PTR(-EFAULT);
	if (pte_special(pte)) {
		/* Reading the shared zero page is fine; anything else not. */
		if (write || !is_zero_pfn(pte_pfn(pte)))
			return ERR_PTR(-EFAULT);
	}
	if (!pfn_valid(pte_pfn(pte)))
		return ERR_PTR(-EFAULT);
	*dirty = pte_dirty(pte);
	return pte_page(pte);
}

#endif /* _CPU_OPV_COMPAT_H */
