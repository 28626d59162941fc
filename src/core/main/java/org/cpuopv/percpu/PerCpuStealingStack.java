/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.CpuSet;
import org.cpuopv.Slot;
import org.cpuopv.internal.Errno;
import org.cpuopv.internal.Mem;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.PerCpuOps;
import org.cpuopv.internal.ThreadState;

/**
 * {@link PerCpuStack} whose count is stored with release, so any thread on any CPU can peek at a
 * CPU's stack, plus work stealing: use case 5 of cpu_opv.
 *
 * <p>Push and pop are those of {@link PerCpuStack} with a store-release of the count. Stealing
 * ({@link #steal}) takes the top value of a victim CPU's stack for the caller: a pop run
 * <em>on the victim's CPU</em> by cpu_opv (no {@code sched_setaffinity}, no cooperation from the
 * victim; the rseq backend moves the thread there and back). {@link #popAny} pops here, else
 * steals from the first reachable non-empty stack.
 *
 * <p><b>Guarantees.</b> Those of {@link PerCpuStack}; a steal loses and duplicates nothing: the
 * value goes from the victim's stack straight to the caller, on no stack in between and never
 * pushed anywhere by the library, so no error path (full stacks, a CPU leaving the caller's mask,
 * an exception) can hold the only copy of it.
 *
 * <p><b>Memory ordering.</b> The count is stored with release after the value: a thread that
 * reads {@link #peekSize(int)} {@code == n} (an acquire read) then sees value[0..n) as they were
 * pushed ({@link #peekTop(int, long)}), though they may be popped at any moment after.
 *
 * <p><b>Costs.</b> Push, pop: as {@link PerCpuStack}. Peek: no call. Steal: one cpu_opv on the
 * victim's CPU (an IPI; kernel backend) or two {@code sched_setaffinity} (rseq backend).
 * Memory as {@link PerCpuStack}.
 *
 * <p><b>Migration and CPUs.</b> As {@link PerCpuStack}; stealing targets the victim's CPU, which
 * must be in the caller's affinity mask.
 */
public final class PerCpuStealingStack extends BoundedStackBase {
    /**
     * @param opv      the handle that owns the memory
     * @param capacity values per CPU, 1..2^20
     */
    public PerCpuStealingStack(CpuOpv opv, int capacity) {
        super(opv, capacity, true);
    }

    /**
     * @param cpu the CPU whose count to read: a possible CPU
     * @return {@code cpu}'s count (an acquire read, valid from any CPU)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public long peekSize(int cpu) {
        return slot(cpu).getLongAcquire(COUNT);
    }

    /**
     * @param cpu the CPU whose top value to read: a possible CPU
     * @param ifEmpty what to answer when that stack looks empty
     * @return {@code cpu}'s top value as of {@link #peekSize}, or {@code ifEmpty}; a hint: it may
     *         be popped at once
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public long peekTop(int cpu, long ifEmpty) {
        Slot s = slot(cpu);
        long n = s.getLongAcquire(COUNT);
        return n <= 0 ? ifEmpty : s.getLong(VALUES + 8 * (n - 1));
    }

    /**
     * Takes the top value of {@code victim}'s stack for the caller (a pop run on the victim's
     * CPU): the work-stealing step. The value is the caller's, on no stack, so nothing can be
     * lost or left behind whatever happens next.
     *
     * @param victim  the CPU whose stack to take from: a possible CPU in the caller's affinity mask (the
     *                caller's own CPU works too: a plain pop)
     * @param ifEmpty what to answer when the victim's stack is empty (a value never pushed)
     * @return the value, or {@code ifEmpty} when the victim's stack was empty
     * @throws IllegalArgumentException when {@code victim} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public long steal(int victim, long ifEmpty) {
        return popFrom(victim, ifEmpty);
    }

    /**
     * Pops a value from the first non-empty stack the caller can reach: the current CPU's, then
     * those of the other CPUs the caller may run on (a pop run on each victim's CPU), for a
     * consumer that takes work from wherever it is. A CPU that cannot be reached (it left the
     * caller's mask or went offline meanwhile) is skipped: nothing is taken from it, nothing lost.
     * Stacks of CPUs outside the caller's affinity mask (a container's cpuset smaller than the
     * machine) are not reached; their values stay there.
     *
     * @param ifEmpty what to answer when every reachable stack looks empty (a value never pushed)
     * @return the value taken, now the caller's, or {@code ifEmpty} when every reachable stack
     *         looked empty
     * @throws IllegalStateException when the structure is closed, or a native call reports an error other than
     *         an unreachable CPU (the message names it; nothing was taken)
     */
    public long popAny(long ifEmpty) {
        checkOpen();
        ThreadState ts = ThreadState.current();
        if (PerCpuOps.check(ops.stackPop(base, stride, -1, ts.out), "popAny") >= 0) {
            return Mem.getLong(ts.out);
        }
        CpuSet cpus = allowedCpus();
        for (int i = 0; i < cpus.size(); i++) {
            int cpu = cpus.get(i);
            if (peekSize(cpu) <= 0) {
                continue;
            }
            int r = ops.stackPop(base, stride, cpu, ts.out);
            if (r >= 0) {
                return Mem.getLong(ts.out);
            }
            if (r != NativeCalls.PC_FAILED && r != NativeCalls.PC_ERRNO_BASE - Errno.EINVAL) {
                PerCpuOps.check(r, "popAny"); // an error other than "unreachable": nothing was taken
            }
        }
        return ifEmpty;
    }
}
