/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The restartable sequences (rseq) of libcpuopv, x86-64, in assembly.
 *
 * Each function below is one critical section on the calling thread's
 * current CPU, written as a whole function in assembly so that nothing the
 * compiler does can land inside a section.  The rules they follow, all of
 * them from the kernel's rseq ABI (include/uapi/linux/rseq.h):
 *
 *  - A section is described by a struct rseq_cs (32 bytes: u32 version = 0,
 *    u32 flags = 0, u64 start_ip, u64 post_commit_offset, u64 abort_ip).
 *    The descriptors live in .data.rel.ro: the dynamic loader writes the
 *    absolute addresses at load time, RELRO then makes them read-only.
 *  - Entering: the descriptor's address is stored into the thread's
 *    struct rseq (field rseq_cs, offset 8) by the *last* instruction before
 *    start_ip.  Preempted before that store, the kernel sees an IP outside
 *    any section (and clears a stale rseq_cs); preempted after it, the IP
 *    is at or past start_ip: the section restarts.  There is no window.
 *  - cpu_id (offset 4) is read *inside* the section, after start_ip: from
 *    then on a migration, a preemption or a signal sends the thread to
 *    abort_ip before it can execute the commit, so the CPU read is the CPU
 *    the commit runs on.  No cpu_id_start pre-read is needed.
 *  - Everything before the commit only loads, or stores to memory nobody
 *    else can see yet (a slot above the count, a node being pushed, the
 *    caller's output buffer): re-running it after an abort is harmless.
 *  - The commit is one store (or one non-locked read-modify-write add)
 *    instruction, the last of the section: post_commit_offset ends right
 *    after it.  An instruction either ran entirely or not at all when the
 *    kernel looks at the IP, so the commit is atomic against everything
 *    else that runs on this CPU.  No lock prefix: nothing on another CPU
 *    writes this CPU's data (cpu_opv on this CPU runs in an IPI or in a
 *    system call on it, which aborts or excludes the section).
 *  - abort_ip must be preceded by the 4-byte signature the thread
 *    registered (glibc registers RSEQ_SIG, 0x53053053 on x86); the kernel
 *    checks it before jumping there, and kills the thread if it differs.
 *    The signature sits after an unconditional ret, so it is never
 *    executed.  abort_ip lies outside [start_ip, start_ip +
 *    post_commit_offset), as the kernel requires.
 *  - x86 stores are not reordered with earlier stores (TSO): a plain mov
 *    commit is a store-release, so a structure that publishes with release
 *    semantics needs no fence.
 *
 * Calling convention: System V AMD64, the thread's struct rseq in %rdi.
 * Every function returns in %eax the CPU it committed on (>= 0), or
 * CPUOPV_RSEQ_FAILED (-1: the comparison of the operation failed, nothing
 * was written), CPUOPV_RSEQ_ABORTED (-2: the kernel aborted the section,
 * nothing was committed), CPUOPV_RSEQ_WRONG_CPU (-3: `want` >= 0 and the
 * thread does not run on that CPU) or CPUOPV_PC_UNAVAILABLE (-4: the
 * thread's cpu_id is negative, its rseq registration failed).  Per-CPU data is addressed as
 * base + cpu * stride.  The C prototypes and the layouts are in
 * cpuopv_rseq.h; the C wrappers (retries, cpu_opv fallback) in
 * cpuopv_rseq.c.
 */
#include <stddef.h>
#include <linux/rseq.h>

#include "cpuopv_rseq.h"

#if !defined(__x86_64__)
#error "rseq_x86_64.c is the x86-64 implementation"
#endif

_Static_assert(offsetof(struct rseq, cpu_id) == 4, "rseq.cpu_id at 4");
_Static_assert(offsetof(struct rseq, rseq_cs) == 8, "rseq.rseq_cs at 8");
_Static_assert(offsetof(struct rseq_cs, start_ip) == 8, "rseq_cs.start_ip");
_Static_assert(offsetof(struct rseq_cs, post_commit_offset) == 16,
	       "rseq_cs.post_commit_offset");
_Static_assert(offsetof(struct rseq_cs, abort_ip) == 24, "rseq_cs.abort_ip");
_Static_assert(CPUOPV_RSEQ_FAILED == -1 && CPUOPV_RSEQ_ABORTED == -2 &&
	       CPUOPV_RSEQ_WRONG_CPU == -3 && CPUOPV_PC_UNAVAILABLE == -4,
	       "the numbers written below");

#define STR_(x) #x
#define STR(x) STR_(x)

/* Function header: global, hidden (not exported from the .so), typed. */
#define FUNC(name)							\
	".text\n"							\
	".globl " name "\n"						\
	".hidden " name "\n"						\
	".type " name ", @function\n"					\
	".balign 16\n"							\
	name ":\n"

/*
 * The section's descriptor: start at name.start, post-commit right after
 * the commit instruction (label name.post), abort handler at name.abort.
 */
#define DESCRIPTOR(name)						\
	".pushsection .data.rel.ro.cpuopv_rseq, \"aw\"\n"		\
	".balign 32\n"							\
	name ".cs:\n"							\
	".long 0, 0\n"			/* version, flags */		\
	".quad " name ".start\n"					\
	".quad " name ".post - " name ".start\n"			\
	".quad " name ".abort\n"					\
	".popsection\n"

/*
 * Enter the section (rs: register holding the struct rseq), read the CPU
 * into %eax and check it against `want` (a 32-bit register; < 0: any CPU).
 */
#define ENTER(name, rs, want)						\
	"leaq " name ".cs(%rip), %rax\n"				\
	"movq %rax, 8(" rs ")\n"	/* rseq->rseq_cs = &descriptor */ \
	name ".start:\n"						\
	"movl 4(" rs "), %eax\n"	/* cpu = rseq->cpu_id */	\
	"testl %eax, %eax\n"		/* < 0: not registered */	\
	"js " name ".nocpu\n"						\
	"testl " want ", " want "\n"					\
	"js " name ".anycpu\n"						\
	"cmpl " want ", %eax\n"						\
	"jne " name ".wrong\n"						\
	name ".anycpu:\n"

/*
 * The exits: failed compare, wrong CPU, no CPU (cpu_id is negative: glibc's
 * registration failed for this thread, RSEQ_CPU_ID_REGISTRATION_FAILED,
 * though __rseq_size says rseq is there; never an index), then signature
 * and abort handler.
 */
#define EXITS(name)							\
	name ".failed:\n"						\
	"movl $-1, %eax\n"						\
	"ret\n"								\
	name ".wrong:\n"						\
	"movl $-3, %eax\n"						\
	"ret\n"								\
	name ".nocpu:\n"						\
	"movl $-4, %eax\n"						\
	"ret\n"								\
	".long " STR(CPUOPV_RSEQ_SIG) "\n"	/* never executed */	\
	name ".abort:\n"						\
	"movl $-2, %eax\n"						\
	"ret\n"								\
	".size " name ", . - " name "\n"

__asm__(
/*
 * int cpuopv_rseq_add(struct rseq *rs, int64_t *word0, long stride,
 *                     int64_t delta, int want)
 *   rdi = rs, rsi = word0, rdx = stride, rcx = delta, r8d = want
 * word(cpu) += delta.  The commit is the add itself: one instruction.
 */
FUNC("cpuopv_rseq_add")
DESCRIPTOR("cpuopv_rseq_add")
ENTER("cpuopv_rseq_add", "%rdi", "%r8d")
	"movl %eax, %r10d\n"
	"imulq %rdx, %r10\n"
	"addq %rsi, %r10\n"		/* r10 = &word(cpu) */
	"addq %rcx, (%r10)\n"		/* commit */
"cpuopv_rseq_add.post:\n"
	"ret\n"
EXITS("cpuopv_rseq_add")

/*
 * int cpuopv_rseq_cmpeq_store(struct rseq *rs, int64_t *word0, long stride,
 *                             int64_t expect, int64_t value, int want)
 *   rdi = rs, rsi = word0, rdx = stride, rcx = expect, r8 = value,
 *   r9d = want
 * Load-compare-store: if word(cpu) == expect, word(cpu) = value.
 */
FUNC("cpuopv_rseq_cmpeq_store")
DESCRIPTOR("cpuopv_rseq_cmpeq_store")
ENTER("cpuopv_rseq_cmpeq_store", "%rdi", "%r9d")
	"movl %eax, %r10d\n"
	"imulq %rdx, %r10\n"
	"addq %rsi, %r10\n"		/* r10 = &word(cpu) */
	"cmpq %rcx, (%r10)\n"
	"jne cpuopv_rseq_cmpeq_store.failed\n"
	"movq %r8, (%r10)\n"		/* commit */
"cpuopv_rseq_cmpeq_store.post:\n"
	"ret\n"
EXITS("cpuopv_rseq_cmpeq_store")

/*
 * int cpuopv_rseq_list_push(struct rseq *rs, uint64_t *head0, long stride,
 *                           uint64_t node, long next_offset, int want)
 *   rdi = rs, rsi = head0, rdx = stride, rcx = node (an address),
 *   r8 = next_offset, r9d = want
 * node->next = head(cpu); head(cpu) = node.  The node is the caller's
 * until the commit publishes it, so writing its next again after an abort
 * is harmless.
 */
FUNC("cpuopv_rseq_list_push")
DESCRIPTOR("cpuopv_rseq_list_push")
ENTER("cpuopv_rseq_list_push", "%rdi", "%r9d")
	"movl %eax, %r10d\n"
	"imulq %rdx, %r10\n"
	"addq %rsi, %r10\n"		/* r10 = &head(cpu) */
	"movq (%r10), %r11\n"		/* h = head */
	"movq %r11, (%rcx,%r8)\n"	/* node->next = h */
	"movq %rcx, (%r10)\n"		/* commit: head = node */
"cpuopv_rseq_list_push.post:\n"
	"ret\n"
EXITS("cpuopv_rseq_list_push")

/*
 * int cpuopv_rseq_list_pop(struct rseq *rs, uint64_t *head0, long stride,
 *                          long next_offset, int want, uint64_t *out)
 *   rdi = rs, rsi = head0, rdx = stride, rcx = next_offset, r8d = want,
 *   r9 = out
 * Load-compare-load-store: h = head(cpu); h == 0 fails (empty);
 * head(cpu) = h->next; *out = h.  h->next is read inside the section: h
 * is the head until the commit (any other pop of this CPU's list would
 * have preempted or interrupted us: abort), so it is alive and its next
 * current.  No ABA.
 */
FUNC("cpuopv_rseq_list_pop")
DESCRIPTOR("cpuopv_rseq_list_pop")
ENTER("cpuopv_rseq_list_pop", "%rdi", "%r8d")
	"movl %eax, %r10d\n"
	"imulq %rdx, %r10\n"
	"addq %rsi, %r10\n"		/* r10 = &head(cpu) */
	"movq (%r10), %r11\n"		/* h = head */
	"testq %r11, %r11\n"
	"jz cpuopv_rseq_list_pop.failed\n"
	"movq (%r11,%rcx), %rdx\n"	/* next = h->next */
	"movq %rdx, (%r10)\n"		/* commit: head = next */
"cpuopv_rseq_list_pop.post:\n"
	"movq %r11, (%r9)\n"		/* *out = h */
	"ret\n"
EXITS("cpuopv_rseq_list_pop")

/*
 * int cpuopv_rseq_stack_push(struct rseq *rs, uint64_t *slot0, long stride,
 *                            uint64_t capacity, int64_t value, int want)
 *   rdi = rs, rsi = slot0, rdx = stride, rcx = capacity, r8 = value,
 *   r9d = want
 * Slot layout: [count][value 0][value 1]...  n = count; n >= capacity
 * fails (full); value[n] = value; commit count = n + 1.
 */
FUNC("cpuopv_rseq_stack_push")
DESCRIPTOR("cpuopv_rseq_stack_push")
ENTER("cpuopv_rseq_stack_push", "%rdi", "%r9d")
	"movl %eax, %r10d\n"
	"imulq %rdx, %r10\n"
	"addq %rsi, %r10\n"		/* r10 = slot(cpu) */
	"movq (%r10), %r11\n"		/* n = count */
	"cmpq %rcx, %r11\n"
	"jae cpuopv_rseq_stack_push.failed\n"	/* unsigned n >= capacity */
	"movq %r8, 8(%r10,%r11,8)\n"	/* value[n] = value */
	"leaq 1(%r11), %r11\n"
	"movq %r11, (%r10)\n"		/* commit: count = n + 1 */
"cpuopv_rseq_stack_push.post:\n"
	"ret\n"
EXITS("cpuopv_rseq_stack_push")

/*
 * int cpuopv_rseq_stack_pop(struct rseq *rs, uint64_t *slot0, long stride,
 *                           int want, int64_t *out)
 *   rdi = rs, rsi = slot0, rdx = stride, ecx = want, r8 = out
 * Load-compare-load-store: n = count; n == 0 fails (empty);
 * v = value[n - 1] (at byte 8 * n); commit count = n - 1; *out = v.
 */
FUNC("cpuopv_rseq_stack_pop")
DESCRIPTOR("cpuopv_rseq_stack_pop")
ENTER("cpuopv_rseq_stack_pop", "%rdi", "%ecx")
	"movl %eax, %r10d\n"
	"imulq %rdx, %r10\n"
	"addq %rsi, %r10\n"		/* r10 = slot(cpu) */
	"movq (%r10), %r11\n"		/* n = count */
	"testq %r11, %r11\n"
	"jz cpuopv_rseq_stack_pop.failed\n"
	"movq (%r10,%r11,8), %rdx\n"	/* v = value[n - 1] */
	"leaq -1(%r11), %r11\n"
	"movq %r11, (%r10)\n"		/* commit: count = n - 1 */
"cpuopv_rseq_stack_pop.post:\n"
	"movq %rdx, (%r8)\n"		/* *out = v */
	"ret\n"
EXITS("cpuopv_rseq_stack_pop")

/*
 * int cpuopv_rseq_record_push(struct rseq *rs, uint64_t *slot0, long stride,
 *                             uint64_t capacity, long entry_size,
 *                             const void *src, [stack] long len,
 *                             [stack] int want)
 *   rdi = rs, rsi = slot0, rdx = stride, rcx = capacity, r8 = entry_size,
 *   r9 = src, 8(%rsp) = len, 16(%rsp) = want
 * Memcpy, then commit store.  Slot layout: [count] then entries of
 * entry_size bytes, each [length][data].  n = count; n >= capacity fails;
 * entry(n).data = src[0..len) (rep movsb: an interrupted copy leaves IP on
 * the instruction, inside the section, so it is aborted and redone);
 * entry(n).length = len; commit count = n + 1.
 */
FUNC("cpuopv_rseq_record_push")
DESCRIPTOR("cpuopv_rseq_record_push")
	"movl 16(%rsp), %r11d\n"	/* want */
	"movq %rdi, %r10\n"		/* rs (rdi is rep movsb's) */
ENTER("cpuopv_rseq_record_push", "%r10", "%r11d")
	"movl %eax, %r11d\n"		/* keep the CPU to return it */
	"imulq %rdx, %rax\n"
	"addq %rsi, %rax\n"		/* rax = slot(cpu) */
	"movq (%rax), %r10\n"		/* n = count */
	"cmpq %rcx, %r10\n"
	"jae cpuopv_rseq_record_push.failed\n"
	"movq %r10, %rdx\n"
	"imulq %r8, %rdx\n"
	"leaq 8(%rax,%rdx), %rdi\n"	/* rdi = entry(n) */
	"movq 8(%rsp), %rcx\n"		/* len */
	"movq %rcx, (%rdi)\n"		/* entry.length = len */
	"addq $8, %rdi\n"		/* entry.data */
	"movq %r9, %rsi\n"
	"rep movsb\n"			/* copy len bytes (DF = 0 by the ABI) */
	"leaq 1(%r10), %r10\n"
	"movq %r10, (%rax)\n"		/* commit: count = n + 1 */
"cpuopv_rseq_record_push.post:\n"
	"movl %r11d, %eax\n"
	"ret\n"
EXITS("cpuopv_rseq_record_push")

/*
 * int cpuopv_rseq_record_pop(struct rseq *rs, uint64_t *slot0, long stride,
 *                            long entry_size, void *dst, int want,
 *                            [stack] int64_t *out_len)
 *   rdi = rs, rsi = slot0, rdx = stride, rcx = entry_size, r8 = dst,
 *   r9d = want, 8(%rsp) = out_len
 * n = count; n == 0 fails; len = entry(n - 1).length (a length larger
 * than the entry also fails: never copy out of it); dst[0..len) =
 * entry(n - 1).data (into the caller's private buffer: redone after an
 * abort); commit count = n - 1; *out_len = len.
 */
FUNC("cpuopv_rseq_record_pop")
DESCRIPTOR("cpuopv_rseq_record_pop")
	"movq %rdi, %r10\n"
ENTER("cpuopv_rseq_record_pop", "%r10", "%r9d")
	"movl %eax, %r9d\n"		/* keep the CPU */
	"imulq %rdx, %rax\n"
	"addq %rsi, %rax\n"		/* rax = slot(cpu) */
	"movq (%rax), %r11\n"		/* n = count */
	"testq %r11, %r11\n"
	"jz cpuopv_rseq_record_pop.failed\n"
	"leaq -1(%r11), %rdx\n"
	"imulq %rcx, %rdx\n"
	"leaq 8(%rax,%rdx), %rsi\n"	/* rsi = entry(n - 1) */
	"leaq -8(%rcx), %r10\n"		/* the most data an entry holds */
	"movq (%rsi), %rdx\n"		/* len = entry.length */
	"cmpq %r10, %rdx\n"
	"ja cpuopv_rseq_record_pop.failed\n"
	"addq $8, %rsi\n"		/* entry.data */
	"movq %r8, %rdi\n"
	"movq %rdx, %rcx\n"
	"rep movsb\n"
	"leaq -1(%r11), %r11\n"
	"movq %r11, (%rax)\n"		/* commit: count = n - 1 */
"cpuopv_rseq_record_pop.post:\n"
	"movq 8(%rsp), %rcx\n"
	"movq %rdx, (%rcx)\n"		/* *out_len = len */
	"movl %r9d, %eax\n"
	"ret\n"
EXITS("cpuopv_rseq_record_pop")

/*
 * int cpuopv_rseq_reserve(struct rseq *rs, uint64_t *slot0, long stride,
 *                         long tail_offset, uint64_t capacity, int want,
 *                         [stack] uint64_t *out)
 *   rdi = rs, rsi = slot0, rdx = stride, rcx = tail_offset, r8 = capacity,
 *   r9d = want, 8(%rsp) = out
 * Compare two, then store: h = head (at 0), t = tail (at tail_offset);
 * h - t >= capacity fails (full); commit head = h + 1; *out = h.  The
 * tail is written by a consumer on any CPU, but it only grows, so a
 * stale t only makes the ring look fuller than it is.
 */
FUNC("cpuopv_rseq_reserve")
DESCRIPTOR("cpuopv_rseq_reserve")
ENTER("cpuopv_rseq_reserve", "%rdi", "%r9d")
	"movl %eax, %r10d\n"
	"imulq %rdx, %r10\n"
	"addq %rsi, %r10\n"		/* r10 = slot(cpu) */
	"movq (%r10), %r11\n"		/* h = head */
	"movq %r11, %rdx\n"
	"subq (%r10,%rcx), %rdx\n"	/* h - tail */
	"cmpq %r8, %rdx\n"
	"jae cpuopv_rseq_reserve.failed\n"
	"leaq 1(%r11), %rdx\n"
	"movq %rdx, (%r10)\n"		/* commit: head = h + 1 */
"cpuopv_rseq_reserve.post:\n"
	"movq 8(%rsp), %rcx\n"
	"movq %r11, (%rcx)\n"		/* *out = h */
	"ret\n"
EXITS("cpuopv_rseq_reserve")
".text\n"
);
