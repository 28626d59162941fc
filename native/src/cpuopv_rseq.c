/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpuopv_pc_*(): one rseq attempt inline, then the slow paths (more
 * attempts, cpu_opv after bounded aborts, moving the thread for an
 * operation on another CPU).  See cpuopv_rseq.h.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/rseq.h>

#include "libcpuopv.h"
#include "cpuopv_rseq.h"

/*
 * glibc 2.35+ exports where it put each thread's struct rseq.  Weak: on an
 * older glibc they resolve to NULL and the library still loads.
 */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));
extern const unsigned int __rseq_flags __attribute__((weak));

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define READ_ONCE(x)	(*(volatile __typeof__(x) *)&(x))

/* 0: rseq usable; ENOSYS / ENOTSUP; -1 until computed. */
static int rseq_state = -1;
static ptrdiff_t rseq_off;

static int max_aborts = 8;
static int inject_aborts;
/* -1: follow the kernel's availability; 0 / 1: set by the caller. */
static int use_cpu_opv_setting = -1;
/* 0 unknown, 1 /dev/cpu_opv works, 2 it does not (not retried). */
static int kernel_state;

static struct cpuopv_pc_stats stats;

#define STAT_INC(field) __atomic_fetch_add(&stats.field, 1, __ATOMIC_RELAXED)

static int compute_rseq_state(void)
{
	if (&__rseq_size == NULL || &__rseq_offset == NULL)
		return ENOSYS;
	if (__rseq_size == 0)
		return ENOTSUP;
	rseq_off = __rseq_offset;
	return 0;
}

int cpuopv_rseq_status(void)
{
	int s = __atomic_load_n(&rseq_state, __ATOMIC_ACQUIRE);

	if (unlikely(s < 0)) {
		s = compute_rseq_state();
		__atomic_store_n(&rseq_state, s, __ATOMIC_RELEASE);
	}
	return s;
}

/* The thread's struct rseq, or NULL: inline in every operation. */
static inline struct rseq *rseq_here(void)
{
	if (unlikely(__atomic_load_n(&rseq_state, __ATOMIC_ACQUIRE) != 0) &&
	    cpuopv_rseq_status() != 0)
		return NULL;
	return (struct rseq *)((char *)__builtin_thread_pointer() + rseq_off);
}

/*
 * The same without computing the state on first use (NULL until someone
 * called cpuopv_rseq_status()): a path that makes no call of its own.
 */
static inline struct rseq *rseq_known(void)
{
	if (unlikely(__atomic_load_n(&rseq_state, __ATOMIC_ACQUIRE) != 0))
		return NULL;
	return (struct rseq *)((char *)__builtin_thread_pointer() + rseq_off);
}

struct rseq *cpuopv_rseq_self(void)
{
	return rseq_here();
}

int cpuopv_pc_current_cpu(void)
{
	struct rseq *rs = cpuopv_rseq_self();

	if (rs) {
		int cpu = (int)READ_ONCE(rs->cpu_id);

		if (cpu >= 0)
			return cpu;
	}
	return sched_getcpu();
}

static int kernel_ok(void)
{
	int k = __atomic_load_n(&kernel_state, __ATOMIC_RELAXED);

	if (k == 0) {
		k = cpu_opv_available() == 0 ? 1 : 2;
		__atomic_store_n(&kernel_state, k, __ATOMIC_RELAXED);
	}
	return k == 1;
}

int cpuopv_pc_use_cpu_opv(void)
{
	int s = __atomic_load_n(&use_cpu_opv_setting, __ATOMIC_RELAXED);

	return s < 0 ? kernel_ok() : (s && kernel_ok());
}

void cpuopv_pc_set_use_cpu_opv(int on)
{
	__atomic_store_n(&use_cpu_opv_setting, on ? 1 : 0, __ATOMIC_RELAXED);
}

void cpuopv_pc_set_max_aborts(int n)
{
	__atomic_store_n(&max_aborts, n < 1 ? 1 : n, __ATOMIC_RELAXED);
}

