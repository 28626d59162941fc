// SPDX-License-Identifier: GPL-2.0
/*
 * One CPU_OPV_IOC_EXEC call, in the order the system call did it:
 *
 *  1. copy the vector in and validate all of it (EINVAL before any access);
 *  2. pin every page an operand touches, writable where it is written
 *     (EFAULT, or EAGAIN where a fault was expected);
 *  3. under the mmap read lock, check that the pinned pages are still the
 *     ones mapped at those addresses; if not, unpin and start again;
 *  4. run the interpreter on the target CPU: interrupts off here, an IPI
 *     there, or for an offline CPU here under the hotplug read lock and
 *     a mutex shared by every offline caller;
 *  5. unpin, dirtying the pages that were written.
 *
 * Operands are reached through the kernel's direct map (page_address), so
 * no call creates a kernel mapping and none needs a TLB flush afterwards.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "cpu_opv_compat.h"
#include "cpu_opv_internal.h"

DEFINE_PER_CPU(struct cpu_opv_stats, cpu_opv_stats);

/* Serializes every vector that targets an offline CPU. */
static DEFINE_MUTEX(cpu_opv_offline_lock);

/*
 * Returned by the re-check when a page changed: pin again. Outside both
 * what a vector returns (0..CPU_OP_VEC_LEN_MAX) and the negative errnos.
 */
#define CPU_OPV_REPIN	INT_MAX

static int check_flags(const struct cpu_opv_args *args)
{
	if (args->reserved)
		return -EINVAL;
	switch (args->flags) {
	case 0:
		return 0;
	case CPU_OP_NR_FLAG:
		return NR_CPU_OPS;
	case CPU_OP_VEC_LEN_MAX_FLAG:
		return CPU_OP_VEC_LEN_MAX;
	default:
		return -EINVAL;
	}
}

/* A possible CPU in the caller's own affinity mask (offline or not). */
static bool cpu_allowed(int cpu)
{
	return cpu >= 0 && cpu < nr_cpu_ids && cpu_possible(cpu) &&
	       cpumask_test_cpu(cpu, current->cpus_ptr);
}

/* [uaddr, uaddr + len) lies below the end of the user address space. */
static bool user_range_valid(u64 uaddr, u32 len)
{
	return uaddr < TASK_SIZE_MAX && len <= TASK_SIZE_MAX - uaddr;
}

/*
 * Records an operand of @len bytes at @uaddr; a zero-length operand
 * touches no memory and gets no range.
 */
static int record_operand(struct cpu_opv_vec *vec, u64 uaddr, u32 len, bool write,
		     u8 expect_fault, s8 *index)
{
	struct cpu_opv_range *r;

	if (!user_range_valid(uaddr, len))
		return -EINVAL;
	*index = -1;
	if (!len)
		return 0;

	r = &vec->ranges[vec->nr_ranges];
	r->uaddr = uaddr;
	r->len = len;
	r->nr_pages = DIV_ROUND_UP(offset_in_page(uaddr) + len, PAGE_SIZE);
	r->write = write;
	r->expect_fault = expect_fault != 0;
	*index = vec->nr_ranges++;
	return 0;
}

