/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The C API of libcpuopv.h: a wrapper of the CPU_OPV_IOC_EXEC ioctl that
 * behaves like the cpu_opv system call would.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libcpuopv.h"

/* The device, opened once; -1 until the first successful open. */
static int cpu_opv_fd = -1;
/* errno of the last failed open, as open(2) gave it. */
static int cpu_opv_last_open_errno;

static int cpu_opv_device_fd(void)
{
	int fd = __atomic_load_n(&cpu_opv_fd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(CPU_OPV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		__atomic_store_n(&cpu_opv_last_open_errno, err, __ATOMIC_RELAXED);
		/*
		 * No node, or a node without a driver (module not loaded):
		 * answer like a kernel without the system call.
		 */
		if (err == ENOENT || err == ENXIO || err == ENODEV)
			err = ENOSYS;
		errno = err;
		return -1;
	}
	/* Two threads raced to open: keep the first fd, close ours. */
	if (!__atomic_compare_exchange_n(&cpu_opv_fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

int cpu_opv(struct cpu_op *cpuopv, int cpuopcnt, int cpu, int flags)
{
	struct cpu_opv_args args = {
		.cpuopv = (__u64)(uintptr_t)cpuopv,
		.cpuopcnt = cpuopcnt,
		.cpu = cpu,
		.flags = flags,
		.reserved = 0,
	};
	int fd = cpu_opv_device_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, CPU_OPV_IOC_EXEC, &args);
}

int cpu_opv_available(void)
{
	return cpu_opv_device_fd() < 0 ? -1 : 0;
}

int cpu_opv_open_errno(void)
{
	return __atomic_load_n(&cpu_opv_last_open_errno, __ATOMIC_RELAXED);
}

int cpu_opv_current_cpu(void)
{
	return sched_getcpu();
}
