/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.OpVector;
import org.cpuopv.Outcome;
import org.cpuopv.Slot;

/**
 * The per-CPU bounded stack of 64-bit values shared by {@link PerCpuStack} and
 * {@link PerCpuStealingStack}: slot layout {@code [count][value 0][value 1]...}, all longs.
 */
abstract class BoundedStackBase extends PerCpuStructure {
    static final long COUNT = 0;
    static final long VALUES = 8;

    final int capacity;
    private final boolean release;

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

    private void storeCount(OpVector v, Slot s, long n) {
        if (release) {
            v.storeLongRelease(s, COUNT, n);
        } else {
            v.storeLong(s, COUNT, n);
        }
    }

    /** 1 pushed, 0 full, -1 retry. */
    final int attemptPush(PerCpuContext ctx, int cpu, long value) {
        Slot s = slot(cpu);
        long n = readCount(s);
        if (n >= capacity) {
            return 0;
        }
        OpVector v = ctx.vector.on(cpu)
                .compareEqLong(s, COUNT, n)
                .storeLong(s, VALUES + 8 * n, value);
        storeCount(v, s, n + 1);
        return ctx.run() == Outcome.DONE ? 1 : -1;
    }

    /** 1 popped (into ctx.value), 0 empty, -1 retry. */
    final int attemptPop(PerCpuContext ctx, int cpu) {
        Slot s = slot(cpu);
        long n = readCount(s);
        if (n <= 0) {
            return 0;
        }
        long top = s.getLong(VALUES + 8 * (n - 1));
        OpVector v = ctx.vector.on(cpu)
                .compareEqLong(s, COUNT, n)
                .compareEqLong(s, VALUES + 8 * (n - 1), top);
        storeCount(v, s, n - 1);
        if (ctx.run() == Outcome.DONE) {
            ctx.value = top;
            return 1;
        }
        return -1;
    }

    /**
     * Pushes {@code value} on the CPU the caller runs on.
     *
     * @return true when pushed; false when that CPU's stack was full (nothing changed)
     */
    public final boolean push(PerCpuContext ctx, long value) {
        check(ctx);
        for (;;) {
            int r = attemptPush(ctx, ctx.currentCpu(), value);
            if (r >= 0) {
                return r == 1;
            }
        }
    }

    /** Pushes on {@code cpu}'s stack. @return false when it was full */
    public final boolean pushOn(PerCpuContext ctx, int cpu, long value) {
        check(ctx);
        for (;;) {
            int r = attemptPush(ctx, cpu, value);
            if (r >= 0) {
                return r == 1;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Pops from the CPU the caller runs on.
     *
     * @return true when a value was popped (read it with {@link PerCpuContext#value()}); false
     *         when that CPU's stack was empty
     */
    public final boolean tryPop(PerCpuContext ctx) {
        check(ctx);
        for (;;) {
            int r = attemptPop(ctx, ctx.currentCpu());
            if (r >= 0) {
                return r == 1;
            }
        }
    }

    /** Pops from {@code cpu}'s stack; @return false when it was empty (see {@link #tryPop}) */
    public final boolean tryPopFrom(PerCpuContext ctx, int cpu) {
        check(ctx);
        for (;;) {
            int r = attemptPop(ctx, cpu);
            if (r >= 0) {
                return r == 1;
            }
            Thread.onSpinWait();
        }
    }

    /** @return the value popped from the current CPU's stack, or {@code ifEmpty} */
    public final long pop(PerCpuContext ctx, long ifEmpty) {
        return tryPop(ctx) ? ctx.value : ifEmpty;
    }
}
