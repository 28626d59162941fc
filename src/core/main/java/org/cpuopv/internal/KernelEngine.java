/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import org.cpuopv.Backend;

/** The kernel module, through libcpuopv's {@code cpu_opv()}. */
public final class KernelEngine implements Engine {
    /** Only once the library loaded and the device opened (the API checks that first). */
    public KernelEngine() {
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
    public PerCpuOps ops() {
        return PerCpuOps.KERNEL;
    }

    @Override
    public void release(NativeBlock block) {
        block.free();
    }
}
