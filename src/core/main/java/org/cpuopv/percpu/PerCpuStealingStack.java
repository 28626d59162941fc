/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.CpuSet;
import org.cpuopv.Slot;

/**
 * {@link PerCpuStack} whose count is stored with release, so any thread on any CPU can peek at a
 * CPU's stack, plus work stealing: use case 5 of cpu_opv.
 *
 * <p>Push and pop are those of {@link PerCpuStack} with a store-release of the count. Stealing
 * ({@link #trySteal}) moves the top value of a victim CPU's stack onto the current CPU's: a
 * pop run <em>on the victim's CPU</em> by cpu_opv (no {@code sched_setaffinity}, no cooperation
 * from the victim), then a push here.
 *
 * <p><b>Guarantees.</b> Those of {@link PerCpuStack}; a steal loses and duplicates nothing:
 * between its pop and its push the value is held by the stealing thread only, and if this CPU's
 * stack filled up meanwhile the value goes back on the victim's, or on any CPU with room.
 *
 * <p><b>Memory ordering.</b> The count is stored with release after the value: a thread that
 * reads {@link #peekSize(int)} {@code == n} (an acquire read) then sees value[0..n) as they were
 * pushed ({@link #peekTop(int, long)}), though they may be popped at any moment after.
 *
 * <p><b>Costs.</b> Push, pop: one execute per attempt. Peek: no syscall. Steal: two executes
 * (the pop on the victim's CPU is an IPI with the kernel backend). Memory as {@link PerCpuStack}.
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

    /** @return {@code cpu}'s count (an acquire read, valid from any CPU) */
    public long peekSize(int cpu) {
        return slot(cpu).getLongAcquire(COUNT);
    }

    /**
     * @return {@code cpu}'s top value as of {@link #peekSize}, or {@code ifEmpty}; a hint: it may
     *         be popped at once
     */
    public long peekTop(int cpu, long ifEmpty) {
        Slot s = slot(cpu);
        long n = s.getLongAcquire(COUNT);
        return n <= 0 ? ifEmpty : s.getLong(VALUES + 8 * (n - 1));
    }

    /**
     * Moves the top value of {@code victim}'s stack onto the stack of the CPU the caller runs on.
     *
     * @return true when a value moved (it is also in {@link PerCpuContext#value()}); false when
     *         the victim's stack was empty or this CPU's full (nothing changed)
     */
    public boolean trySteal(PerCpuContext ctx, int victim) {
        check(ctx);
        int here = ctx.currentCpu();
        if (peekSize(here) >= capacity) {
            return false;
        }
        if (!tryPopFrom(ctx, victim)) {
            return false;
        }
        long value = ctx.value;
        for (;;) {
            if (push(ctx, value) || pushOn(ctx, victim, value)) {
                ctx.value = value;
                return true;
            }
            // every CPU this thread may reach (never a CPU outside its mask: EINVAL there
            // would leave the value nowhere); the value stays in hand until one has room
            CpuSet cpus = allowedCpus();
            for (int i = 0; i < cpus.size(); i++) {
                if (pushOn(ctx, cpus.get(i), value)) {
                    ctx.value = value;
                    return true;
                }
            }
            Thread.yield();
        }
    }

    /**
     * Takes the top value of {@code victim}'s stack for the caller (a pop run on the victim's
     * CPU): the work-stealing step. The value is the caller's, on no stack, so nothing can be
     * lost or left behind whatever happens next.
     *
     * @return the value, or {@code ifEmpty} when the victim's stack was empty
     */
    public long steal(int victim, long ifEmpty) {
        return popFrom(victim, ifEmpty);
    }

    /**
     * Pops a value from the first non-empty stack, starting with the current CPU's and then
     * from the others (a pop run on the victim's CPU): for a consumer that takes work from
     * wherever it is.
     *
     * @return true when a value was taken ({@link PerCpuContext#value()}); false when every
     *         stack looked empty
     */
    public boolean tryPopAny(PerCpuContext ctx) {
        if (tryPop(ctx)) {
            return true;
        }
        CpuSet cpus = allowedCpus();
        for (int i = 0; i < cpus.size(); i++) {
            int cpu = cpus.get(i);
            if (peekSize(cpu) > 0 && tryPopFrom(ctx, cpu)) {
                return true;
            }
        }
        return false;
    }
}
