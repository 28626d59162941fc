/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import org.cpuopv.Backend;

/** What a backend does: run encoded vectors, own memory, tell the CPU. */
public interface Engine {
    Backend kind();

    /** Runs {@code count} encoded {@code struct cpu_op} at {@code ops}; returns 0..4, a flag answer, or -errno. */
    int exec(long ops, int count, int cpu, int flags);

    /** @return the CPU the calling thread runs on */
    int currentCpu();

    /** @return zeroed, 128-byte aligned memory that {@link #exec} accepts as operands */
    NativeBlock allocate(long bytes);

    /** Frees a block from {@link #allocate}; idempotent. */
    void release(NativeBlock block);

    /** @return the per-CPU operations of the structures on this backend */
    PerCpuOps ops();
}
