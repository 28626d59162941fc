/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.Outcome;
import org.cpuopv.Slot;

/**
 * A statistics counter split per CPU: use case 2 of cpu_opv. An add is a single ADD op run on
 * one CPU's 64-bit word, so adds never contend across CPUs and never need a retry.
 *
 * <p><b>Guarantees.</b> Every {@link #add}/{@link #addOn} lands exactly once on one CPU's word
 * (wrapping at 64 bits). {@link #sum()} is exact when no add runs concurrently; during adds it
 * is the sum of per-CPU values each read at some instant. {@link #sumAndReset} moves the
 * counts out exactly: each CPU's word is zeroed by a vector "compare word == v, store 0", so
 * every add is counted either by that call or by a later one, never twice, never lost.
 *
 * <p><b>Memory ordering.</b> Adds are relaxed (no ordering with the caller's other accesses);
 * reads in {@link #sum()} and {@link #get} are acquire reads of single-copy-atomic words.
 *
 * <p><b>Costs.</b> {@link #add}: one {@code sched_getcpu} and one execute (one ioctl).
 * {@link #sum()}: no syscall. {@link #sumAndReset}: one execute per possible CPU (plus one per
 * concurrent add that slipped in). Memory: 128 bytes per possible CPU.
 *
 * <p><b>Migration and CPUs.</b> {@link #add} targets the CPU read just before; if the thread
 * migrates in between, the add still runs atomically on that CPU's word (an IPI), which is
 * just as correct. {@link #addOn} and {@link #sumAndReset} target other CPUs, which must be
 * in the caller's affinity mask.
 */
public final class PerCpuCounter extends PerCpuStructure {
    private static final long WORD = 0;

    /** @param opv the handle that owns the per-CPU words */
    public PerCpuCounter(CpuOpv opv) {
        super(opv, 8);
    }

    /**
     * Adds {@code delta} on the CPU the caller runs on.
     *
     * @return the CPU it was added on
     */
    public int add(PerCpuContext ctx, long delta) {
        int cpu = ctx.currentCpu();
        addOn(ctx, cpu, delta);
        return cpu;
    }

    /** Adds {@code delta} on {@code cpu}'s word (run on that CPU). */
    public void addOn(PerCpuContext ctx, int cpu, long delta) {
        check(ctx);
        ctx.vector.on(cpu).addLong(slot(cpu), WORD, delta);
        Outcome o = ctx.run();
        if (o != Outcome.DONE) {
            throw new IllegalStateException("an add without compare answered " + o);
        }
    }

    /** @return {@code cpu}'s word now */
    public long get(int cpu) {
        return slot(cpu).getLongAcquire(WORD);
    }

    /** @return the sum over all possible CPUs (see the class comment for its exactness) */
    public long sum() {
        long total = 0;
        int n = opv.possibleCpus().size();
        for (int i = 0; i < n; i++) {
            total += get(opv.possibleCpus().get(i));
        }
        return total;
    }

    /**
     * Zeroes every CPU's word and returns what they held, losing no concurrent add.
     *
     * @return the sum of the values taken out
     */
    public long sumAndReset(PerCpuContext ctx) {
        check(ctx);
        long total = 0;
        int n = opv.possibleCpus().size();
        for (int i = 0; i < n; i++) {
            int cpu = opv.possibleCpus().get(i);
            Slot s = slot(cpu);
            for (;;) {
                long v = s.getLongAcquire(WORD);
                if (v == 0) {
                    break;
                }
                ctx.vector.on(cpu).compareEqLong(s, WORD, v).storeLong(s, WORD, 0);
                if (ctx.run() == Outcome.DONE) {
                    total += v;
                    break;
                }
            }
        }
        return total;
    }

    /** Zeroes every CPU's word (same as {@link #sumAndReset}, discarding the sum). */
    public void reset(PerCpuContext ctx) {
        sumAndReset(ctx);
    }
}