static int validate_op(struct cpu_opv_vec *vec, int i, u32 *total)
{
	const struct cpu_op *op = &vec->ops[i];
	struct cpu_opv_kop *k = &vec->kops[i];
	int ret;

	k->type = op->op;
	k->len = op->len;
	vec->range_a[i] = -1;
	vec->range_b[i] = -1;

	switch (op->op) {
	case CPU_COMPARE_EQ_OP:
	case CPU_COMPARE_NE_OP:
		if (op->len > CPU_OP_DATA_LEN_MAX)
			return -EINVAL;
		ret = record_operand(vec, op->u.compare_op.a, op->len, false,
				op->u.compare_op.expect_fault_a,
				&vec->range_a[i]);
		if (!ret)
			ret = record_operand(vec, op->u.compare_op.b, op->len,
					false, op->u.compare_op.expect_fault_b,
					&vec->range_b[i]);
		break;
	case CPU_MEMCPY_OP:
	case CPU_MEMCPY_RELEASE_OP:
		if (op->len > CPU_OP_DATA_LEN_MAX)
			return -EINVAL;
		ret = record_operand(vec, op->u.memcpy_op.dst, op->len, true,
				op->u.memcpy_op.expect_fault_dst,
				&vec->range_a[i]);
		if (!ret)
			ret = record_operand(vec, op->u.memcpy_op.src, op->len,
					false, op->u.memcpy_op.expect_fault_src,
					&vec->range_b[i]);
		break;
	case CPU_ADD_OP:
	case CPU_ADD_RELEASE_OP:
		if (op->len != 1 && op->len != 2 && op->len != 4 &&
		    op->len != 8)
			return -EINVAL;
		k->count = op->u.arithmetic_op.count;
		ret = record_operand(vec, op->u.arithmetic_op.p, op->len, true,
				op->u.arithmetic_op.expect_fault_p,
				&vec->range_a[i]);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;

	*total += op->len;
	if (*total > CPU_OP_VEC_DATA_LEN_MAX)
		return -EINVAL;
	return 0;
}

static int copy_and_validate(struct cpu_opv_vec *vec,
			     const struct cpu_opv_args *args)
{
	u32 total = 0;
	int i, ret;

	if (args->cpuopcnt < 0 || args->cpuopcnt > CPU_OP_VEC_LEN_MAX)
		return -EINVAL;
	if (!cpu_allowed(args->cpu))
		return -EINVAL;

	vec->nr_ops = args->cpuopcnt;
	vec->cpu = args->cpu;
	vec->nr_ranges = 0;
	if (copy_from_user(vec->ops, u64_to_user_ptr(args->cpuopv),
			   vec->nr_ops * sizeof(vec->ops[0])))
		return -EFAULT;

	for (i = 0; i < vec->nr_ops; i++) {
		ret = validate_op(vec, i, &total);
		if (ret)
			return ret;
	}
	return 0;
}

static int range_fault(const struct cpu_opv_range *r)
{
	return r->expect_fault ? -EAGAIN : -EFAULT;
}

static void unpin_range(struct cpu_opv_range *r, unsigned int nr)
{
	if (r->write)
		unpin_user_pages_dirty_lock(r->pages, nr, true);
	else
		unpin_user_pages(r->pages, nr);
}

static void unpin_ranges(struct cpu_opv_vec *vec, unsigned int nr)
{
	while (nr--)
		unpin_range(&vec->ranges[nr], vec->ranges[nr].nr_pages);
}

static int pin_range(struct cpu_opv_range *r)
{
	int ret;

	ret = pin_user_pages_fast(r->uaddr & PAGE_MASK, r->nr_pages,
				  r->write ? FOLL_WRITE : 0, r->pages);
	if (ret == r->nr_pages)
		return 0;
	if (ret > 0) {
		unpin_user_pages(r->pages, ret);
		return range_fault(r);
	}
	if (ret == -EFAULT || ret == 0)
		return range_fault(r);
	return ret;	/* -ENOMEM, -EINTR: not the operand's fault */
}

static int pin_ranges(struct cpu_opv_vec *vec)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vec->nr_ranges; i++) {
		ret = pin_range(&vec->ranges[i]);
		if (ret) {
			unpin_ranges(vec, i);
			return ret;
		}
	}
	return 0;
}

/*
 * With the mmap lock held for read, so that munmap, mremap and mprotect
 * cannot change the mapping between this check and the run: each pinned
 * page must still be the page mapped at its address (writable, if
 * written), or everything is pinned again. Memory the walk refuses
 * (device, I/O, not write-back) fails the call.
 */
static int recheck_range(const struct cpu_opv_range *r)
{
	unsigned long flags, addr = r->uaddr & PAGE_MASK;
	struct page *page;
	unsigned int i;
	bool dirty;
	int ret = 0;

	local_irq_save(flags);
	for (i = 0; i < r->nr_pages && !ret; i++, addr += PAGE_SIZE) {
		page = cpu_opv_page_irqs_off(addr, r->write, &dirty);
		if (IS_ERR(page))
			ret = range_fault(r);
		else if (page != r->pages[i])
			ret = CPU_OPV_REPIN;
	}
	local_irq_restore(flags);
	return ret;
}