int cpuopv_pc_max_aborts(void)
{
	return __atomic_load_n(&max_aborts, __ATOMIC_RELAXED);
}

void cpuopv_pc_inject_aborts(int n)
{
	__atomic_store_n(&inject_aborts, n < 0 ? 0 : n, __ATOMIC_RELAXED);
}

void cpuopv_pc_get_stats(struct cpuopv_pc_stats *out)
{
	out->aborts = __atomic_load_n(&stats.aborts, __ATOMIC_RELAXED);
	out->injected = __atomic_load_n(&stats.injected, __ATOMIC_RELAXED);
	out->slow = __atomic_load_n(&stats.slow, __ATOMIC_RELAXED);
	out->migrations = __atomic_load_n(&stats.migrations, __ATOMIC_RELAXED);
}

/* ---- one operation, described for the slow paths ---- */

enum pc_kind {
	PC_ADD, PC_CMPEQ_STORE, PC_LIST_PUSH, PC_LIST_POP, PC_STACK_PUSH,
	PC_STACK_POP, PC_RECORD_PUSH, PC_RECORD_POP, PC_RESERVE,
};

struct pc_op {
	enum pc_kind kind;
	char *base;		/* word0 / head0 / slot0 */
	long stride;
	uint64_t a, b, c;	/* per kind, see fast() */
	const void *src;
	void *dst;
	void *out;
	int want;
	int flags;
};

static int fast(const struct pc_op *o, struct rseq *rs)
{
	switch (o->kind) {
	case PC_ADD:
		return cpuopv_rseq_add(rs, (int64_t *)o->base, o->stride,
				       (int64_t)o->a, o->want);
	case PC_CMPEQ_STORE:
		return cpuopv_rseq_cmpeq_store(rs, (int64_t *)o->base,
					       o->stride, (int64_t)o->a,
					       (int64_t)o->b, o->want);
	case PC_LIST_PUSH:
		return cpuopv_rseq_list_push(rs, (uint64_t *)o->base,
					     o->stride, o->a, (long)o->b,
					     o->want);
	case PC_LIST_POP:
		return cpuopv_rseq_list_pop(rs, (uint64_t *)o->base, o->stride,
					    (long)o->a, o->want, o->out);
	case PC_STACK_PUSH:
		return cpuopv_rseq_stack_push(rs, (uint64_t *)o->base,
					      o->stride, o->a, (int64_t)o->b,
					      o->want);
	case PC_STACK_POP:
		return cpuopv_rseq_stack_pop(rs, (uint64_t *)o->base,
					     o->stride, o->want, o->out);
	case PC_RECORD_PUSH:
		return cpuopv_rseq_record_push(rs, (uint64_t *)o->base,
					       o->stride, o->a, (long)o->b,
					       o->src, (long)o->c, o->want);
	case PC_RECORD_POP:
		return cpuopv_rseq_record_pop(rs, (uint64_t *)o->base,
					      o->stride, (long)o->a, o->dst,
					      o->want, o->out);
	case PC_RESERVE:
		return cpuopv_rseq_reserve(rs, (uint64_t *)o->base, o->stride,
					   (long)o->a, o->b, o->want, o->out);
	}
	return CPUOPV_PC_ERRNO(EINVAL);
}

/* ---- the same operations as cpu_opv vectors ---- */

static void v_cmpeq(struct cpu_op *op, const void *a, const void *b,
		    uint32_t len, int fault_a)
{
	memset(op, 0, sizeof(*op));
	op->op = CPU_COMPARE_EQ_OP;
	op->len = len;
	op->u.compare_op.a = (uint64_t)(uintptr_t)a;
	op->u.compare_op.b = (uint64_t)(uintptr_t)b;
	op->u.compare_op.expect_fault_a = (uint8_t)fault_a;
}

