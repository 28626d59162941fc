/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.Slot;
import org.cpuopv.internal.Mem;
import org.cpuopv.internal.PerCpuOps;
import org.cpuopv.internal.ThreadState;

/**
 * The per-CPU bounded stack of 64-bit values shared by {@link PerCpuStack} and
 * {@link PerCpuStealingStack}: slot layout {@code [count][value 0][value 1]...}, all longs.
 */
abstract class BoundedStackBase extends PerCpuStructure {
    static final long COUNT = 0;
    static final long VALUES = 8;

    final int capacity;
    private final boolean release;  // readers peek with acquire (x86: every commit store is a release)

    BoundedStackBase(CpuOpv opv, int capacity, boolean release) {
        super(opv, slotBytes(capacity));
        this.capacity = capacity;
        this.release = release;
    }

    private static int slotBytes(int capacity) {
        if (capacity < 1 || capacity > (1 << 20)) {
            throw new IllegalArgumentException("capacity " + capacity + " is not in 1..1048576");
        }
        return 8 + 8 * capacity;
    }

    /** @return the most values one CPU's stack holds */
    public final int capacity() {
        return capacity;
    }

    final long readCount(Slot s) {
        return release ? s.getLongAcquire(COUNT) : s.getLong(COUNT);
    }

    /**
     * Pushes {@code value} on the CPU the caller runs on (one restartable sequence: load the
     * count, store the value above it, commit the count; no context needed).
     *
     * @param value the value to push, any {@code long}
     * @return true when pushed; false when that CPU's stack was full (nothing changed)
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public final boolean push(long value) {
        checkOpen();
        return PerCpuOps.check(ops.stackPush(base, stride, capacity, value, -1), "push") >= 0;
    }

    /**
     * Pushes on {@code cpu}'s stack (cpu_opv there, or a move there).
     *
     * @param cpu   the CPU whose stack to push on: a possible CPU in the caller's affinity mask
     * @param value the value to push, any {@code long}
     * @return true when pushed; false when it was full (nothing changed)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public final boolean pushOn(int cpu, long value) {
        return PerCpuOps.check(ops.stackPush(base, stride, capacity, value, target(cpu)), "pushOn") >= 0;
    }

    /**
     * Pops from the CPU the caller runs on.
     *
     * @param ifEmpty what to answer when that CPU's stack is empty (a value never pushed)
     * @return the value popped, or {@code ifEmpty}
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public final long pop(long ifEmpty) {
        checkOpen();
        ThreadState ts = ThreadState.current();
        return PerCpuOps.check(ops.stackPop(base, stride, -1, ts.out), "pop") >= 0 ? Mem.getLong(ts.out) : ifEmpty;
    }

    /**
     * Pops from {@code cpu}'s stack (cpu_opv there, or a move there).
     *
     * @param cpu     the CPU whose stack to pop from: a possible CPU in the caller's affinity mask
     * @param ifEmpty what to answer when that stack is empty (a value never pushed)
     * @return the value, or {@code ifEmpty}
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public final long popFrom(int cpu, long ifEmpty) {
        ThreadState ts = ThreadState.current();
        return PerCpuOps.check(ops.stackPop(base, stride, target(cpu), ts.out), "popFrom") >= 0
                ? Mem.getLong(ts.out) : ifEmpty;
    }
}