static int recheck_ranges(struct cpu_opv_vec *vec)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vec->nr_ranges; i++) {
		ret = recheck_range(&vec->ranges[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void map_span(struct cpu_opv_span *s, const struct cpu_opv_range *r)
{
	u32 first = min_t(u32, r->len, PAGE_SIZE - offset_in_page(r->uaddr));

	s->len = r->len;
	s->head_len = first;
	s->head = (u8 *)page_address(r->pages[0]) + offset_in_page(r->uaddr);
	s->tail = r->nr_pages > 1 ? page_address(r->pages[1]) : NULL;
}

/* Kernel addresses of every operand, from the pinned pages. */
static void map_operands(struct cpu_opv_vec *vec)
{
	int i;

	for (i = 0; i < vec->nr_ops; i++) {
		struct cpu_opv_kop *k = &vec->kops[i];

		memset(&k->a, 0, sizeof(k->a));
		memset(&k->b, 0, sizeof(k->b));
		if (vec->range_a[i] >= 0)
			map_span(&k->a, &vec->ranges[vec->range_a[i]]);
		if (vec->range_b[i] >= 0)
			map_span(&k->b, &vec->ranges[vec->range_b[i]]);
	}
}

/* Runs on the target CPU with interrupts off: locally or in an IPI. */
static void run_on_cpu(void *info)
{
	struct cpu_opv_vec *vec = info;

	if (in_hardirq()) {	/* an IPI: another task was interrupted */
		cpu_opv_rseq_abort_interrupted();
		cpu_opv_count(ipi);
	} else {
		cpu_opv_count(local);
	}
	vec->result = cpu_opv_interpret(vec);
}

/*
 * The target CPU is offline: nothing runs there, so the vector runs here,
 * with hotplug held off (the caller holds cpus_read_lock) and every other
 * offline-CPU vector excluded by the mutex.
 */
static void run_for_offline_cpu(struct cpu_opv_vec *vec)
{
	mutex_lock(&cpu_opv_offline_lock);
	local_irq_disable();
	vec->result = cpu_opv_interpret(vec);
	local_irq_enable();
	mutex_unlock(&cpu_opv_offline_lock);
	cpu_opv_count(offline);
}

/* Returns 0 or the failed-compare index + 1, or -ENXIO: CPU went offline. */
static int run_vector(struct cpu_opv_vec *vec, bool hotplug_locked)
{
	int ret;

	if (hotplug_locked && !cpu_online(vec->cpu)) {
		run_for_offline_cpu(vec);
		return vec->result;
	}
	ret = smp_call_function_single(vec->cpu, run_on_cpu, vec, 1);
	if (ret)
		return ret;
	return vec->result;
}

/*
 * The fast path, for a vector whose target is the CPU we run on: with
 * interrupts off, find each operand's page with a lockless page-table
 * walk and run the vector through the direct map. No pin, no lock, no
 * kernel mapping: the walk sees the pages mapped at the very moment the
 * vector runs. Returns false, having touched nothing, when the target is
 * another CPU or any page is not ready for it (not present, not writable
 * or not yet dirty, device memory); the slow path then sorts it out.
 */
static bool run_here_unpinned(struct cpu_opv_vec *vec)
{
	unsigned long addr;
	unsigned int i, p;
	bool dirty, ran = false;

	/* An ioctl runs with interrupts on: no need to save the flags. */
	local_irq_disable();
	if (vec->cpu != smp_processor_id())
		goto out;
	for (i = 0; i < vec->nr_ranges; i++) {
		struct cpu_opv_range *r = &vec->ranges[i];

		addr = r->uaddr & PAGE_MASK;
		for (p = 0; p < r->nr_pages; p++, addr += PAGE_SIZE) {
			r->pages[p] = cpu_opv_page_irqs_off(addr, r->write,
							    &dirty);
			if (IS_ERR_OR_NULL(r->pages[p]) || (r->write && !dirty))
				goto out;
		}
	}
	map_operands(vec);
	vec->result = cpu_opv_interpret(vec);
	cpu_opv_count(local);
	ran = true;
out:
	local_irq_enable();
	return ran;
}

static int pin_check_and_run(struct cpu_opv_vec *vec)
{
	struct mm_struct *mm = current->mm;
	bool hotplug_locked = false;
	int ret;

repin:
	ret = pin_ranges(vec);
	if (ret)
		return ret;
relock:
	if (hotplug_locked)
		cpus_read_lock();
	mmap_read_lock(mm);
	ret = recheck_ranges(vec);
	if (!ret) {
		map_operands(vec);
		ret = run_vector(vec, hotplug_locked);
	}
	mmap_read_unlock(mm);
	if (hotplug_locked)
		cpus_read_unlock();

	if (ret == -ENXIO && !hotplug_locked) {
		/* Went offline: take the hotplug lock so it stays that way. */
		hotplug_locked = true;
		goto relock;
	}
	unpin_ranges(vec, vec->nr_ranges);
	if (ret == CPU_OPV_REPIN) {
		cpu_opv_count(retries);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		goto repin;
	}
	return ret;
}

static void count_result(long ret)
{
	if (ret > 0)
		cpu_opv_count(compare_failed);
	else if (ret == -EINVAL)
		cpu_opv_count(einval);
	else if (ret == -EFAULT)
		cpu_opv_count(efault);
	else if (ret == -EAGAIN)
		cpu_opv_count(eagain);
}

long cpu_opv_exec(const struct cpu_opv_args *args)
{
	struct cpu_opv_vec vec;
	long ret;

	ret = check_flags(args);
	if (ret) {
		if (ret < 0)
			cpu_opv_count(einval);
		return ret;	/* a flag query's answer, or -EINVAL */
	}

	ret = copy_and_validate(&vec, args);
	if (!ret) {
		if (run_here_unpinned(&vec)) {
			ret = vec.result;
		} else {
			ret = pin_check_and_run(&vec);
		}
	}
	count_result(ret);
	return ret;
}