static void v_copy(struct cpu_op *op, void *dst, const void *src,
		   uint32_t len, int fault_src)
{
	memset(op, 0, sizeof(*op));
	op->op = CPU_MEMCPY_OP;
	op->len = len;
	op->u.memcpy_op.dst = (uint64_t)(uintptr_t)dst;
	op->u.memcpy_op.src = (uint64_t)(uintptr_t)src;
	op->u.memcpy_op.expect_fault_src = (uint8_t)fault_src;
}

static void v_add(struct cpu_op *op, void *p, int64_t count)
{
	memset(op, 0, sizeof(*op));
	op->op = CPU_ADD_RELEASE_OP;	/* a commit counter publishes */
	op->len = 8;
	op->u.arithmetic_op.p = (uint64_t)(uintptr_t)p;
	op->u.arithmetic_op.count = count;
}

/*
 * The operation through cpu_opv on `cpu`: values read in user space first,
 * then a vector that compares them and stores, atomically on that CPU;
 * a changed value (compare failed) or a freed node (EAGAIN) is re-read.
 */
static int slow(const struct pc_op *o, int cpu)
{
	char *slot = o->base + (long)cpu * o->stride;
	uint64_t *w = (uint64_t *)slot;
	struct cpu_op ops[4];
	uint64_t result = 0;
	int n, r;

	STAT_INC(slow);
	for (;;) {
		uint64_t v0, v1, v2, v3;

		switch (o->kind) {
		case PC_ADD:
			v_add(&ops[0], w, (int64_t)o->a);
			n = 1;
			break;
		case PC_CMPEQ_STORE:
			v0 = o->a;
			v1 = o->b;
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			v_copy(&ops[1], w, &v1, 8, 0);
			n = 2;
			break;
		case PC_LIST_PUSH:
			v0 = READ_ONCE(*w);
			*(volatile uint64_t *)(uintptr_t)(o->a + o->b) = v0;
			v1 = o->a;
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			v_copy(&ops[1], w, &v1, 8, 0);
			n = 2;
			break;
		case PC_LIST_POP:
			v0 = READ_ONCE(*w);
			if (v0 == 0)
				return CPUOPV_RSEQ_FAILED;
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			/* the node may be popped and freed meanwhile: EAGAIN */
			v_copy(&ops[1], w, (void *)(uintptr_t)(v0 + o->a), 8, 1);
			n = 2;
			result = v0;
			break;
		case PC_STACK_PUSH:
			v0 = READ_ONCE(w[0]);
			if (v0 >= o->a)
				return CPUOPV_RSEQ_FAILED;
			v1 = o->b;
			v2 = v0 + 1;
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			v_copy(&ops[1], &w[1 + v0], &v1, 8, 0);
			v_copy(&ops[2], w, &v2, 8, 0);
			n = 3;
			break;
		case PC_STACK_POP:
			v0 = READ_ONCE(w[0]);
			if (v0 == 0)
				return CPUOPV_RSEQ_FAILED;
			v1 = READ_ONCE(w[v0]);
			v2 = v0 - 1;
			/* the count and the top: a pop and a push in between changes the top */
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			v_cmpeq(&ops[1], &w[v0], &v1, 8, 0);
			v_copy(&ops[2], w, &v2, 8, 0);
			n = 3;
			result = v1;
			break;
		case PC_RECORD_PUSH: {
			char *e;

			v0 = READ_ONCE(w[0]);
			if (v0 >= o->a)
				return CPUOPV_RSEQ_FAILED;
			e = slot + 8 + v0 * o->b;
			v1 = o->c;
			v2 = v0 + 1;
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			v_copy(&ops[1], e + 8, o->src, (uint32_t)o->c, 0);
			v_copy(&ops[2], e, &v1, 8, 0);
			v_copy(&ops[3], w, &v2, 8, 0);
			n = 4;
			break;
		}
		case PC_RECORD_POP: {
			char *e;

			v0 = READ_ONCE(w[0]);
			if (v0 == 0)
				return CPUOPV_RSEQ_FAILED;
			e = slot + 8 + (v0 - 1) * o->a;
			v1 = READ_ONCE(*(uint64_t *)e);
			if (v1 > o->a - 8)
				continue;	/* torn read: the compare would fail */
			v2 = v0 - 1;
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			v_cmpeq(&ops[1], e, &v1, 8, 0);
			v_copy(&ops[2], o->dst, e + 8, (uint32_t)v1, 0);
			v_copy(&ops[3], w, &v2, 8, 0);
			n = 4;
			result = v1;
			break;
		}
		case PC_RESERVE:
			v0 = READ_ONCE(w[0]);
			v3 = READ_ONCE(*(uint64_t *)(slot + o->a));
			if (v0 - v3 >= o->b)
				return CPUOPV_RSEQ_FAILED;
			v1 = v0 + 1;
			/* the tail only grows: no need to compare it again */
			v_cmpeq(&ops[0], w, &v0, 8, 0);
			v_copy(&ops[1], w, &v1, 8, 0);
			n = 2;
			result = v0;
			break;
		default:
			return CPUOPV_PC_ERRNO(EINVAL);
		}
		r = cpu_opv(ops, n, cpu, 0);
		if (r == 0)
			break;
		/*
		 * The compare-store compares the caller's value, not one read
		 * here: a failed compare is its answer (re-running the same
		 * vector would fail forever), not a reason to read again.
		 */
		if (r > 0 && o->kind == PC_CMPEQ_STORE)
			return CPUOPV_RSEQ_FAILED;
		if (r > 0 || errno == EAGAIN)
			continue;	/* changed meanwhile: read again */
		return CPUOPV_PC_ERRNO(errno);
	}
	if (o->out)
		*(uint64_t *)o->out = result;
	return cpu;
}

