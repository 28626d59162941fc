/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.PerCpuArena;
import org.cpuopv.Slot;

/** What every structure of this package has: a handle and one arena slot per possible CPU. */
abstract class PerCpuStructure implements AutoCloseable {
    final CpuOpv opv;
    final PerCpuArena arena;

    PerCpuStructure(CpuOpv opv, int slotBytes) {
        this.opv = opv;
        this.arena = opv.allocateArena(slotBytes);
    }

    /** @return the slot of {@code cpu}; IllegalArgumentException when it is not a possible CPU */
    final Slot slot(int cpu) {
        return arena.slot(cpu);
    }

    final void check(PerCpuContext ctx) {
        if (ctx.opv != opv) {
            throw new IllegalArgumentException("the context belongs to another CpuOpv handle");
        }
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
