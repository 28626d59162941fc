/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cpu_opv: run a vector of up to CPU_OP_VEC_LEN_MAX operations atomically
 * on one CPU, through the /dev/cpu_opv character device.
 *
 * The layout and values are those of the cpu_opv system call proposed for
 * Linux in 2018 (RFC v9); they are an ABI: never change them.
 *
 *	struct cpu_opv_args args = {
 *		.cpuopv = (__u64)(uintptr_t)ops, .cpuopcnt = n, .cpu = cpu,
 *	};
 *	ret = ioctl(fd, CPU_OPV_IOC_EXEC, &args);
 *
 * returns what cpu_opv(ops, n, cpu, flags) would have returned: 0 when
 * every operation ran, k (1..4) when the comparison at index k - 1 failed,
 * or -1 with errno EINVAL, EFAULT or EAGAIN.
 */
#ifndef _UAPI_LINUX_CPU_OPV_H
#define _UAPI_LINUX_CPU_OPV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define CPU_OP_VEC_LEN_MAX		4
#define CPU_OP_ARG_LEN_MAX		24
/* Largest len of a compare or memcpy operation. */
#define CPU_OP_DATA_LEN_MAX		4096
/* Largest len of an add operation (1, 2, 4 or 8). */
#define CPU_OP_ARITHMETIC_DATA_LEN_MAX	8
/* Largest sum of all len in one vector. */
#define CPU_OP_VEC_DATA_LEN_MAX						\
	(CPU_OP_DATA_LEN_MAX +						\
	 (CPU_OP_VEC_LEN_MAX - 1) * CPU_OP_ARITHMETIC_DATA_LEN_MAX)

enum cpu_op_flags {
	CPU_OP_NR_FLAG =		(1U << 0),	/* returns NR_CPU_OPS */
	CPU_OP_VEC_LEN_MAX_FLAG =	(1U << 1),	/* returns 4 */
};

enum cpu_op_type {
	CPU_COMPARE_EQ_OP,		/* compare */
	CPU_COMPARE_NE_OP,		/* compare */
	CPU_MEMCPY_OP,			/* memcpy */
	CPU_MEMCPY_RELEASE_OP,		/* memcpy with release semantic */
	CPU_ADD_OP,			/* arithmetic */
	CPU_ADD_RELEASE_OP,		/* arithmetic with release semantic */

	NR_CPU_OPS,
};

/* Vector of operations to perform. Limited to CPU_OP_VEC_LEN_MAX entries. */
struct cpu_op {
	__s32 op;	/* enum cpu_op_type. */
	__u32 len;	/* data length, in bytes. */
	union {
		struct {
			__aligned_u64 a;
			__aligned_u64 b;
			__u8 expect_fault_a;
			__u8 expect_fault_b;
		} compare_op;
		struct {
			__aligned_u64 dst;
			__aligned_u64 src;
			__u8 expect_fault_dst;
			__u8 expect_fault_src;
		} memcpy_op;
		struct {
			__aligned_u64 p;
			__s64 count;
			__u8 expect_fault_p;
		} arithmetic_op;
		char __padding[CPU_OP_ARG_LEN_MAX];
	} u;
};

/* Argument of CPU_OPV_IOC_EXEC: the system call's four arguments. */
struct cpu_opv_args {
	__aligned_u64 cpuopv;	/* user pointer to struct cpu_op[cpuopcnt] */
	__s32 cpuopcnt;
	__s32 cpu;
	__s32 flags;		/* 0, CPU_OP_NR_FLAG or CPU_OP_VEC_LEN_MAX_FLAG */
	__u32 reserved;		/* must be 0 */
};

/* 0xC9 is unused in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define CPU_OPV_IOC_MAGIC	0xC9
#define CPU_OPV_IOC_EXEC	_IOW(CPU_OPV_IOC_MAGIC, 0x01, struct cpu_opv_args)

#define CPU_OPV_DEVICE_PATH	"/dev/cpu_opv"

#ifdef __cplusplus
static_assert(sizeof(struct cpu_op) == 32, "struct cpu_op is 32 bytes");
static_assert(sizeof(struct cpu_opv_args) == 24, "cpu_opv_args is 24 bytes");
#else
_Static_assert(sizeof(struct cpu_op) == 32, "struct cpu_op is 32 bytes");
_Static_assert(sizeof(struct cpu_opv_args) == 24,
	       "struct cpu_opv_args is 24 bytes");
#endif

#endif /* _UAPI_LINUX_CPU_OPV_H */