/* ---- the driver: retries, the slow path, moving to another CPU ---- */

#define MASK_WORDS 128	/* 8192 CPUs */

struct saved_mask {
	int saved;
	uint64_t words[MASK_WORDS];
};

/* Move the thread to `cpu` alone (the kernel migrates it before returning). */
static int move_to(int cpu, struct saved_mask *m)
{
	uint64_t one[MASK_WORDS];

	if (cpu < 0 || cpu >= MASK_WORDS * 64)
		return CPUOPV_PC_ERRNO(EINVAL);
	if (!m->saved) {
		if (sched_getaffinity(0, sizeof(m->words),
				      (cpu_set_t *)m->words) < 0)
			return CPUOPV_PC_ERRNO(errno);
		m->saved = 1;
	}
	memset(one, 0, sizeof(one));
	one[cpu / 64] = 1ULL << (cpu % 64);
	if (sched_setaffinity(0, sizeof(one), (cpu_set_t *)one) < 0)
		return CPUOPV_PC_ERRNO(errno);
	STAT_INC(migrations);
	return 0;
}

static int restore(struct saved_mask *m, int r)
{
	if (m->saved &&
	    sched_setaffinity(0, sizeof(m->words), (cpu_set_t *)m->words) < 0 &&
	    !CPUOPV_PC_IS_ERRNO(r))
		return CPUOPV_PC_ERRNO(errno);
	return r;
}

/*
 * After the inline attempt answered ABORTED or WRONG_CPU (or rseq is not
 * there): attempts until one is not aborted; after max_aborts aborts in a
 * row, cpu_opv on the CPU just read.  For want >= 0 on another CPU:
 * cpu_opv there, or (rseq backend) move there and back.
 */
