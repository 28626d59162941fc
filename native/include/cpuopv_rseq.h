/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-CPU operations on the calling thread's CPU: restartable sequences
 * (rseq) on the fast path, cpu_opv as the slow path.
 *
 * Two layers:
 *
 *  - cpuopv_rseq_*(): the critical sections themselves (rseq_x86_64.c, in
 *    assembly), one attempt each on the thread's struct rseq;
 *  - cpuopv_pc_*(): what a program calls.  One attempt in rseq; when the
 *    section was aborted, more attempts, and after cpuopv_pc_max_aborts()
 *    aborts in a row the same operation runs through cpu_opv on the CPU
 *    just read (when /dev/cpu_opv works): the forward-progress guarantee.
 *    Where rseq is unavailable (glibc older than 2.35, the tunable
 *    glibc.pthread.rseq=0, a seccomp filter, a failed registration) every
 *    call goes to cpu_opv, or answers CPUOPV_PC_UNAVAILABLE without it.
 *
 * Per-CPU data is addressed base + cpu * stride (cpu < the possible CPUs).
 * Every function returns the CPU the operation was done on (>= 0), or:
 */
#ifndef CPUOPV_RSEQ_H
#define CPUOPV_RSEQ_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The operation's comparison failed (full, empty, not equal): nothing changed. */
#define CPUOPV_RSEQ_FAILED	(-1)
/* cpuopv_rseq_*() only: the kernel aborted the section, nothing changed. */
#define CPUOPV_RSEQ_ABORTED	(-2)
/* want >= 0 and the thread does not run on that CPU: nothing changed. */
#define CPUOPV_RSEQ_WRONG_CPU	(-3)
/*
 * cpuopv_rseq_*(): this thread has no CPU number in its struct rseq (its
 * registration failed); cpuopv_pc_*(): neither rseq nor cpu_opv is usable.
 */
#define CPUOPV_PC_UNAVAILABLE	(-4)
/* cpuopv_pc_*() with CPUOPV_PC_NO_SYSCALL: no rseq, or aborts injected. */
#define CPUOPV_PC_SLOW		(-5)
/* cpuopv_pc_*(): a system call failed with errno e (EINVAL, EFAULT...). */
#define CPUOPV_PC_ERRNO(e)	(-1000 - (e))
#define CPUOPV_PC_IS_ERRNO(r)	((r) <= -1000)
#define CPUOPV_PC_ERRNO_OF(r)	(-1000 - (r))

/* The signature before every abort handler: glibc's RSEQ_SIG on x86. */
#define CPUOPV_RSEQ_SIG		0x53053053

struct rseq;

/* ---- the critical sections (one attempt; see rseq_x86_64.c) ---- */

int cpuopv_rseq_add(struct rseq *rs, int64_t *word0, long stride,
		    int64_t delta, int want);
int cpuopv_rseq_cmpeq_store(struct rseq *rs, int64_t *word0, long stride,
			    int64_t expect, int64_t value, int want);
int cpuopv_rseq_list_push(struct rseq *rs, uint64_t *head0, long stride,
			  uint64_t node, long next_offset, int want);
int cpuopv_rseq_list_pop(struct rseq *rs, uint64_t *head0, long stride,
			 long next_offset, int want, uint64_t *out);
int cpuopv_rseq_stack_push(struct rseq *rs, uint64_t *slot0, long stride,
			   uint64_t capacity, int64_t value, int want);
int cpuopv_rseq_stack_pop(struct rseq *rs, uint64_t *slot0, long stride,
			  int want, int64_t *out);
int cpuopv_rseq_record_push(struct rseq *rs, uint64_t *slot0, long stride,
			    uint64_t capacity, long entry_size,
			    const void *src, long len, int want);
int cpuopv_rseq_record_pop(struct rseq *rs, uint64_t *slot0, long stride,
			   long entry_size, void *dst, int want,
			   int64_t *out_len);
int cpuopv_rseq_reserve(struct rseq *rs, uint64_t *slot0, long stride,
			long tail_offset, uint64_t capacity, int want,
			uint64_t *out);

/* ---- availability ---- */

/*
 * 0 when this process's threads have an rseq area registered by glibc,
 * else the reason as an errno: ENOSYS (glibc without __rseq_offset, older
 * than 2.35), ENOTSUP (glibc registered none: __rseq_size is 0, e.g.
 * GLIBC_TUNABLES=glibc.pthread.rseq=0, a seccomp filter, an old kernel).
 */
int cpuopv_rseq_status(void);
/* The calling thread's struct rseq, or NULL when cpuopv_rseq_status() != 0. */
struct rseq *cpuopv_rseq_self(void);
/* The CPU the thread runs on: rseq's cpu_id, else sched_getcpu(); -1 on error. */
int cpuopv_pc_current_cpu(void);

