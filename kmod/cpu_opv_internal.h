/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ioctl entry point, the page pinning and the interpreter share.
 *
 * One ioctl call lives in one struct cpu_opv_vec on the caller's stack:
 * the copied-in vector, the user ranges it touches (at most two per op)
 * with the pages that hold them, and per op the kernel addresses to run on.
 */
#ifndef _CPU_OPV_INTERNAL_H
#define _CPU_OPV_INTERNAL_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <uapi/linux/cpu_opv.h>

/* A 4096-byte operand that does not start on a page boundary spans two. */
#define CPU_OPV_RANGE_PAGES	2
#define CPU_OPV_NR_RANGES	(2 * CPU_OP_VEC_LEN_MAX)

/*
 * One user operand and the pages it covers, held for the call: each page
 * either pinned by this range or borrowed from another range that pinned
 * the same page at least as strongly. The u8 masks have bit p for page p.
 */
struct cpu_opv_range {
	unsigned long uaddr;
	unsigned int len;
	unsigned int nr_pages;
	bool write;
	bool expect_fault;
	bool held;		/* every page below is valid */
	bool failed;		/* cannot be accessed, and expected so */
	u8 pinned;		/* pinned by this range */
	u8 needs_fault;		/* to fault in before the next round */
	u8 break_cow;		/* read, but pinned writable to break COW */
	u8 cow_checked;		/* a read pin was checked for COW */
	struct page *pages[CPU_OPV_RANGE_PAGES];
};

/*
 * The kernel's view of an operand: up to two pieces, one per page, reached
 * through the direct map. head covers the first head_len bytes, tail the
 * remaining len - head_len.
 */
struct cpu_opv_span {
	u8 *head;
	u8 *tail;
	u32 head_len;
	u32 len;
};

struct cpu_opv_kop {
	int type;		/* enum cpu_op_type */
	u32 len;
	s64 count;		/* add only */
	bool backward;		/* memcpy only: dst overlaps src from above */
	struct cpu_opv_span a;	/* compare a, memcpy dst, add p */
	struct cpu_opv_span b;	/* compare b, memcpy src */
};

struct cpu_opv_vec {
	struct task_struct *caller;
	int nr_ops;
	int cpu;
	int result;		/* what the interpreter returned */
	unsigned int nr_ranges;
	struct cpu_op ops[CPU_OP_VEC_LEN_MAX];
	struct cpu_opv_kop kops[CPU_OP_VEC_LEN_MAX];
	struct cpu_opv_range ranges[CPU_OPV_NR_RANGES];
	/* ranges[] index of each kop's a and b operand, -1 when len is 0 */
	s8 range_a[CPU_OP_VEC_LEN_MAX];
	s8 range_b[CPU_OP_VEC_LEN_MAX];
};

/*
 * Counters, per CPU: sysfs shows their sums, debugfs one row per CPU. A
 * vector counts under its path on the CPU that ran it (the target, or for
 * an offline target the CPU that ran it in its stead); everything else
 * counts on the caller's CPU.
 */
struct cpu_opv_stats {
	u64 local;		/* run with interrupts off by the caller */
	u64 ipi;		/* run in an IPI from another CPU */
	u64 offline;		/* run for an offline CPU */
	u64 compare_failed;	/* vectors stopped by a comparison */
	u64 einval;
	u64 efault;
	u64 eagain;
	u64 faultins;		/* operand pages GUP had to fault in */
};

DECLARE_PER_CPU(struct cpu_opv_stats, cpu_opv_stats);

#define cpu_opv_count(field)	this_cpu_inc(cpu_opv_stats.field)

long cpu_opv_exec(const struct cpu_opv_args *args);
int cpu_opv_hold_pages(struct cpu_opv_vec *vec);
void cpu_opv_release_pages(struct cpu_opv_vec *vec);
int cpu_opv_interpret(struct cpu_opv_vec *vec);

#endif /* _CPU_OPV_INTERNAL_H */
