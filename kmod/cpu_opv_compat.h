/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels cpu_opv builds for (6.1 to 7.x)
 * lives here, one small definition per API change, so the rest of the
 * module reads like code for one kernel.
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

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "cpu_opv needs Linux 6.1 or later"
#endif

/*
 * Operands are reached through the direct map (page_address() of a pinned
 * page), which needs every page to have a permanent kernel address: no
 * highmem. x86-64 is the only architecture built and tested.
 */
#if !defined(CONFIG_X86_64) || defined(CONFIG_HIGHMEM)
#error "cpu_opv supports x86-64 kernels only"
#endif

/*
 * GUP ignores NUMA hinting (protnone) PTEs from 6.6 unless asked to honour
 * them; honouring them makes GUP fault the hint the way a user access
 * would, so the next call finds the page with GUP-fast again. 6.1 honours
 * them always. The flag is an enum constant (not testable with #ifdef):
 * Kbuild probes the header for it.
 */
#ifdef CPU_OPV_HAVE_FOLL_HONOR_NUMA_FAULT
#define CPU_OPV_FOLL_HONOR_NUMA_FAULT	FOLL_HONOR_NUMA_FAULT
#else
#define CPU_OPV_FOLL_HONOR_NUMA_FAULT	0
#endif

/*
 * From 6.2 GUP can let a non-fatal signal interrupt a fault it waits on
 * (userfaultfd, FUSE, NFS). Before that GUP's faults are killable only.
 */
#ifdef CPU_OPV_HAVE_FOLL_INTERRUPTIBLE
#define CPU_OPV_FOLL_INTERRUPTIBLE	FOLL_INTERRUPTIBLE
#else
#define CPU_OPV_FOLL_INTERRUPTIBLE	0
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

#endif /* _CPU_OPV_COMPAT_H */