static int drive(const struct pc_op *o, int first)
{
	struct saved_mask m;
	int aborts = (o->flags & CPUOPV_PC_AFTER_ABORT) ? 1 : 0;
	int injected = __atomic_load_n(&inject_aborts, __ATOMIC_RELAXED);
	int limit = cpuopv_pc_max_aborts();
	int r = first;

	m.saved = 0;
	for (;;) {
		struct rseq *rs = cpuopv_rseq_self();
		int kernel = !(o->flags & CPUOPV_PC_NO_CPU_OPV) &&
			     cpuopv_pc_use_cpu_opv();
		int cpu;

		if (r == CPUOPV_RSEQ_ABORTED) {
			STAT_INC(aborts);
			if (++aborts < limit || !kernel)
				goto again;
		} else if (r == CPUOPV_RSEQ_WRONG_CPU) {
			if (!kernel) {
				r = move_to(o->want, &m);
				if (r != 0)
					return restore(&m, r);
				goto again;
			}
		} else if (r != CPUOPV_PC_UNAVAILABLE) {
			return restore(&m, r);
		} else if (!kernel) {
			return restore(&m, r);
		}
		/* the slow path: cpu_opv on the CPU just read (or wanted) */
		cpu = o->want;
		if (cpu < 0)
			cpu = cpuopv_pc_current_cpu();
		if (cpu < 0)
			return restore(&m, CPUOPV_PC_ERRNO(errno));
		r = slow(o, cpu);
		if (r == CPUOPV_PC_ERRNO(EINVAL) && o->want < 0) {
			/* that CPU left our mask (or went away) meanwhile */
			aborts = 0;
			goto again;
		}
		if (r == CPUOPV_PC_ERRNO(EINVAL) && !m.saved) {
			/*
			 * The wanted CPU is not in the thread's mask (the
			 * thread narrowed it after reading the CPU, e.g. a
			 * ring commit): go there, as the rseq backend does.
			 */
			r = move_to(o->want, &m);
			if (r != 0)
				return restore(&m, r);
			aborts = 0;
			goto again;
		}
		return restore(&m, r);
again:
		if (rs == NULL) {
			r = CPUOPV_PC_UNAVAILABLE;
		} else if (injected > 0) {
			injected--;
			STAT_INC(injected);
			r = CPUOPV_RSEQ_ABORTED;
		} else {
			r = fast(o, rs);
		}
	}
}

/*
 * With CPUOPV_PC_NO_SYSCALL: the section alone, as a tail call.  Its answer
 * is the section's: the CPU, FAILED, or ABORTED / WRONG_CPU; CPUOPV_PC_SLOW
 * without rseq (or before cpuopv_rseq_status() was asked) or while aborts
 * are injected (left for the caller's second call to count).  Everything
 * else is in a separate function (*_driven below), so that this path sets
 * up no frame: it is the whole cost of a critical FFM downcall.
 */
#define ONLY_ATTEMPT(flags, call)					\
	if ((flags) & CPUOPV_PC_NO_SYSCALL) {				\
		struct rseq *rs = rseq_known();				\
		if (unlikely(rs == NULL || READ_ONCE(inject_aborts) > 0)) \
			return CPUOPV_PC_SLOW;				\
		return call;						\
	}

/*
 * The first attempt: inline, unless rseq is missing or aborts are being
 * injected (then the driver makes every attempt).  CPUOPV_PC_AFTER_ABORT:
 * the caller's NO_SYSCALL attempt aborted just before, which counts.
 */
#define FIRST_ATTEMPT(flags, call)					\
	struct rseq *rs = rseq_here();					\
	int r = CPUOPV_PC_UNAVAILABLE;					\
	if (unlikely((flags) & CPUOPV_PC_AFTER_ABORT))			\
		STAT_INC(aborts);					\
	if (likely(rs != NULL)) {					\
		if (unlikely(READ_ONCE(inject_aborts) > 0)) {		\
			r = CPUOPV_RSEQ_ABORTED;			\
			STAT_INC(injected);				\
		} else {						\
			r = call;					\
			if (likely(r >= CPUOPV_RSEQ_FAILED))		\
				return r;				\
		}							\
	}

#define DRIVEN static __attribute__((noinline)) int

