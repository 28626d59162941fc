/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/** The kernel module, through libcpuopv's {@code cpu_opv()}. */
final class KernelEngine implements Engine {
    private KernelEngine() {
    }

    /** @return the engine, or throws the reason it cannot be used */
    static KernelEngine open() {
        BackendUnavailableException cause = unavailabilityCause();
        if (cause != null) {
            throw cause;
        }
        return new KernelEngine();
    }

    /** @return null when the kernel backend is usable, else why not (a fresh exception) */
    static BackendUnavailableException unavailabilityCause() {
        if (!NativeLibrary.isLoaded()) {
            NativeLibraryUnavailableException f = NativeLibrary.failure();
            return new NativeLibraryUnavailableException(f.getMessage(), f);
        }
        int status = NativeCalls.deviceStatus();
        if (status == 0) {
            return null;
        }
        int errno = -status;
        int openErrno = NativeCalls.deviceOpenErrno();
        String what;
        if (errno == Errno.ENOSYS) {
            what = openErrno == Errno.ENOENT
                    ? "/dev/cpu_opv does not exist: the cpu_opv module is not loaded"
                    + " (load it: `insmod kmod/cpu_opv.ko` or `modprobe cpu_opv`)"
                    : "/dev/cpu_opv exists but has no driver behind it (" + Errno.name(openErrno)
                    + "): the cpu_opv module is not loaded (load it: `insmod kmod/cpu_opv.ko`)";
        } else if (errno == Errno.EACCES || errno == Errno.EPERM) {
            what = "/dev/cpu_opv cannot be opened (" + Errno.name(errno)
                    + "): the module creates it with mode 0666; check the udev rule or the node's mode";
        } else {
            what = "/dev/cpu_opv cannot be opened: " + Errno.name(errno) + " (" + NativeCalls.strerror(errno) + ")";
        }
        return new DeviceUnavailableException(what + ". The emulated backend needs no module: "
                + "CpuOpv.open(Backend.EMULATED) or Backend.AUTO.", errno, openErrno);
    }

    @Override
    public Backend kind() {
        return Backend.KERNEL;
    }

    @Override
    public int exec(long ops, int count, int cpu, int flags) {
        return NativeCalls.exec(ops, count, cpu, flags);
    }

    @Override
    public int currentCpu() {
        int cpu = NativeCalls.currentCpu();
        if (cpu < 0) {
            throw new IllegalStateException("sched_getcpu failed: " + Errno.name(-cpu));
        }
        return cpu;
    }

    @Override
    public NativeBlock allocate(long bytes) {
        return NativeBlock.mapped(bytes);
    }

    @Override
    public void release(NativeBlock block) {
        block.free();
    }
}
