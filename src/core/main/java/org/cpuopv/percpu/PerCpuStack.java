/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;

/**
 * A bounded stack of 64-bit values per CPU: use case 4 of cpu_opv.
 *
 * <ul>
 * <li>push on CPU c: read {@code n}, then a vector on c "compare count == n, store
 *     value[n] = v, store count = n + 1";</li>
 * <li>pop on CPU c: read {@code n} and {@code top = value[n-1]}, then a vector on c "compare
 *     count == n, compare value[n-1] == top, store count = n - 1" (the second compare catches
 *     a pop and a push of another value in between).</li>
 * </ul>
 *
 * <p><b>Guarantees.</b> Each pushed value is popped at most once and never lost; LIFO per CPU.
 * Full and empty are answered per CPU ({@code push} returns false, {@code tryPop} returns
 * false) and change nothing.
 *
 * <p><b>Memory ordering.</b> None beyond the atomicity of each vector on its CPU: the count is
 * stored without release, so only cpu_opv vectors (and the owner CPU's rseq) see a consistent
 * stack; reading {@link #size(int)} from Java is a hint. Use {@link PerCpuStealingStack} when
 * other CPUs must peek.
 *
 * <p><b>Costs.</b> One {@code sched_getcpu} and one execute per attempt; a retry only when
 * another thread changed that CPU's stack in between. Full / empty: no execute.
 * Memory: {@code 8 + 8 * capacity} bytes per possible CPU, rounded up to 128.
 *
 * <p><b>Migration and CPUs.</b> The current CPU is read before each attempt and the vector runs
 * on that CPU even if the thread has moved. {@code pushOn}/{@code tryPopFrom} target any CPU in
 * the caller's affinity mask.
 */
public final class PerCpuStack extends BoundedStackBase {
    /**
     * @param opv      the handle that owns the memory
     * @param capacity values per CPU, 1..2^20
     */
    public PerCpuStack(CpuOpv opv, int capacity) {
        super(opv, capacity, false);
    }

    /** @return {@code cpu}'s count now (a plain read: a hint) */
    public long size(int cpu) {
        return readCount(slot(cpu));
    }
}