/* ---- operations, with the slow path (a program's API) ---- */

/*
 * flags, or-ed:
 *  - CPUOPV_PC_NO_CPU_OPV: never use cpu_opv for this call (the rseq
 *    backend: no forward-progress fallback; an operation on another CPU
 *    moves the thread there and back);
 *  - CPUOPV_PC_NO_SYSCALL: one attempt in rseq and nothing else: no system
 *    call, no retry, no wait.  Any answer below CPUOPV_RSEQ_FAILED
 *    (ABORTED, WRONG_CPU, SLOW) then means: nothing changed, call again
 *    without the flag.  For callers that must not block (the JVM's critical
 *    FFM downcalls, which hold off safepoints while they run).
 *
 * These functions are exported from the JNI library too (the only symbols
 * besides JNI_OnLoad), so the FFM layer binds the very same code.
 */
#define CPUOPV_PC_NO_CPU_OPV	1
#define CPUOPV_PC_NO_SYSCALL	2
/*
 * The second call after a NO_SYSCALL one answered ABORTED: that abort
 * counts (stats, and toward the aborts in a row before cpu_opv).
 */
#define CPUOPV_PC_AFTER_ABORT	4

#define CPUOPV_PC_API		__attribute__((visibility("default")))

/* word(cpu) += delta. */
CPUOPV_PC_API
int cpuopv_pc_add(int64_t *word0, long stride, int64_t delta, int want, int flags);
/* if word(cpu) == expect: word(cpu) = value, else CPUOPV_RSEQ_FAILED. */
CPUOPV_PC_API
int cpuopv_pc_cmpeq_store(int64_t *word0, long stride, int64_t expect,
			  int64_t value, int want, int flags);
/* node->next = head(cpu), head(cpu) = node (node: an address, 8-aligned). */
CPUOPV_PC_API
int cpuopv_pc_list_push(uint64_t *head0, long stride, uint64_t node,
			long next_offset, int want, int flags);
/* *out = head(cpu), head(cpu) = (*out)->next; FAILED when empty. */
CPUOPV_PC_API
int cpuopv_pc_list_pop(uint64_t *head0, long stride, long next_offset,
		       int want, int flags, uint64_t *out);
/* [count][values...]: push value; FAILED when count >= capacity. */
CPUOPV_PC_API
int cpuopv_pc_stack_push(uint64_t *slot0, long stride, uint64_t capacity,
			 int64_t value, int want, int flags);
/* pop into *out; FAILED when empty. */
CPUOPV_PC_API
int cpuopv_pc_stack_pop(uint64_t *slot0, long stride, int want, int flags, int64_t *out);
/* [count][entries of entry_size: [length][data]]: push src[0..len). */
CPUOPV_PC_API
int cpuopv_pc_record_push(uint64_t *slot0, long stride, uint64_t capacity,
			  long entry_size, const void *src, long len, int want, int flags);
/* pop the top record into dst (entry_size - 8 bytes of room), its length into *out_len. */
CPUOPV_PC_API
int cpuopv_pc_record_pop(uint64_t *slot0, long stride, long entry_size,
			 void *dst, int want, int flags, int64_t *out_len);
/* [head]...[tail at tail_offset]: *out = head, head + 1; FAILED when head - tail >= capacity. */
CPUOPV_PC_API
int cpuopv_pc_reserve(uint64_t *slot0, long stride, long tail_offset,
		      uint64_t capacity, int want, int flags, uint64_t *out);

/* ---- policy and test knobs ---- */

/* Aborts in a row before the slow path (default 8; at least 1). */
void cpuopv_pc_set_max_aborts(int n);
int cpuopv_pc_max_aborts(void);
/*
 * Tests: every later operation counts its first n attempts as aborted
 * without entering the section (n >= max aborts: every operation takes the
 * slow path when cpu_opv works).  0 turns it off.  Process-wide.
 */
void cpuopv_pc_inject_aborts(int n);
/*
 * What to do when an operation must run on CPU `want` and the thread runs
 * elsewhere: 1 (default when /dev/cpu_opv works) run it through cpu_opv
 * on that CPU; 0 move the thread there with sched_setaffinity, run it in
 * rseq there, restore the thread's mask (the rseq backend).
 */
void cpuopv_pc_set_use_cpu_opv(int on);
int cpuopv_pc_use_cpu_opv(void);

/* Process-wide counts since start: sections aborted, slow-path runs, migrations. */
struct cpuopv_pc_stats {
	uint64_t aborts;
	uint64_t injected;
	uint64_t slow;
	uint64_t migrations;
};
void cpuopv_pc_get_stats(struct cpuopv_pc_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* CPUOPV_RSEQ_H */