DRIVEN add_driven(int64_t *word0, long stride, int64_t delta, int want,
		  int flags)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_add(rs, word0, stride, delta, want))
	{
		struct pc_op o = { .kind = PC_ADD, .base = (char *)word0,
				   .stride = stride, .a = (uint64_t)delta,
				   .want = want, .flags = flags };
		return drive(&o, r);
	}
}

int cpuopv_pc_add(int64_t *word0, long stride, int64_t delta, int want,
		  int flags)
{
	ONLY_ATTEMPT(flags, cpuopv_rseq_add(rs, word0, stride, delta, want))
	return add_driven(word0, stride, delta, want, flags);
}

DRIVEN cmpeq_store_driven(int64_t *word0, long stride, int64_t expect,
			  int64_t value, int want, int flags)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_cmpeq_store(rs, word0, stride, expect,
						     value, want))
	{
		struct pc_op o = { .kind = PC_CMPEQ_STORE,
				   .base = (char *)word0, .stride = stride,
				   .a = (uint64_t)expect, .b = (uint64_t)value,
				   .want = want, .flags = flags };
		return drive(&o, r);
	}
}

int cpuopv_pc_cmpeq_store(int64_t *word0, long stride, int64_t expect,
			  int64_t value, int want, int flags)
{
	ONLY_ATTEMPT(flags, cpuopv_rseq_cmpeq_store(rs, word0, stride, expect,
						    value, want))
	return cmpeq_store_driven(word0, stride, expect, value, want, flags);
}

DRIVEN list_push_driven(uint64_t *head0, long stride, uint64_t node,
			long next_offset, int want, int flags)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_list_push(rs, head0, stride, node,
						   next_offset, want))
	{
		struct pc_op o = { .kind = PC_LIST_PUSH, .base = (char *)head0,
				   .stride = stride, .a = node,
				   .b = (uint64_t)next_offset, .want = want,
				   .flags = flags };
		return drive(&o, r);
	}
}

int cpuopv_pc_list_push(uint64_t *head0, long stride, uint64_t node,
			long next_offset, int want, int flags)
{
	ONLY_ATTEMPT(flags, cpuopv_rseq_list_push(rs, head0, stride, node,
						  next_offset, want))
	return list_push_driven(head0, stride, node, next_offset, want, flags);
}

DRIVEN list_pop_driven(uint64_t *head0, long stride, long next_offset,
		       int want, int flags, uint64_t *out)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_list_pop(rs, head0, stride, next_offset,
						  want, out))
	{
		struct pc_op o = { .kind = PC_LIST_POP, .base = (char *)head0,
				   .stride = stride,
				   .a = (uint64_t)next_offset, .want = want,
				   .flags = flags, .out = out };
		return drive(&o, r);
	}
}

int cpuopv_pc_list_pop(uint64_t *head0, long stride, long next_offset,
		       int want, int flags, uint64_t *out)
{
	ONLY_ATTEMPT(flags, cpuopv_rseq_list_pop(rs, head0, stride,
						 next_offset, want, out))
	return list_pop_driven(head0, stride, next_offset, want, flags, out);
}

DRIVEN stack_push_driven(uint64_t *slot0, long stride, uint64_t capacity,
			 int64_t value, int want, int flags)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_stack_push(rs, slot0, stride, capacity,
						    value, want))
	{
		struct pc_op o = { .kind = PC_STACK_PUSH, .base = (char *)slot0,
				   .stride = stride, .a = capacity,
				   .b = (uint64_t)value, .want = want,
				   .flags = flags };
		return drive(&o, r);
	}
}

int cpuopv_pc_stack_push(uint64_t *slot0, long stride, uint64_t capacity,
			 int64_t value, int want, int flags)
{
	ONLY_ATTEMPT(flags, cpuopv_rseq_stack_push(rs, slot0, stride, capacity,
						   value, want))
	return stack_push_driven(slot0, stride, capacity, value, want, flags);
}

