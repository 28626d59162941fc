/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpu_opv_sys.h: the cpu_opv() "system call" for the tests and the
 * benchmark, as a wrapper over the CPU_OPV_IOC_EXEC ioctl of /dev/cpu_opv,
 * plus initialisers for the six operations.
 *
 * The device is opened once per process, lazily, so that a process that
 * never calls cpu_opv() never holds a reference on the module (the
 * rmmod/insmod cases depend on that).
 */
#ifndef CPU_OPV_SYS_H
#define CPU_OPV_SYS_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/cpu_opv.h>

static int cpu_opv_fd_cache = -1;

/* The device fd of this process, opened on first use; -1 with errno if absent. */
static inline int cpu_opv_fd(void)
{
	if (cpu_opv_fd_cache < 0)
		cpu_opv_fd_cache = open(CPU_OPV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return cpu_opv_fd_cache;
}

/* Drop this process's reference on the device (and so on the module). */
static inline void cpu_opv_close(void)
{
	if (cpu_opv_fd_cache >= 0)
		close(cpu_opv_fd_cache);
	cpu_opv_fd_cache = -1;
}

/* The ioctl with a fully caller-built argument block (to poke at "reserved"). */
static inline int cpu_opv_args_exec(struct cpu_opv_args *args)
{
	return ioctl(cpu_opv_fd(), CPU_OPV_IOC_EXEC, args);
}

/* What the proposed system call would have been: same arguments, same result. */
static inline int cpu_opv(struct cpu_op *ops, int cnt, int cpu, int flags)
{
	struct cpu_opv_args args = {
		.cpuopv = (__u64)(uintptr_t)ops,
		.cpuopcnt = cnt, .cpu = cpu, .flags = flags,
	};

	return cpu_opv_args_exec(&args);
}

/*
 * Operation initialisers. They return the struct by value so a vector reads
 * as a list: struct cpu_op v[] = { op_cmp_eq(&x, &y, 8), op_add(&c, 1, 8) };
 * expect_fault flags are set by the caller afterwards when needed.
 */
static inline struct cpu_op cpu_op_cmp(int type, const void *a, const void *b,
				       unsigned int len)
{
	struct cpu_op op;

	memset(&op, 0, sizeof(op));
	op.op = type;
	op.len = len;
	op.u.compare_op.a = (__u64)(uintptr_t)a;
	op.u.compare_op.b = (__u64)(uintptr_t)b;
	return op;
}

static inline struct cpu_op cpu_op_copy(int type, void *dst, const void *src,
					unsigned int len)
{
	struct cpu_op op;

	memset(&op, 0, sizeof(op));
	op.op = type;
	op.len = len;
	op.u.memcpy_op.dst = (__u64)(uintptr_t)dst;
	op.u.memcpy_op.src = (__u64)(uintptr_t)src;
	return op;
}

static inline struct cpu_op cpu_op_arith(int type, void *p, int64_t count,
					 unsigned int len)
{
	struct cpu_op op;

	memset(&op, 0, sizeof(op));
	op.op = type;
	op.len = len;
	op.u.arithmetic_op.p = (__u64)(uintptr_t)p;
	op.u.arithmetic_op.count = count;
	return op;
}

#define op_cmp_eq(a, b, len)	cpu_op_cmp(CPU_COMPARE_EQ_OP, a, b, len)
#define op_cmp_ne(a, b, len)	cpu_op_cmp(CPU_COMPARE_NE_OP, a, b, len)
#define op_memcpy(d, s, len)	cpu_op_copy(CPU_MEMCPY_OP, d, s, len)
#define op_memcpy_rel(d, s, len) cpu_op_copy(CPU_MEMCPY_RELEASE_OP, d, s, len)
#define op_add(p, n, len)	cpu_op_arith(CPU_ADD_OP, p, n, len)
#define op_add_rel(p, n, len)	cpu_op_arith(CPU_ADD_RELEASE_OP, p, n, len)

#define CPU_OPV_ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))

#endif /* CPU_OPV_SYS_H */
