/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;

/**
 * A bounded stack of 64-bit values per CPU: use case 4 of cpu_opv.
 *
 * <ul>
 * <li>{@link #push} on the caller's CPU: one restartable sequence "n = count; full if n &gt;=
 *     capacity; value[n] = v; commit count = n + 1";</li>
 * <li>{@link #pop} on the caller's CPU: one sequence "n = count; empty if 0; v = value[n-1];
 *     commit count = n - 1";</li>
 * <li>{@link #pushOn}/{@link #popFrom} another CPU: the same as a cpu_opv vector there ("compare
 *     count == n, compare value[n-1] == top, store count = n - 1": the second compare catches a
 *     pop and a push of another value in between), or a move there and back (rseq backend).</li>
 * </ul>
 *
 * <p><b>Guarantees.</b> Each pushed value is popped at most once and never lost; LIFO per CPU.
 * Full and empty are answered per CPU ({@code push} returns false, {@code pop} its
 * {@code ifEmpty}) and change nothing.
 *
 * <p><b>Memory ordering.</b> None beyond the atomicity of each vector on its CPU: the count is
 * stored without release, so only cpu_opv vectors (and the owner CPU's rseq) see a consistent
 * stack; reading {@link #size(int)} from Java is a hint. Use {@link PerCpuStealingStack} when
 * other CPUs must peek.
 *
 * <p><b>Costs.</b> {@link #push}/{@link #pop}: one native call, no system call (cpu_opv only after
 * repeated aborts, kernel backend), nothing allocated, no context.
 * Memory: {@code 8 + 8 * capacity} bytes per possible CPU, rounded up to 128.
 *
 * <p><b>Migration and CPUs.</b> The current CPU is read inside the sequence: a migration before
 * the commit restarts it on the new CPU. {@code pushOn}/{@code popFrom} target any CPU in the
 * caller's affinity mask (else IllegalArgumentException, nothing changed).
 */
public final class PerCpuStack extends BoundedStackBase {
    /**
     * @param opv      the handle that owns the memory
     * @param capacity values per CPU, 1..2^20
     */
    public PerCpuStack(CpuOpv opv, int capacity) {
        super(opv, capacity, false);
    }

    /**
     * @param cpu the CPU whose count to read: a possible CPU
     * @return {@code cpu}'s count now (a plain read: a hint)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public long size(int cpu) {
        return readCount(slot(cpu));
    }
}
