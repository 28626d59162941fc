/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.CpuSet;
import org.cpuopv.PerCpuArena;
import org.cpuopv.Slot;
import org.cpuopv.internal.Access;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.NativeLibrary;
import org.cpuopv.internal.PerCpuOps;

/** What every structure of this package has: a handle and one arena slot per possible CPU. */
abstract class PerCpuStructure implements AutoCloseable {
    final CpuOpv opv;
    final PerCpuArena arena;
    /** The backend's operations: rseq (+ cpu_opv), or Java under the emulated locks. */
    final PerCpuOps ops;
    /** Address of CPU 0's slot, and bytes per CPU: CPU c's slot is at base + c * stride. */
    final long base;
    final long stride;

    PerCpuStructure(CpuOpv opv, int slotBytes) {
        this.opv = opv;
        this.arena = opv.allocateArena(slotBytes);
        this.ops = Access.ops(opv);
        this.base = arena.baseAddress();
        this.stride = arena.slotSize();
    }

    /** @throws IllegalStateException when closed (one volatile read) */
    final void checkOpen() {
        if (!arena.isOpen()) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
    }

    /** @return {@code cpu} when it is a possible CPU (else IllegalArgumentException), the structure open */
    final int target(int cpu) {
        slot(cpu);
        checkOpen();
        return cpu;
    }

    /**
     * @return the CPUs the calling thread may run on (its affinity mask, which a container's
     *         cpuset bounds), among the possible ones: the only ones another CPU's operation can
     *         reach
     */
    final CpuSet allowedCpus() {
        CpuSet possible = opv.possibleCpus();
        if (!NativeLibrary.isLoaded()) {
            return possible;
        }
        long[] mask = new long[(possible.max() + 64) / 64];
        if (NativeCalls.getAffinity(mask) != 0) {
            return possible;
        }
        java.util.BitSet bits = java.util.BitSet.valueOf(mask);
        return CpuSet.of(bits.stream().filter(possible::contains).toArray());
    }

    /** @return the slot of {@code cpu}; IllegalArgumentException when it is not a possible CPU */
    final Slot slot(int cpu) {
        return arena.slot(cpu);
    }

    /** @return the handle the memory belongs to */
    public final CpuOpv opv() {
        return opv;
    }

    /** Frees the per-CPU memory; idempotent. Using the structure afterwards throws IllegalStateException. */
    @Override
    public void close() {
        arena.close();
    }
}