DRIVEN stack_pop_driven(uint64_t *slot0, long stride, int want, int flags,
			int64_t *out)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_stack_pop(rs, slot0, stride, want, out))
	{
		struct pc_op o = { .kind = PC_STACK_POP, .base = (char *)slot0,
				   .stride = stride, .want = want,
				   .flags = flags, .out = out };
		return drive(&o, r);
	}
}

int cpuopv_pc_stack_pop(uint64_t *slot0, long stride, int want, int flags,
			int64_t *out)
{
	ONLY_ATTEMPT(flags, cpuopv_rseq_stack_pop(rs, slot0, stride, want, out))
	return stack_pop_driven(slot0, stride, want, flags, out);
}

DRIVEN record_push_driven(uint64_t *slot0, long stride, uint64_t capacity,
			  long entry_size, const void *src, long len,
			  int want, int flags)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_record_push(rs, slot0, stride, capacity,
						     entry_size, src, len, want))
	{
		struct pc_op o = { .kind = PC_RECORD_PUSH,
				   .base = (char *)slot0, .stride = stride,
				   .a = capacity, .b = (uint64_t)entry_size,
				   .c = (uint64_t)len, .src = src,
				   .want = want, .flags = flags };
		return drive(&o, r);
	}
}

int cpuopv_pc_record_push(uint64_t *slot0, long stride, uint64_t capacity,
			  long entry_size, const void *src, long len,
			  int want, int flags)
{
	if (len < 0 || len > entry_size - 8 || len > CPU_OP_DATA_LEN_MAX)
		return CPUOPV_PC_ERRNO(EINVAL);
	ONLY_ATTEMPT(flags, cpuopv_rseq_record_push(rs, slot0, stride,
						    capacity, entry_size,
						    src, len, want))
	return record_push_driven(slot0, stride, capacity, entry_size, src,
				  len, want, flags);
}

DRIVEN record_pop_driven(uint64_t *slot0, long stride, long entry_size,
			 void *dst, int want, int flags, int64_t *out_len)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_record_pop(rs, slot0, stride, entry_size,
						    dst, want, out_len))
	{
		struct pc_op o = { .kind = PC_RECORD_POP,
				   .base = (char *)slot0, .stride = stride,
				   .a = (uint64_t)entry_size, .dst = dst,
				   .want = want, .flags = flags,
				   .out = out_len };
		return drive(&o, r);
	}
}

int cpuopv_pc_record_pop(uint64_t *slot0, long stride, long entry_size,
			 void *dst, int want, int flags, int64_t *out_len)
{
	if (entry_size < 8 || entry_size - 8 > CPU_OP_DATA_LEN_MAX)
		return CPUOPV_PC_ERRNO(EINVAL);
	ONLY_ATTEMPT(flags, cpuopv_rseq_record_pop(rs, slot0, stride,
						   entry_size, dst, want,
						   out_len))
	return record_pop_driven(slot0, stride, entry_size, dst, want, flags,
				 out_len);
}

DRIVEN reserve_driven(uint64_t *slot0, long stride, long tail_offset,
		      uint64_t capacity, int want, int flags, uint64_t *out)
{
	FIRST_ATTEMPT(flags, cpuopv_rseq_reserve(rs, slot0, stride, tail_offset,
						 capacity, want, out))
	{
		struct pc_op o = { .kind = PC_RESERVE, .base = (char *)slot0,
				   .stride = stride, .a = (uint64_t)tail_offset,
				   .b = capacity, .want = want, .flags = flags,
				   .out = out };
		return drive(&o, r);
	}
}

int cpuopv_pc_reserve(uint64_t *slot0, long stride, long tail_offset,
		      uint64_t capacity, int want, int flags, uint64_t *out)
{
	ONLY_ATTEMPT(flags, cpuopv_rseq_reserve(rs, slot0, stride, tail_offset,
						capacity, want, out))
	return reserve_driven(slot0, stride, tail_offset, capacity, want,
			      flags, out);
}
