// SPDX-License-Identifier: GPL-2.0
/*
 * One CPU_OPV_IOC_EXEC call:
 *
 *  1. copy the vector in and validate all of it (EINVAL before any access);
 *  2. hold every page an operand touches: pin it with GUP, writable where
 *     it is written (EFAULT, or EAGAIN where a fault was expected);
 *  3. run the interpreter on the target CPU: with interrupts off when that
 *     is the CPU we run on, in an IPI there otherwise, or for an offline
 *     CPU here, under the hotplug read lock and a mutex shared by every
 *     offline caller;
 *  4. unpin, dirtying the pages that were written.
 *
 * The interpreter reaches operands through the kernel's direct map
 * (page_address of a pinned page), so no call creates a kernel mapping
 * and none needs a TLB flush afterwards. No page is touched unless it is
 * pinned, from before the first access to after the last one.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "cpu_opv_compat.h"
#include "cpu_opv_internal.h"

DEFINE_PER_CPU(struct cpu_opv_stats, cpu_opv_stats);

/* Serializes every vector that targets an offline CPU. */
static DEFINE_MUTEX(cpu_opv_offline_lock);

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

/*
 * [uaddr, uaddr + len) lies below the end of the caller's address space
 * (TASK_SIZE: 4 GiB for a 32-bit caller), once an address tag the mm
 * allows (x86 LAM) is stripped.
 */
static bool user_range_valid(u64 *uaddr, u32 len)
{
	*uaddr = untagged_addr((unsigned long)*uaddr);	/* u64 == long: x86-64 */
	return *uaddr < TASK_SIZE && len <= TASK_SIZE - *uaddr;
}

/*
 * Records an operand of @len bytes at @uaddr; a zero-length operand
 * touches no memory and gets no range.
 */
static int record_operand(struct cpu_opv_vec *vec, u64 uaddr, u32 len, bool write,
		     u8 expect_fault, s8 *index)
{
	struct cpu_opv_range *r;

	if (!user_range_valid(&uaddr, len))
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
		/* Overlapping with the destination above: copy from the end. */
		k->backward = op->u.memcpy_op.dst > op->u.memcpy_op.src &&
			      op->u.memcpy_op.dst - op->u.memcpy_op.src < op->len;
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
	vec->caller = current;
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

static void map_span(struct cpu_opv_span *s, const struct cpu_opv_range *r)
{
	u32 first = min_t(u32, r->len, PAGE_SIZE - offset_in_page(r->uaddr));

	s->len = r->len;
	s->head_len = first;
	s->head = (u8 *)page_address(r->pages[0]) + offset_in_page(r->uaddr);
	s->tail = r->nr_pages > 1 ? page_address(r->pages[1]) : NULL;
}

/* Kernel addresses of every operand, from the held pages. */
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

/*
 * Runs on the target CPU with interrupts off, for smp_call_function_single:
 * mostly in an IPI, or in the target's idle loop when it was polling, or
 * here when the caller moved to the target meanwhile.
 */
static void run_on_cpu(void *info)
{
	struct cpu_opv_vec *vec = info;

	if (current == vec->caller) {
		cpu_opv_count(local);
	} else {
		/* Whatever ran here was interrupted: restart its rseq. */
		cpu_opv_rseq_abort_interrupted();
		cpu_opv_count(ipi);
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
	cpu_opv_count(offline);
	local_irq_enable();
	mutex_unlock(&cpu_opv_offline_lock);
}

/*
 * The target is the CPU we run on: interrupts off here are all it takes.
 * Returns false, having run nothing, when we are on another CPU.
 */
static bool run_here(struct cpu_opv_vec *vec)
{
	bool ran = false;

	/* An ioctl runs with interrupts on: no need to save the flags. */
	local_irq_disable();
	if (vec->cpu == smp_processor_id()) {
		vec->result = cpu_opv_interpret(vec);
		cpu_opv_count(local);
		ran = true;
	}
	local_irq_enable();
	return ran;
}

/* Returns 0 or the failed-compare index + 1. */
static int run_vector(struct cpu_opv_vec *vec)
{
	int ret;

	if (run_here(vec))
		return vec->result;
	ret = smp_call_function_single(vec->cpu, run_on_cpu, vec, 1);
	if (!ret)
		return vec->result;

	/*
	 * -ENXIO: the target is offline. Hold hotplug off so that it stays
	 * what we find now: still offline, or back online and IPI-able.
	 */
	cpus_read_lock();
	if (!cpu_online(vec->cpu) ||
	    smp_call_function_single(vec->cpu, run_on_cpu, vec, 1))
		run_for_offline_cpu(vec);
	cpus_read_unlock();
	return vec->result;
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
	if (!ret)
		ret = cpu_opv_hold_pages(&vec);
	if (!ret) {
		map_operands(&vec);
		ret = run_vector(&vec);
		cpu_opv_release_pages(&vec);
	}
	count_result(ret);
	return ret;
}
