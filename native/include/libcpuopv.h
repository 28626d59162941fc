/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcpuopv: the cpu_opv "system call" for C programs, over /dev/cpu_opv.
 *
 *	#include <libcpuopv.h>
 *
 *	struct cpu_op ops[2] = { ... };
 *	int ret = cpu_opv(ops, 2, cpu_opv_current_cpu(), 0);
 *
 * cpu_opv() returns exactly what the proposed system call returns: 0 when
 * every operation ran, k (1..4) when the comparison at index k - 1 failed,
 * or -1 with errno set (EINVAL, EFAULT, EAGAIN; see docs/semantics.md).
 * When the machine has no cpu_opv device it fails with errno ENOSYS, as a
 * kernel without the system call would.
 *
 * Build: compile native/src/libcpuopv.c with -Inative/include
 * -Ikmod/include/uapi into your program (it needs nothing but libc).
 */
#ifndef LIBCPUOPV_H
#define LIBCPUOPV_H

#include <linux/cpu_opv.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Run ops[0..cpuopcnt-1] atomically on CPU cpu (flags 0), or answer a flag
 * query (CPU_OP_NR_FLAG, CPU_OP_VEC_LEN_MAX_FLAG: pass NULL, 0, -1).
 * The device is opened once (O_CLOEXEC) on first use and kept open; a
 * failed open is retried on the next call, so loading the module later
 * works without restarting the program.
 * Thread-safe, async-signal-unsafe only on the very first call.
 */
int cpu_opv(struct cpu_op *cpuopv, int cpuopcnt, int cpu, int flags);

/*
 * 0 when /dev/cpu_opv can be opened, else -1 with errno: ENOSYS when the
 * device does not exist or has no driver behind it (module not loaded),
 * otherwise the errno of open(2) (EACCES, EMFILE, ...).
 */
int cpu_opv_available(void);

/*
 * errno of the last failed open(2) of the device exactly as open returned
 * it (ENOENT, ENXIO, EACCES, ...), before cpu_opv() mapped it to ENOSYS;
 * 0 if no open has failed.  For diagnostics only.
 */
int cpu_opv_open_errno(void);

/* The CPU the calling thread runs on now (sched_getcpu()), or -1 with errno. */
int cpu_opv_current_cpu(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBCPUOPV_H */
